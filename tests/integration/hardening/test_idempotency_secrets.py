"""Secrets never go into the Idempotency-Key replay table, and anonymous rows keep no raw address."""

from __future__ import annotations

from typing import Any

from advocacy.db.pool import Database
from tests.conftest import problem
from tests.factories import Factory

TOKENS = "/api/v1/me/tokens"


async def test_a_new_token_is_not_stored_for_replay_and_a_replay_creates_no_second_one(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(password=None)
    headers = {**someone.headers, "Idempotency-Key": "laptop-token"}
    first = await client.post(TOKENS, json={"name": "laptop"}, headers=headers)
    assert first.status_code == 201, first.text
    token = first.json()["token"]
    async with db.connection() as conn:
        stored = await conn.fetch("SELECT body FROM idempotency_keys")
        tokens = await conn.fetchval(
            "SELECT count(*) FROM api_tokens WHERE person_id = $1", someone.person_id
        )
    assert stored and all(token.encode() not in (r["body"] or b"") for r in stored)
    assert tokens == 2  # the factory's and the laptop's
    replay = await client.post(TOKENS, json={"name": "laptop"}, headers=headers)
    body = problem(replay)
    assert body["status"] == 409 and body["type"].endswith(":idempotency-secret-not-kept")
    assert replay.headers["idempotent-replayed"] == "true" and token not in replay.text
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM api_tokens WHERE person_id = $1", someone.person_id)
            == tokens
        )


async def test_a_sign_in_answer_is_not_stored_and_anonymous_rows_keep_no_address(
    client: Any, factory: Factory, db: Database
) -> None:
    await factory.person(email="ana@example.com", password="correct horse battery")
    answer = await client.post(
        "/api/v1/auth/login",
        json={"email": "ana@example.com", "password": "correct horse battery"},
        headers={"Idempotency-Key": "sign-in-1"},
    )
    assert answer.status_code == 200, answer.text
    async with db.connection() as conn:
        [row] = await conn.fetch("SELECT scope, body FROM idempotency_keys")
    assert answer.json()["csrf_token"].encode() not in row["body"]
    # the test client's address is "testclient": no form of it is kept, only a keyed hash
    assert "testclient" not in row["scope"] and row["scope"].startswith("a:") and len(row["scope"]) == 34
