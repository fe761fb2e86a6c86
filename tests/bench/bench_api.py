"""`api.me_rps`: GET /api/v1/me with a bearer token against a bare Litestar route, same run, same server
setup, measured in alternation (median of three rounds each)."""

from __future__ import annotations

import asyncio

from advocacy.auth.schemas import Principal, TokenCreate
from advocacy.auth.service import create_token
from advocacy.db.pool import Database
from advocacy.people.schemas import PersonCreate
from advocacy.people.service import create_person
from tests.bench._common import record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import Target, interleaved, served


async def _token(stores: BenchStores) -> str:
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    try:
        person = await create_person(
            db, PersonCreate(email="bench@example.com", display_name="Bench", team="Bench"), actor_id=None
        )
        async with db.connection() as conn:
            person_id = await conn.fetchval("SELECT id FROM people WHERE public_id = $1", person.id)
        principal = Principal(
            person_id=person_id, public_id=person.id, email=person.email, display_name="Bench",
            language="fr", roles=frozenset({"employee"}), via="token",
        )  # fmt: skip
        created = await create_token(db, principal, TokenCreate(name="bench"), max_days=365)
        return created.token
    finally:
        await db.close()


def main() -> None:
    with bench_stores() as stores:
        token = asyncio.run(_token(stores))
        with (
            served("tests.bench._apps:bare_app") as bare_base,
            served("tests.bench._apps:real_app", env=stores.env()) as base,
        ):
            me, bare = interleaved(
                Target(url=f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
                Target(url=f"{bare_base}/bare"),
            )
    assert me.errors == 0, f"{me.errors} failed requests on /api/v1/me"
    record("api.me_rps", me.rps, "req/s", "bare Litestar route", bare.rps)
    record("api.me_p99_ms", me.p99_ms, "ms", "bare Litestar route p99", bare.p99_ms)


if __name__ == "__main__":
    main()
