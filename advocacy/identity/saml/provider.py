"""The SAML 2.0 service provider's protocol, through pysaml2 and Debian's xmlsec1: our metadata, a signed
AuthnRequest (HTTP-Redirect binding) and the checks of the provider's Response (HTTP-POST binding).

A Response is accepted only when its assertion (or the response) is signed by the provider's key in its
metadata, it answers a request we sent, it is addressed to our ACS URL and our entity id, and it is inside
its validity window (with a small allowance for clock skew). Everything here is synchronous (xmlsec1 runs as
a subprocess): callers run it in a thread.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from defusedxml import ElementTree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import AuthnResponse, StatusError, UnsolicitedResponse, VerificationError
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, SCM_BEARER
from saml2.samlp import logout_response_from_string
from saml2.sigver import SignatureError, SigverError, get_xmlsec_binary, verify_redirect_signature
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from advocacy.settings import Settings

log = logging.getLogger(__name__)

METADATA_PATH = "/saml/metadata"
LOGIN_PATH = "/saml/login"
ACS_PATH = "/saml/acs"
SLO_PATH = "/saml/slo"
# A LogoutRequest older than this (or this far ahead of our clock) is refused.
LOGOUT_REQUEST_MAX_AGE_SECONDS = 600
# A provider's answer is a few kilobytes; anything much larger is refused before it is parsed.
MAX_RESPONSE_CHARS = 200_000


class SamlRefusal(Exception):
    """The provider's answer is not accepted; `reason` is a short code for logs and tests."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class SamlAssertion(msgspec.Struct, frozen=True, kw_only=True):
    """What a verified assertion says: who (NameID), their attributes by name, and for how long."""

    issuer: str
    subject: str
    attributes: dict[str, list[str]]
    assertion_id: str
    in_response_to: str
    session_index: str | None
    not_on_or_after: datetime


class SamlLogout(msgspec.Struct, frozen=True, kw_only=True):
    """The provider's verified order to end a person's sessions, and where to send our answer (None: nowhere)."""

    issuer: str
    subject: str
    session_indexes: list[str]
    answer_url: str | None


def xmlsec_binary() -> str | None:
    """The path of xmlsec1, None when it is not installed (apt-get install xmlsec1)."""
    try:
        path: str = get_xmlsec_binary()
    except SigverError:
        return None
    return path


def sp_config(settings: Settings, idp_metadata: str) -> SPConfig:
    acs = f"{settings.base_url}{ACS_PATH}"
    config = SPConfig()
    config.load(
        {
            "entityid": settings.saml_sp_entity_id,
            "xmlsec_binary": xmlsec_binary(),
            "key_file": settings.saml_sp_key_file,
            "cert_file": settings.saml_sp_cert_file,
            "metadata": {"inline": [idp_metadata]},
            "accepted_time_diff": settings.saml_clock_skew_seconds,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
                        "single_logout_service": [(f"{settings.base_url}{SLO_PATH}", BINDING_HTTP_REDIRECT)],
                    },
                    "allow_unsolicited": False,
                    "authn_requests_signed": True,
                    "want_response_signed": False,
                    "want_assertions_signed": False,
                    "want_assertions_or_response_signed": True,
                    "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                    "signing_algorithm": SIG_RSA_SHA256,
                    "digest_algorithm": DIGEST_SHA256,
                }
            },
        }
    )
    return config


class _NoCache:
    """pysaml2 would remember every person who signs in, in memory, for attribute queries we never make."""

    def set(self, *args: Any) -> None:
        return None


