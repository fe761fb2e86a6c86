"""A SAML identity provider for the tests, built with pysaml2 and served over HTTP on loopback.

Its key and certificate are made at test time. GET /sso takes our signed AuthnRequest (HTTP-Redirect; a bad
or missing signature is answered 400) and answers with the auto-posting form a browser would submit to our
ACS, for `user`; `answer` can spoil the answer the way the refusal tests need.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, saml
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import response_from_string
from saml2.server import Server
from saml2.sigver import pre_signature_part, verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from advocacy.identity.saml.keys import self_signed_pair
from advocacy.identity.saml.provider import xmlsec_binary

# How the provider answers: None is a good answer with a signed assertion, "response-signed" a good one signed
# at the Response level only; the others spoil it in one way each.
Answer = Literal[
    "response-signed",
    "unsigned",
    "wrong-audience",
    "expired",
    "tampered",
    "forged",
    "unknown-request",
    "wrong-recipient",
]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class LoopbackIdp:
    def __init__(self, folder: Path, base_url: str) -> None:
        self.base_url = base_url
        self.entity_id = f"{base_url}/idp"
        key, cert = self_signed_pair("test-idp")
        self.key_file, self.cert_file = folder / "idp.key", folder / "idp.crt"
        self.key_file.write_bytes(key)
        self.cert_file.write_bytes(cert)
        self.metadata = str(entity_descriptor(self._config([])))
        # a key the service provider has never seen, for a forged signature
        self.forger_key_file = folder / "forger.key"
        self.forger_key_file.write_bytes(self_signed_pair("forger")[0])
        self.server: Server | None = None
        self.user: tuple[str, dict[str, list[str]]] = ("nobody", {})
        self.answer: Answer | None = None
        self.requests_seen = 0
        self.session_index = ""

    def _config(self, metadata: list[str]) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": xmlsec_binary(),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": metadata},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base_url}/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.base_url}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "want_authn_requests_signed": True,
                        "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                    }
                },
            }
        )
        return config

    def trust(self, sp_metadata: str) -> None:
        """Know the service provider (its ACS URL and the certificate its requests are signed with)."""
        self.server = Server(config=self._config([sp_metadata]))

    def sign_in_page(self, query: str) -> tuple[int, str]:
        assert self.server is not None
        q = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            request = self.server.parse_authn_request(
                q["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=q.get("RelayState"),
                sigalg=q.get("SigAlg"),
                signature=q.get("Signature"),
            )
        except Exception as exc:
            return 400, f"refused: {exc}"
        self.requests_seen += 1
        message = request.message
        xml = self.response_to(message.id, message.assertion_consumer_service_url, message.issuer.text)
        form = self.server.apply_binding(
            BINDING_HTTP_POST,
            xml,
            message.assertion_consumer_service_url,
            q.get("RelayState", ""),
            response=True,
        )
        return 200, str(form["data"])

    def response_to(self, request_id: str, acs_url: str, sp_entity_id: str) -> str:
        assert self.server is not None
        name_id, attributes = self.user
        answer = self.answer
        response = self.server.create_authn_response(
            attributes,
            in_response_to="id-never-asked" if answer == "unknown-request" else request_id,
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED},
            sign_assertion=False,
            sign_response=answer == "response-signed",
        )
        if answer == "response-signed":
            return str(response)
        parsed = response_from_string(str(response))
        assertion = parsed.assertion[0]
        self.session_index = str(assertion.authn_statement[0].session_index)
        if answer == "wrong-audience":
            assertion.conditions.audience_restriction[0].audience[0].text = "https://elsewhere.example/sp"
        if answer == "wrong-recipient":
            for confirmation in assertion.subject.subject_confirmation:
                confirmation.subject_confirmation_data.recipient = "https://elsewhere.example/acs"
        if answer == "expired":
            # issued an hour ago, valid for five minutes then
            issued = datetime.now(UTC) - timedelta(hours=1)
            assertion.conditions.not_before = _time(issued)
            assertion.conditions.not_on_or_after = _time(issued + timedelta(minutes=5))
            for confirmation in assertion.subject.subject_confirmation:
                confirmation.subject_confirmation_data.not_on_or_after = _time(issued + timedelta(minutes=5))
        if answer == "unsigned":
            return str(parsed)
        assertion.signature = pre_signature_part(
            assertion.id, self.server.sec.my_cert, 1, digest_alg=DIGEST_SHA256, sign_alg=SIG_RSA_SHA256
        )
        signed: str = self.server.sec.sign_statement(
            str(parsed),
            class_name(assertion),
            key_file=str(self.forger_key_file) if answer == "forged" else None,
            node_id=assertion.id,
        )
        if answer == "tampered":
            email = attributes["email"][0]
            signed = signed.replace(f">{email}<", ">eve@elsewhere.example<")
        return signed

    def logout_url(self, sp_entity_id: str, slo_url: str, *, signed: bool = True) -> str:
        """The provider's signed LogoutRequest for the person it signed in last, as a redirect to our SLO."""
        assert self.server is not None
        _id, request = self.server.create_logout_request(
            slo_url,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.user[0]),
            session_indexes=[self.session_index],
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), slo_url, "", sign=signed, sigalg=SIG_RSA_SHA256
        )
        return str(dict(info["headers"])["Location"])

    def logout_answer_ok(self, query: str) -> bool:
        """Whether our LogoutResponse (HTTP-Redirect) is signed by us and says Success."""
        assert self.server is not None
        q = {k: v[0] for k, v in parse_qs(query).items()}
        response = self.server.parse_logout_request_response(q["SAMLResponse"], BINDING_HTTP_REDIRECT)
        signed = {k: q[k] for k in ("SAMLResponse", "SigAlg", "Signature") if k in q}
        certificates = self.server.metadata.certs(response.response.issuer.text, "any", "signing")
        return response.status_ok() and any(
            verify_redirect_signature(signed, self.server.sec.sec_backend, cert) for _n, cert in certificates
        )


class _Handler(BaseHTTPRequestHandler):
    idp: LoopbackIdp

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        status, body = (404, "not found")
        if parts.path == "/sso":
            status, body = self.idp.sign_in_page(parts.query)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_idp(folder: Path) -> Iterator[LoopbackIdp]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    idp = LoopbackIdp(folder, f"http://127.0.0.1:{server.server_address[1]}")
    _Handler.idp = idp
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the auto-posting form, as a browser would submit it."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert action is not None, page
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}
