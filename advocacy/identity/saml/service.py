"""Signing in with SAML: send the person to the provider with a signed AuthnRequest, then accept its answer
once (request ids and assertion ids kept in Redis) and hand the person it vouches for to the single sign-on
shared with OpenID Connect (advocacy/identity/sso: attribute mapping, just-in-time creation, the session)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import httpx
from redis.asyncio import Redis

from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.identity.saml.provider import (
    SamlAssertion,
    SamlRefusal,
    ServiceProvider,
    in_response_to,
    read_metadata_file,
)
from advocacy.identity.sso.errors import SsoRefused
from advocacy.identity.sso.schemas import IdpIdentity, SsoSignIn
from advocacy.identity.sso.signin import end_provider_sessions, sign_in_from_idp
from advocacy.settings import Settings

log = logging.getLogger(__name__)

# How long a person may take at the provider's sign-in page before our request is forgotten.
REQUEST_TTL_SECONDS = 600
# The provider's metadata is read again this often (it carries its signing certificate, which rotates).
METADATA_MAX_AGE_SECONDS = 3600
# A person's answer is kept this long at least to refuse it a second time, whatever its own validity says.
MIN_REPLAY_WINDOW_SECONDS = 300

PROTOCOL = "saml"
ANSWERED = "\x00answered"  # never a path (safe_next makes every other value start with "/")


class Providers:
    """The process's ServiceProvider, built from the provider's metadata (file or URL) on first use and built
    again once the metadata is older than METADATA_MAX_AGE_SECONDS."""

    def __init__(self) -> None:
        self._provider: ServiceProvider | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, settings: Settings) -> ServiceProvider:
        if self._provider is not None and time.monotonic() - self._loaded_at < METADATA_MAX_AGE_SECONDS:
            return self._provider
        async with self._lock:
            if self._provider is None or time.monotonic() - self._loaded_at >= METADATA_MAX_AGE_SECONDS:
                metadata = await load_metadata(settings)
                self._provider = await asyncio.to_thread(ServiceProvider, settings, metadata)
                self._loaded_at = time.monotonic()
        return self._provider


async def load_metadata(settings: Settings) -> str:
    source = settings.saml_idp_metadata
    if source.startswith(("https://", "http://")):
        async with httpx.AsyncClient(timeout=settings.connector_timeout_seconds) as client:
            response = await client.get(source)
            response.raise_for_status()
            return response.text
    return await asyncio.to_thread(read_metadata_file, source)


def _request_key(settings: Settings, request_id: str) -> str:
    return f"{settings.redis_namespace}:saml:request:{request_id}"


def _assertion_key(settings: Settings, assertion: SamlAssertion) -> str:
    return f"{settings.redis_namespace}:saml:assertion:{assertion.issuer}:{assertion.assertion_id}"


async def start_sign_in(providers: Providers, redis: Redis, settings: Settings, next_path: str) -> str:
    """The provider's sign-in URL carrying our signed AuthnRequest; the request id is remembered (with where
    to go afterwards) until REQUEST_TTL_SECONDS pass or its answer arrives."""
    provider = await providers.get(settings)
    request_id, url = await asyncio.to_thread(provider.authn_request, "")
    await redis.set(_request_key(settings, request_id), next_path, ex=REQUEST_TTL_SECONDS)
    return url


def refused(reason: str, *, what: str = "sign-in") -> SsoRefused:
    """A refusal of the provider's message: the person is told to try again, the reason goes to the log."""
    log.warning("SAML %s refused: %s", what, reason)
    return SsoRefused(
        lazy_gettext("Your organisation's sign-in could not be accepted: sign in again"),
        extra={"reason": reason},
    )


async def finish_sign_in(
    providers: Providers, redis: Redis, db: Database, settings: Settings, saml_response: str
) -> tuple[SsoSignIn, str]:
    """(the session opened, where to go) for the provider's answer; SsoRefused (403) otherwise, with
    `extra.reason`: unknown-request, unsigned, bad-signature, audience, recipient, expired, not-yet-valid,
    replayed, provider-refused, invalid, or one of sign_in_from_idp's (deactivated, unknown-person, ...)."""
    provider = await providers.get(settings)
    request_id = in_response_to(saml_response)
    request_key = _request_key(settings, request_id) if request_id else None
    next_path = await redis.get(request_key) if request_key else None
    if request_id is None or request_key is None or next_path is None:
        raise refused("unknown-request")
    try:
        assertion = await asyncio.to_thread(provider.read_response, saml_response, request_id)
    except SamlRefusal as exc:
        log.info("SAML answer refused: %s", exc)
        raise refused(exc.reason) from None
    remaining = (assertion.not_on_or_after - datetime.now(UTC)).total_seconds()
    window = max(MIN_REPLAY_WINDOW_SECONDS, int(remaining) + settings.saml_clock_skew_seconds)
    if not await redis.set(_assertion_key(settings, assertion), "1", nx=True, ex=window):
        raise refused("replayed")
    # The request is answered once: it stays known (until it expires) as answered, so that another answer
    # to it is told apart from an answer to a request we never sent.
    if await redis.set(request_key, ANSWERED, xx=True, get=True, keepttl=True) in (None, ANSWERED.encode()):
        raise refused("replayed")
    identity = IdpIdentity(
        protocol=PROTOCOL,
        issuer=assertion.issuer,
        subject=assertion.subject,
        attributes=assertion.attributes,
        provider_session=assertion.session_index,
    )
    signed_in = await sign_in_from_idp(db, identity, session_hours=settings.session_ttl_hours)
    return signed_in, next_path.decode() if isinstance(next_path, bytes) else str(next_path)


async def provider_logout(
    providers: Providers,
    db: Database,
    settings: Settings,
    saml_request: str,
    relay_state: str | None,
    sigalg: str | None,
    signature: str | None,
) -> str | None:
    """The provider's single logout: end the sessions its session opened here (by SessionIndex, else every
    one of the subject's); the signed answer's URL, None when the provider takes none. SsoRefused otherwise."""
    provider = await providers.get(settings)
    try:
        order = await asyncio.to_thread(provider.logout_request, saml_request, relay_state, sigalg, signature)
    except SamlRefusal as exc:
        log.info("SAML logout request refused: %s", exc)
        raise refused(exc.reason, what="logout") from None
    ended = 0
    indexes: list[str | None] = list(order.session_indexes) or [None]
    for session_index in indexes:
        ended += await end_provider_sessions(
            db, order.issuer, subject=order.subject, provider_session=session_index
        )
    log.info("SAML logout from the provider ended %d session(s)", ended)
    return order.answer_url