class ServiceProvider:
    """Our side of SAML for one identity provider (its metadata given as XML)."""

    def __init__(self, settings: Settings, idp_metadata: str) -> None:
        self.settings = settings
        self.config = sp_config(settings, idp_metadata)
        providers = list(self.config.metadata.identity_providers())
        if len(providers) != 1:
            raise ValueError(
                f"the SAML metadata must describe one identity provider, it has {len(providers)}"
            )
        self.idp_entity_id: str = providers[0]
        self.acs_url = f"{settings.base_url}{ACS_PATH}"
        # One client for the process (loading its RSA key costs a good part of a second): it keeps no
        # state of its own here, since requests in flight live in Redis and its identity cache is a no-op.
        self.client = Saml2Client(config=self.config, identity_cache=_NoCache())
        self.metadata_xml = str(entity_descriptor(self.config))

    def _client(self) -> Saml2Client:
        return self.client

    def metadata(self) -> str:
        return self.metadata_xml

    def authn_request(self, relay_state: str) -> tuple[str, str]:
        """(request id, URL of the provider's sign-in with the signed AuthnRequest in its query string)."""
        request_id, info = self._client().prepare_for_authenticate(
            entityid=self.idp_entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        location = dict(info["headers"])["Location"]
        return str(request_id), str(location)

    def read_response(self, saml_response: str, request_id: str) -> SamlAssertion:
        """The verified assertion of the provider's answer to `request_id`; SamlRefusal otherwise."""
        try:
            response = self._client().parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except SAMLError as exc:
            raise _refusal(exc) from None
        except (ResponseLifetimeExceed, ToEarly) as exc:
            raise SamlRefusal(
                "expired" if isinstance(exc, ResponseLifetimeExceed) else "not-yet-valid"
            ) from exc
        except Exception as exc:  # pysaml2 raises bare Exceptions for some checks (audience, InResponseTo)
            raise _refusal(exc) from None
        if not isinstance(response, AuthnResponse) or response.assertion is None:
            # pysaml2 answers None (or leaves the assertion out) for a wrong Destination or IssueInstant
            raise SamlRefusal("invalid", "no verified assertion")
        return self._checked(response, request_id)

    def _checked(self, response: AuthnResponse, request_id: str) -> SamlAssertion:
        """What pysaml2 leaves to the caller: one assertion, from our provider, addressed to us."""
        if len(response.assertions) != 1:
            raise SamlRefusal("invalid", "exactly one assertion is accepted")
        assertion = response.assertion
        issuer = (assertion.issuer.text or "").strip() if assertion.issuer is not None else ""
        if issuer != self.idp_entity_id:
            raise SamlRefusal("invalid", f"issuer {issuer!r}")
        if response.response.destination and response.response.destination != self.acs_url:
            raise SamlRefusal("recipient", f"destination {response.response.destination!r}")
        conditions = assertion.conditions
        audiences = [
            (audience.text or "").strip()
            for restriction in (conditions.audience_restriction if conditions is not None else [])
            for audience in restriction.audience
        ]
        if self.settings.saml_sp_entity_id not in audiences:
            raise SamlRefusal("audience", f"audiences {audiences!r}")
        confirmations = [
            c.subject_confirmation_data
            for c in assertion.subject.subject_confirmation
            if c.method == SCM_BEARER and c.subject_confirmation_data is not None
        ]
        if not confirmations:
            raise SamlRefusal("invalid", "no bearer subject confirmation")
        for data in confirmations:
            if data.recipient != self.acs_url:
                raise SamlRefusal("recipient", f"recipient {data.recipient!r}")
            if data.in_response_to != request_id:
                raise SamlRefusal("unknown-request", f"in response to {data.in_response_to!r}")
            if not data.not_on_or_after:
                raise SamlRefusal("invalid", "bearer confirmation without NotOnOrAfter")
        name_id = response.name_id
        if name_id is None or not (name_id.text or "").strip():
            raise SamlRefusal("invalid", "no NameID")
        until = min(_instant(data.not_on_or_after) for data in confirmations)
        if conditions is not None and conditions.not_on_or_after:
            until = min(until, _instant(conditions.not_on_or_after))
        return SamlAssertion(
            issuer=issuer,
            subject=name_id.text.strip(),
            attributes=attributes_of(assertion),
            assertion_id=str(assertion.id),
            in_response_to=request_id,
            session_index=_session_index(assertion),
            not_on_or_after=until,
        )

    def logout_request(
        self, saml_request: str, relay_state: str | None, sigalg: str | None, signature: str | None
    ) -> SamlLogout:
        """The provider's LogoutRequest (HTTP-Redirect), its query-string signature checked against the
        provider's certificates; SamlRefusal when it is unsigned, forged, stale or not for us."""
        if not sigalg or not signature:
            raise SamlRefusal("unsigned")
        try:
            request = self.client.parse_logout_request(
                saml_request,
                BINDING_HTTP_REDIRECT,
                relay_state=relay_state,
                sigalg=sigalg,
                signature=signature,
            )
        except Exception as exc:  # pysaml2 raises bare Exceptions for malformed messages
            raise _refusal(exc) from None
        message = request.message if request is not None else None
        if message is None:
            raise SamlRefusal("invalid", "no LogoutRequest")
        signed = {"SAMLRequest": saml_request, "SigAlg": sigalg, "Signature": signature}
        if relay_state is not None:
            signed["RelayState"] = relay_state
        certificates = self.client.metadata.certs(self.idp_entity_id, "any", "signing")
        try:
            verified = any(
                verify_redirect_signature(signed, self.client.sec.sec_backend, cert)
                for _name, cert in certificates
            )
        except Exception as exc:  # an unsupported algorithm, a malformed signature
            raise SamlRefusal("bad-signature", str(exc)) from None
        if not verified:
            raise SamlRefusal("bad-signature")
        issuer = (message.issuer.text or "").strip() if message.issuer is not None else ""
        if issuer != self.idp_entity_id:
            raise SamlRefusal("invalid", f"issuer {issuer!r}")
        if message.destination and message.destination != f"{self.settings.base_url}{SLO_PATH}":
            raise SamlRefusal("recipient", f"destination {message.destination!r}")
        age = (datetime.now(UTC) - _instant(message.issue_instant)).total_seconds()
        if abs(age) > LOGOUT_REQUEST_MAX_AGE_SECONDS + self.settings.saml_clock_skew_seconds:
            raise SamlRefusal("expired")
        if message.name_id is None or not (message.name_id.text or "").strip():
            raise SamlRefusal("invalid", "no NameID")
        answer_url = None
        try:
            response = str(self.client.create_logout_response(message, [BINDING_HTTP_REDIRECT]))
            answer = self.client.apply_binding(
                BINDING_HTTP_REDIRECT,
                response,
                logout_response_from_string(response).destination,
                relay_state or "",
                response=True,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
            answer_url = str(dict(answer["headers"])["Location"])
        except SAMLError:
            pass  # the provider's metadata names no logout endpoint: nothing to answer to
        return SamlLogout(
            issuer=issuer,
            subject=message.name_id.text.strip(),
            session_indexes=[(i.text or "").strip() for i in message.session_index or [] if i.text],
            answer_url=answer_url,
        )


def attributes_of(assertion: Any) -> dict[str, list[str]]:
    """Each attribute's values by the Name the provider gives it (and by its FriendlyName too): the names an
    admin sees in the provider's console, with no renaming by pysaml2's attribute maps."""
    found: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [(v.text or "").strip() for v in attribute.attribute_value or [] if v.text]
            for name in {attribute.name, attribute.friendly_name} - {None, ""}:
                found.setdefault(name, []).extend(values)
    return found


def _session_index(assertion: Any) -> str | None:
    for statement in assertion.authn_statement or []:
        if statement.session_index:
            return str(statement.session_index)
    return None


def _instant(text: str) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(str_to_time(text)), UTC)


def _refusal(exc: Exception) -> SamlRefusal:
    text = str(exc)
    if isinstance(exc, SigverError) and "Neither the response nor the assertions are signed" in text:
        reason = "unsigned"
    elif isinstance(exc, SignatureError | SigverError):
        reason = "bad-signature"
    elif isinstance(exc, UnsolicitedResponse) or "I don't recall" in text or text == "Came from":
        reason = "unknown-request"
    elif "AudienceRestrictions" in text:
        reason = "audience"
    elif isinstance(exc, StatusError):
        reason = "provider-refused"
    elif isinstance(exc, VerificationError):
        reason = "invalid"
    else:
        reason = "invalid"
    log.info("SAML response refused (%s): %s", reason, text)
    return SamlRefusal(reason, text)


def in_response_to(saml_response: str) -> str | None:
    """The request id a (not yet verified) answer names, to find the request it claims to answer."""
    if len(saml_response) > MAX_RESPONSE_CHARS:
        return None
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError):
        return None
    value = root.get("InResponseTo")
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def read_metadata_file(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")
