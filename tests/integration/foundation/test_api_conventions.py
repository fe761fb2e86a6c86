"""API conventions: problem details, body limits, Idempotency-Key, request ids, cursors, health and metrics."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from advocacy.app import API_DOCS_PATH, create_app, route_handlers
from advocacy.db.pool import Database
from advocacy.logs import JsonFormatter
from advocacy.outbox.service import enqueue
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory

TOKENS = "/api/v1/me/tokens"


async def test_malformed_json_is_a_400_problem(client: Any, factory: Factory) -> None:
    someone = await factory.person(password=None)
    response = await client.post(
        TOKENS, content=b'{"name": "laptop"', headers={**someone.headers, "Content-Type": "application/json"}
    )
    body = problem(response)
    assert body["status"] == 400 and body["type"].endswith(":malformed-body")


async def test_wrong_types_are_a_422_with_the_field_named(client: Any, factory: Factory) -> None:
    someone = await factory.person(password=None)
    response = await client.post(TOKENS, json={"name": 5, "expires_in_days": "soon"}, headers=someone.headers)
    body = problem(response)
    assert body["status"] == 422
    assert {"name", "expires_in_days"} & {e["field"] for e in body["errors"]}
    assert all(e["message"] for e in body["errors"])


async def test_unknown_fields_are_refused(client: Any, factory: Factory) -> None:
    someone = await factory.person(password=None)
    response = await client.post(TOKENS, json={"name": "x", "admin": True}, headers=someone.headers)
    body = problem(response)
    assert body["status"] == 422
    assert "admin" in json.dumps(body)


@pytest.mark.parametrize("idempotency_key", [None, "big-body-1"])
async def test_a_body_over_the_limit_is_a_413_problem(
    client: Any, factory: Factory, settings: Settings, idempotency_key: str | None
) -> None:
    someone = await factory.person(password=None)
    headers = {**someone.headers, "Content-Type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    oversized = json.dumps({"name": "x" * (settings.max_body_bytes + 10)}).encode()
    body = problem(await client.post(TOKENS, content=oversized, headers=headers))
    assert body["status"] == 413 and body["type"].endswith(":body-too-large")


async def token_count(db: Database, person_id: int) -> int:
    async with db.connection() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM api_tokens WHERE person_id = $1", person_id)
    return count


async def test_the_same_idempotency_key_and_body_replays_the_stored_response_and_acts_once(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person("hr", password=None)
    headers = {**someone.headers, "Idempotency-Key": "create-a-team"}
    first = await client.post("/api/v1/teams", json={"name": "Ventes"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await client.post("/api/v1/teams", json={"name": "Ventes"}, headers=headers)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["content-type"] == first.headers["content-type"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM teams WHERE name = 'Ventes'") == 1


async def test_the_same_idempotency_key_with_another_body_is_a_409(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(password=None)
    headers = {**someone.headers, "Idempotency-Key": "create-a-token"}
    assert (await client.post(TOKENS, json={"name": "laptop"}, headers=headers)).status_code == 201
    body = problem(await client.post(TOKENS, json={"name": "phone"}, headers=headers))
    assert body["status"] == 409 and body["type"] == "urn:advocacy:problem:idempotency-key-reused"
    assert await token_count(db, someone.person_id) == 2


async def test_idempotency_keys_belong_to_the_caller(client: Any, factory: Factory, db: Database) -> None:
    ana, bob = await factory.person(password=None), await factory.person(password=None)
    key = {"Idempotency-Key": "same-key"}
    assert (await client.post(TOKENS, json={"name": "a"}, headers={**ana.headers, **key})).status_code == 201
    bobs = await client.post(TOKENS, json={"name": "a"}, headers={**bob.headers, **key})
    assert bobs.status_code == 201 and "idempotent-replayed" not in bobs.headers
    assert await token_count(db, bob.person_id) == 2


async def test_a_refused_request_is_replayed_as_refused_and_changes_nothing(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(password=None)
    headers = {**someone.headers, "Idempotency-Key": "bad-body"}
    first = await client.post(TOKENS, json={"name": ""}, headers=headers)
    second = await client.post(TOKENS, json={"name": ""}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.json() == first.json()
    assert await token_count(db, someone.person_id) == 1


async def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client: Any) -> None:
    fresh = await client.get("/healthz")
    assert len(fresh.headers["x-request-id"]) >= 16
    assert (await client.get("/healthz")).headers["x-request-id"] != fresh.headers["x-request-id"]
    kept = await client.get("/healthz", headers={"X-Request-ID": "lb-1234-abcd"})
    assert kept.headers["x-request-id"] == "lb-1234-abcd"
    insane = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert insane.headers["x-request-id"] != "<script>"
    refused = await client.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["x-request-id"]
    unrouted = await client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "lost-1234"})
    assert unrouted.status_code == 404 and unrouted.headers["x-request-id"] == "lost-1234"
    wrong_method = await client.delete("/healthz")
    assert wrong_method.status_code == 405 and wrong_method.headers["x-request-id"]


@pytest.fixture
async def logging_client(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings.replace(access_log=True))) as client:
        yield client


async def test_log_lines_carry_the_request_id(logging_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    with caplog.at_level(logging.INFO, logger="advocacy.access"):
        response = await logging_client.get("/healthz", headers={"X-Request-ID": "trace-me-0042"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    [entry] = [line for line in lines if line.get("path") == "/healthz"]
    assert entry["request_id"] == "trace-me-0042"
    assert (entry["logger"], entry["status"], entry["method"]) == ("advocacy.access", 200, "GET")


async def test_a_cursor_this_api_did_not_give_out_is_a_422_problem(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin", password=None)
    for cursor in ("not-a-cursor", "WyJ4Il0", "e30"):
        body = problem(await client.get("/api/v1/people", params={"cursor": cursor}, headers=admin.headers))
        assert body["status"] == 422 and "cursor" in body["detail"]


async def test_cursor_pagination_walks_every_person_exactly_once(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin", password=None)
    everyone = {admin.person.email} | {(await factory.person(password=None)).person.email for _ in range(7)}
    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/people", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        seen += [p["email"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(everyone) and len(seen) == len(set(seen))


async def test_a_limit_out_of_range_is_a_422(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin", password=None)
    response = await client.get("/api/v1/people", params={"limit": 100000}, headers=admin.headers)
    assert problem(response)["status"] in (400, 422)


async def test_healthz_answers_while_the_process_lives(client: Any) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_readyz_checks_postgresql_redis_and_migrations(client: Any) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"postgresql": "ok", "migrations": "ok", "redis": "ok"},
    }


def requests_counted(text: str, route: str) -> dict[tuple[str, str], float]:
    """(method, status) -> count of advocacy_http_requests_total for one route template."""
    families = {f.name: f for f in text_string_to_metric_families(text)}
    if "advocacy_http_requests" not in families:
        return {}
    return {
        (s.labels["method"], s.labels["status"]): s.value
        for s in families["advocacy_http_requests"].samples
        if s.name == "advocacy_http_requests_total" and s.labels["route"] == route
    }


METRICS_TOKEN = "metrics-" + "m" * 32


@pytest.fixture
async def metered(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of an app whose /metrics wants METRICS_TOKEN."""
    async with AsyncTestClient(app=create_app(settings.replace(metrics_token=METRICS_TOKEN))) as test_client:
        yield test_client


