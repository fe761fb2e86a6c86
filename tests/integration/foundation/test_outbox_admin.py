"""The outbox as an admin sees it: parked rows are listed with their error and can be put back in the queue."""

from __future__ import annotations

from typing import Any

from advocacy.db.pool import Database
from advocacy.outbox.service import enqueue, run_row
from tests.conftest import problem
from tests.factories import Factory

OUTBOX = "/api/v1/admin/outbox"


async def parked_row(db: Database) -> int:
    """A row whose job has no handler: the runner parks it at once with the reason."""
    async with db.transaction() as conn:
        row_id = await enqueue(conn, "nobody.handles.this", {"n": 1})
    assert row_id is not None
    assert await run_row(db, row_id, {}, {}, max_attempts=3) == "parked"
    return row_id


async def test_a_parked_row_is_listed_with_its_error(client: Any, factory: Factory, db: Database) -> None:
    admin = await factory.person("admin", password=None)
    row_id = await parked_row(db)
    async with db.transaction() as conn:
        await enqueue(conn, "still.pending", {})
    response = await client.get(OUTBOX, params={"status": "parked"}, headers=admin.headers)
    assert response.status_code == 200, response.text
    [row] = response.json()["items"]
    assert (row["id"], row["job"], row["status"], row["args"]) == (
        row_id,
        "nobody.handles.this",
        "parked",
        {"n": 1},
    )
    assert "no handler" in row["last_error"]
    everything = (await client.get(OUTBOX, headers=admin.headers)).json()["items"]
    assert [r["job"] for r in everything] == ["still.pending", "nobody.handles.this"]  # newest first


async def test_retrying_a_parked_row_puts_it_back_to_pending_with_its_tries_reset(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin", password=None)
    row_id = await parked_row(db)
    response = await client.post(f"{OUTBOX}/{row_id}/retry", headers=admin.headers)
    assert response.status_code == 202, response.text
    assert (await client.get(OUTBOX, params={"status": "parked"}, headers=admin.headers)).json()[
        "items"
    ] == []
    [row] = (await client.get(OUTBOX, params={"status": "pending"}, headers=admin.headers)).json()["items"]
    assert (row["id"], row["attempts"]) == (row_id, 0)


async def test_only_a_parked_row_can_be_retried(client: Any, factory: Factory, db: Database) -> None:
    admin = await factory.person("admin", password=None)
    async with db.transaction() as conn:
        row_id = await enqueue(conn, "still.pending", {})
    assert problem(await client.post(f"{OUTBOX}/{row_id}/retry", headers=admin.headers))["status"] == 404
    assert problem(await client.post(f"{OUTBOX}/999999/retry", headers=admin.headers))["status"] == 404


async def test_an_unknown_status_filter_is_refused(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin", password=None)
    assert problem(await client.get(OUTBOX, params={"status": "lost"}, headers=admin.headers))["status"] in (
        400,
        422,
    )


async def test_outbox_pages_walk_every_row_once(client: Any, factory: Factory, db: Database) -> None:
    admin = await factory.person("admin", password=None)
    async with db.transaction() as conn:
        ids = [await enqueue(conn, "job", {"i": i}) for i in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(OUTBOX, params=params, headers=admin.headers)).json()
        seen += [r["id"] for r in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == sorted(ids, reverse=True)  # type: ignore[type-var]
