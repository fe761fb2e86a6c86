"""Connecting accounts: OAuth 2 + PKCE with single-use states, Mastodon app registration per instance,
Bluesky app passwords, encrypted tokens, refresh on expiry, revocation on disconnect and on opt-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet

from advocacy.ambassadors.service import opt_out
from advocacy.connectors import pkce, service
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry
from advocacy.connectors.schemas import ConnectStartBody
from advocacy.core.errors import Forbidden, Invalid
from advocacy.db.pool import Database
from advocacy.outbox.service import run_row
from tests.conftest import problem
from tests.factories import Factory
from tests.fakes import bluesky as fake_bluesky
from tests.integration.connectors.conftest import Fakes, connect, follow_authorize
from workers.jobs import outbox_handlers


async def test_connecting_x_through_the_api_lists_the_account_and_says_what_is_stored(
    api: Any, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    started = await api.post("/api/v1/me/connections/x/start", json={}, headers=alice.headers)
    assert started.status_code == 200, started.text
    url = started.json()["authorize_url"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    back = await follow_authorize(url)
    done = await api.get("/api/v1/me/connections/x/callback", params=back, headers=alice.headers)
    assert done.status_code == 200, done.text
    assert done.json()["handle"] == "alice_m" and done.json()["followers"] == 321
    listed = (await api.get("/api/v1/me/connections", headers=alice.headers)).json()
    assert [a["network"] for a in listed["accounts"]] == ["x"]
    assert "encrypted" in listed["what_is_stored"]["en"] and "chiffrés" in listed["what_is_stored"]["fr"]


async def test_a_replayed_oauth_state_is_refused(api: Any, factory: Factory, fakes: Fakes) -> None:
    alice = await factory.person("employee", ambassador=True)
    started = (await api.post("/api/v1/me/connections/x/start", json={}, headers=alice.headers)).json()
    back = await follow_authorize(started["authorize_url"])
    first = await api.get("/api/v1/me/connections/x/callback", params=back, headers=alice.headers)
    assert first.status_code == 200
    replay = await api.get("/api/v1/me/connections/x/callback", params=back, headers=alice.headers)
    assert replay.status_code == 403
    assert "already used" in problem(replay)["detail"]
    assert fakes.x.count("token") == 1  # the replayed code never reached the network


async def test_a_state_started_by_someone_else_is_refused_and_spent(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    mallory = await factory.person("employee", ambassador=True)
    started = await service.start_connect(
        db, registry, cipher, alice.person_id, "linkedin", ConnectStartBody()
    )
    back = await follow_authorize(started.authorize_url)
    with pytest.raises(Forbidden):
        await service.finish_connect(
            db, registry, cipher, mallory.person_id, "linkedin", code=back["code"], state=back["state"]
        )
    with pytest.raises(Forbidden):  # spent by the attempt: alice must start again too
        await service.finish_connect(
            db, registry, cipher, alice.person_id, "linkedin", code=back["code"], state=back["state"]
        )


async def test_an_expired_state_is_refused(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    started = await service.start_connect(db, registry, cipher, alice.person_id, "x", ConnectStartBody())
    back = await follow_authorize(started.authorize_url)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE state_hash = $1",
            pkce.state_hash(back["state"]),
        )
    with pytest.raises(Forbidden):
        await service.finish_connect(
            db, registry, cipher, alice.person_id, "x", code=back["code"], state=back["state"]
        )


async def test_tokens_are_stored_encrypted_and_states_hashed(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await connect(db, registry, cipher, alice, "linkedin")
    issued = next(iter(fakes.linkedin.access_tokens))
    async with db.connection() as conn:
        stored = await conn.fetchrow("SELECT access_token, refresh_token FROM connected_accounts")
        verifier = await conn.fetchval("SELECT code_verifier FROM oauth_states")
    assert issued.encode() not in bytes(stored["access_token"])
    assert cipher.decrypt(stored["access_token"]) == issued
    assert b"." not in bytes(verifier)[:5] and cipher.decrypt(
        verifier
    )  # a Fernet token, readable only with the key


async def test_mastodon_registers_our_app_once_per_instance(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    bob = await factory.person("employee", ambassador=True)
    instance = fakes.mastodon.base_url
    account = await connect(db, registry, cipher, alice, "mastodon", instance=instance)
    await connect(db, registry, cipher, bob, "mastodon", instance=instance + "/")
    assert account.handle == "alice" and account.base_url == instance and account.followers == 87
    assert fakes.mastodon.count("apps") == 1


async def test_a_mastodon_server_on_a_private_address_is_refused_outside_tests(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, net_settings: Any
) -> None:
    alice = await factory.person("employee", ambassador=True)
    strict = Registry(net_settings.replace(fetch_allow_private=False), registry.client)
    with pytest.raises(Invalid, match=r"https"):
        await service.start_connect(
            db, strict, cipher, alice.person_id, "mastodon", ConnectStartBody(instance="http://127.0.0.1:9")
        )


async def test_bluesky_connects_with_an_app_password_that_is_not_stored(
    api: Any, db: Database, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    body = {"identifier": fake_bluesky.HANDLE, "app_password": fake_bluesky.APP_PASSWORD}
    done = await api.post("/api/v1/me/connections/bluesky", json=body, headers=alice.headers)
    assert done.status_code == 201, done.text
    assert done.json()["followers"] == 42
    wrong = await api.post(
        "/api/v1/me/connections/bluesky",
        json={**body, "app_password": "wrong-pass-word"},
        headers=alice.headers,
    )
    assert wrong.status_code == 422
    async with db.connection() as conn:
        dump = await conn.fetchval("SELECT string_agg(t::text, ' ') FROM connected_accounts t")
    assert fake_bluesky.APP_PASSWORD not in dump


async def test_connecting_needs_an_opted_in_ambassador(api: Any, factory: Factory, fakes: Fakes) -> None:
    outsider = await factory.person("employee")
    response = await api.post("/api/v1/me/connections/x/start", json={}, headers=outsider.headers)
    assert response.status_code == 403


async def test_an_expiring_token_is_refreshed_before_use(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await connect(db, registry, cipher, alice, "x")
    async with db.connection() as conn:
        account_id = await conn.fetchval("SELECT id FROM connected_accounts")
        await conn.execute("UPDATE connected_accounts SET expires_at = now() + interval '10 seconds'")
    fakes.x.expire_all_access_tokens()
    _, auth = await service.usable_auth(db, registry, cipher, account_id)
    assert fakes.x.count("token") == 2  # the code exchange, then one refresh
    assert (await registry.x.profile(auth)).handle == "alice_m"
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT expires_at, refreshed_at FROM connected_accounts")
    assert row["refreshed_at"] is not None and row["expires_at"] > datetime.now(UTC) + timedelta(hours=1)


async def test_a_refused_refresh_asks_the_person_to_reconnect(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await connect(db, registry, cipher, alice, "x")
    fakes.x.refresh_tokens.clear()  # revoked at X
    async with db.connection() as conn:
        account_id = await conn.fetchval("SELECT id FROM connected_accounts")
    with pytest.raises(service.NeedsReconnect):
        await service.usable_auth(db, registry, cipher, account_id, force_refresh=True)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT status FROM connected_accounts") == "needs_reconnect"


async def test_disconnecting_revokes_at_the_network_and_deletes_the_tokens(
    api: Any, db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    account = await connect(db, registry, cipher, alice, "mastodon", instance=fakes.mastodon.base_url)
    issued = next(iter(fakes.mastodon.access_tokens))
    response = await api.delete(f"/api/v1/me/connections/{account.id}", headers=alice.headers)
    assert response.status_code == 204
    assert fakes.mastodon.revoked == [issued]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM connected_accounts") == 0


async def test_nobody_can_disconnect_another_persons_account(
    api: Any, db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    mallory = await factory.person("employee", ambassador=True)
    account = await connect(db, registry, cipher, alice, "x")
    response = await api.delete(f"/api/v1/me/connections/{account.id}", headers=mallory.headers)
    assert response.status_code == 404
    assert fakes.x.revoked == []


async def test_opting_out_revokes_and_deletes_every_connected_account(
    db: Database,
    registry: Registry,
    cipher: TokenCipher,
    factory: Factory,
    fakes: Fakes,
    net_settings: Any,
    redis: Any,
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await connect(db, registry, cipher, alice, "x")
    await connect(db, registry, cipher, alice, "bluesky")
    await opt_out(db, alice.principal)
    async with db.connection() as conn:
        row_id = await conn.fetchval("SELECT id FROM outbox WHERE job = 'ambassador.opted_out'")
    ctx = {"db": db, "settings": net_settings, "registry": registry, "redis": redis}
    assert await run_row(db, row_id, outbox_handlers(), ctx, max_attempts=3) == "done"
    assert len(fakes.x.revoked) == 1 and len(fakes.bluesky.sessions_deleted) == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM connected_accounts") == 0
        actions = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'connected_account.revoked_on_opt_out'"
        )
    assert actions == 2


async def test_rotating_keys_re_encrypts_every_token_under_the_new_key(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes, net_settings: Any
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await connect(db, registry, cipher, alice, "x")
    await connect(db, registry, cipher, alice, "mastodon", instance=fakes.mastodon.base_url)
    new_key = Fernet.generate_key().decode()
    rotated = TokenCipher.from_settings(
        net_settings.replace(token_encryption_keys=f"{new_key},{net_settings.token_encryption_keys}")
    )
    counts = await service.rotate_token_keys(db, rotated)
    assert counts["connected_accounts"] == 2 and counts["mastodon_apps"] == 1
    only_new = TokenCipher([new_key.encode()])
    async with db.connection() as conn:
        tokens = await conn.fetch("SELECT access_token FROM connected_accounts")
        secret = await conn.fetchval("SELECT client_secret FROM mastodon_apps")
    assert all(only_new.decrypt(t["access_token"]).startswith("at-") for t in tokens)
    assert only_new.decrypt(secret)