async def test_metrics_count_requests_per_route_template_and_outbox_rows(
    metered: Any, factory: Factory, db: Database
) -> None:
    client = metered
    scrape = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    admin = await factory.person("admin", password=None)
    async with db.transaction() as conn:
        await enqueue(conn, "test.metrics", {})
    route = "/api/v1/people/{person_id}"
    before = requests_counted((await client.get("/metrics", headers=scrape)).text, route)
    for _ in range(2):
        await client.get(f"/api/v1/people/{admin.person.id}", headers=admin.headers)
    await client.get(f"/api/v1/people/{admin.person.id}")
    response = await client.get("/metrics", headers=scrape)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = requests_counted(response.text, route)
    assert after.get(("GET", "200"), 0) - before.get(("GET", "200"), 0) == 2
    assert after.get(("GET", "401"), 0) - before.get(("GET", "401"), 0) == 1
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert "advocacy_http_request_duration_seconds" in families
    outbox = {s.labels["status"]: s.value for s in families["advocacy_outbox_rows"].samples}
    assert outbox == {"pending": 1.0, "enqueued": 0.0, "done": 0.0, "parked": 0.0}


async def test_the_api_docs_describe_every_api_route_with_its_bodies(client: Any, app: Litestar) -> None:
    response = await client.get(f"{API_DOCS_PATH}/openapi.json")
    assert response.status_code == 200, response.text[:500]
    document = response.json()
    assert document["openapi"].startswith("3.1")
    api_routes = {
        path
        for path, handler in route_handlers(app)
        if path.startswith("/api/v1") and handler.include_in_schema
    }
    documented = {re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path) for path in document["paths"]}
    assert {re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", p) for p in api_routes} <= documented
    create_version = document["paths"]["/api/v1/charters"]["post"]
    assert "requestBody" in create_version
    ui = await client.get(API_DOCS_PATH)
    assert ui.status_code == 200 and "text/html" in ui.headers["content-type"]


async def test_a_problem_speaks_the_language_the_caller_accepts(client: Any, factory: Factory) -> None:
    someone = await factory.person(password=None)
    missing = "/api/v1/shares/00000000-0000-0000-0000-000000000000"
    english = problem(await client.get(missing, headers=someone.headers))
    french = problem(
        await client.get(missing, headers={**someone.headers, "Accept-Language": "fr-FR,fr;q=0.9"})
    )
    assert english["title"] == "Not found" and english["detail"] == "There is no such share of yours"
    assert french["title"] == "Introuvable" and french["detail"] == "Ce partage n'existe pas"
    assert french["type"] == english["type"]


async def test_refusals_before_the_handler_speak_the_callers_language_too(
    client: Any, factory: Factory
) -> None:
    anonymous = problem(await client.get("/api/v1/me", headers={"Accept-Language": "fr"}))
    assert anonymous["status"] == 401 and anonymous["detail"].startswith("Connectez-vous")
    someone = await factory.person(password=None)
    needs_admin = problem(
        await client.get("/api/v1/admin/outbox", headers={**someone.headers, "Accept-Language": "fr"})
    )
    assert needs_admin["status"] == 403 and needs_admin["detail"] == "Il faut le rôle admin"
    in_english = problem(await client.get("/api/v1/admin/outbox", headers=someone.headers))
    assert in_english["detail"] == "This needs the admin role"
