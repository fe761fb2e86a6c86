"""OpenID Connect sign-in against a real certified provider (oidc-provider under Node.js, on loopback; these
tests skip without node and npm): the browser's redirects and the provider's own forms, the ID token's
checks (signature, audience, nonce, expiry), single-use state and nonce, refusals, and both logouts."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.identity.sso.errors import SsoRefused
from advocacy.identity.sso.oidc import OidcClient
from advocacy.settings import Settings
from tests.eventually import eventually
from tests.factories import Factory
from tests.integration.identity.oidc.browser import start_sign_in, through_provider
from tests.integration.identity.oidc.conftest import OTHER_CLIENT, Provider

pytestmark = pytest.mark.usefixtures("oidc_app")


async def configure(app_url: str, admin: Any, **body: Any) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.patch(f"{app_url}/api/v1/organisation/sso", json=body, headers=admin.headers)
    assert response.status_code == 200, response.text


async def browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, timeout=20)


async def test_signing_in_with_the_provider_creates_the_person_with_mapped_claims_and_roles(
    factory: Factory, oidc_provider: Provider, oidc_settings: Settings
) -> None:
    admin = await factory.person("admin")
    await configure(
        oidc_provider.app_url, admin, jit_creation=True, group_roles=[{"group": "comms", "role": "curator"}]
    )
    async with await browser() as http:
        login_page = await http.get(f"{oidc_provider.app_url}/login")
        assert "Sign in with Test IdP" in login_page.text or "Se connecter avec Test IdP" in login_page.text
        landed = await start_sign_in(http, oidc_provider.app_url, oidc_provider.issuer, "lea@example.com")
        assert landed.status_code == 200 and str(landed.url).startswith(oidc_provider.app_url)
        me = (await http.get(f"{oidc_provider.app_url}/api/v1/me")).json()["person"]
    assert (me["email"], me["display_name"], me["team"], me["language"]) == (
        "lea@example.com",
        "Léa Martin",
        "Marketing",
        "en",
    )
    assert sorted(me["roles"]) == ["curator", "employee"]


async def test_an_unknown_person_is_refused_while_just_in_time_creation_is_off(
    factory: Factory, oidc_provider: Provider
) -> None:
    admin = await factory.person("admin")
    await configure(oidc_provider.app_url, admin, jit_creation=False)
    async with await browser() as http:
        landed = await start_sign_in(
            http, oidc_provider.app_url, oidc_provider.issuer, "stranger@example.com"
        )
        assert landed.status_code == 403 and "demandez à un administrateur" in landed.text
        assert (await http.get(f"{oidc_provider.app_url}/api/v1/me")).status_code == 401


async def test_a_deactivated_person_is_refused(factory: Factory, oidc_provider: Provider) -> None:
    admin = await factory.person("admin")
    await configure(oidc_provider.app_url, admin, jit_creation=True)
    gone = await factory.person("employee", email="gone@example.com")
    async with httpx.AsyncClient() as api:
        patched = await api.patch(
            f"{oidc_provider.app_url}/api/v1/people/{gone.person.id}",
            json={"active": False},
            headers=admin.headers,
        )
        assert patched.status_code == 200, patched.text
    async with await browser() as http:
        landed = await start_sign_in(http, oidc_provider.app_url, oidc_provider.issuer, "gone@example.com")
        assert landed.status_code == 403 and "désactivé" in landed.text
        assert (await http.get(f"{oidc_provider.app_url}/api/v1/me")).status_code == 401


async def test_a_callback_works_once_and_only_in_the_browser_that_started_it(
    factory: Factory, oidc_provider: Provider
) -> None:
    admin = await factory.person("admin")
    await configure(oidc_provider.app_url, admin, jit_creation=True)
    async with await browser() as http:
        back = await start_sign_in(
            http, oidc_provider.app_url, oidc_provider.issuer, "ana@example.com", stop_at_callback=True
        )
        callback = back.headers["location"]
        async with await browser() as elsewhere:  # the same link opened in another browser: no sign-in
            other = await elsewhere.get(callback)
            assert other.status_code == 403
        # that attempt used the state up: the right browser must start again too
        again = await http.get(callback)
        assert again.status_code == 403 and "advocacy_session" not in again.headers.get("set-cookie", "")
        fresh = await start_sign_in(
            http, oidc_provider.app_url, oidc_provider.issuer, "ana@example.com", stop_at_callback=True
        )
        first = await http.get(fresh.headers["location"])
        assert first.status_code == 303, first.text
        replayed = await http.get(fresh.headers["location"])
        assert replayed.status_code == 403


async def _real_id_token(
    provider: Provider, *, client: tuple[str, str], nonce: str, login: str = "ana@example.com"
) -> str:
    """An ID token the provider issues to `client` through its real authorization code flow (with PKCE)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect_uri = f"{provider.app_url}/sso/oidc/callback"
    query = urlencode(
        {
            "client_id": client[0],
            "response_type": "code",
            "scope": "openid email",
            "redirect_uri": redirect_uri,
            "state": "s",
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    async with await browser() as http:
        first = await http.get(f"{provider.issuer}/auth?{query}")
        back = await through_provider(http, first, provider.issuer, login, stop_at_callback=True)
        code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        token = await http.post(
            f"{provider.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=client,
        )
    assert token.status_code == 200, token.text
    id_token: str = token.json()["id_token"]
    return id_token


async def test_an_id_token_is_refused_when_tampered_foreign_or_expired(
    oidc_provider: Provider, oidc_settings: Settings, redis: Redis
) -> None:
    client = OidcClient(oidc_settings, redis)
    nonce = secrets.token_urlsafe(16)
    token = await _real_id_token(
        oidc_provider, client=("advocacy", "advocacy-secret-0123456789abcdef"), nonce=nonce
    )
    claims = await client.id_token_claims(token, nonce=nonce)
    assert claims["aud"] == "advocacy" and claims["sub"] == "ana@example.com"

    async def reason(candidate: str, **options: Any) -> str:
        with pytest.raises(SsoRefused) as refused:
            await client.id_token_claims(candidate, **{"nonce": nonce, **options})
        return str(refused.value.extra["reason"])

    header, payload, signature = token.split(".")
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    assert await reason(f"{header}.{payload}.{flipped}") == "id-token:bad_signature"
    # the same claims signed by someone else's key under the provider's key id
    forged = jwt.encode(
        {"alg": "RS256", "kid": "test-key"}, claims, RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    )
    assert await reason(forged) == "id-token:bad_signature"
    assert await reason(token, nonce="another sign-in's nonce") == "id-token:invalid_claim:nonce"
    assert await reason(token, now=claims["exp"] + 3600) == "id-token:expired_token:exp"
    other = await _real_id_token(oidc_provider, client=OTHER_CLIENT, nonce=nonce)
    assert await reason(other) == "id-token:invalid_claim:aud"


async def test_an_id_token_nonce_signs_in_once(
    factory: Factory, oidc_provider: Provider, oidc_settings: Settings, db: Database, redis: Redis
) -> None:
    admin = await factory.person("admin")
    await configure(oidc_provider.app_url, admin, jit_creation=True)
    client = OidcClient(oidc_settings, redis)

    async def attempt(nonce: str | None) -> Any:
        """A sign-in driven as the app drives it; with `nonce`, its request reuses that nonce."""
        url = await client.begin(next_url="/", browser_key="k")
        state = parse_qs(urlsplit(url).query)["state"][0]
        if nonce is not None:  # what a replayed ID token amounts to: a nonce already spent
            key = f"{client.prefix}:state:{hashlib.sha256(state.encode()).hexdigest()}"
            record = (await redis.get(key)).decode().replace(parse_qs(urlsplit(url).query)["nonce"][0], nonce)
            await redis.set(key, record, ex=600)
            url = url.replace(parse_qs(urlsplit(url).query)["nonce"][0], nonce)
        async with await browser() as http:
            back = await through_provider(
                http, await http.get(url), oidc_provider.issuer, "ana@example.com", stop_at_callback=True
            )
        code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        return await client.complete(db, code=code, state=state, browser_key="k", session_hours=1), url

    (signed_in, _next), url = await attempt(None)
    assert signed_in.person_id
    used = parse_qs(urlsplit(url).query)["nonce"][0]
    with pytest.raises(SsoRefused) as refused:
        await attempt(used)
    assert refused.value.extra["reason"] == "id-token:replayed_nonce"


async def test_the_providers_back_channel_logout_ends_the_session_and_ours_ends_the_providers(
    factory: Factory, oidc_provider: Provider, oidc_settings: Settings
) -> None:
    admin = await factory.person("admin")
    await configure(oidc_provider.app_url, admin, jit_creation=True)
    app = oidc_provider.app_url
    async with await browser() as http:
        await start_sign_in(http, app, oidc_provider.issuer, "ana@example.com")
        assert (await http.get(f"{app}/api/v1/me")).status_code == 200
        # signing out at the provider: it tells our back-channel endpoint, server to server
        ended = await http.get(f"{oidc_provider.issuer}/session/end", params={"client_id": "advocacy"})
        await through_provider(http, ended, oidc_provider.issuer, "ana@example.com")

        async def refused() -> bool:
            return (await http.get(f"{app}/api/v1/me")).status_code == 401

        await eventually(refused, "the session the provider ended refused")

        # our own sign-out sends the browser on to the provider's end_session_endpoint
        await start_sign_in(http, app, oidc_provider.issuer, "ana@example.com")
        csrf = (await http.get(f"{app}/api/v1/me")).json()
        page = await http.get(f"{app}/account/password")
        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        out = await http.post(f"{app}/logout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"].startswith(
            f"{oidc_provider.issuer}/session/end"
        )
        assert csrf["person"]["email"] == "ana@example.com"


async def test_a_forged_logout_token_is_refused(oidc_provider: Provider) -> None:
    forged = jwt.encode(
        {"alg": "RS256", "kid": "test-key"},
        {
            "iss": oidc_provider.issuer,
            "aud": "advocacy",
            "iat": 1,
            "jti": "j",
            "sub": "ana@example.com",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        },
        RSAKey.generate_key(2048, parameters={"kid": "test-key"}),
    )
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{oidc_provider.app_url}/sso/oidc/backchannel-logout", data={"logout_token": forged}
        )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
