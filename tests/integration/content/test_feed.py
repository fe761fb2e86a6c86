"""The employee feed: ambassadors only, live approved items in their audience and language, in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.db.pool import Database
from advocacy.people import service as people
from content_library.feed import service
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.content.conftest import Library


def titles(response: object) -> list[str]:
    return [entry["title"] for entry in response.json()["items"]]  # type: ignore[attr-defined]


async def test_someone_who_has_not_opted_in_is_told_to_opt_in(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    employee = await factory.person("employee")
    response = await client.get("/api/v1/feed", headers=employee.headers)
    assert response.status_code == 403
    assert problem(response)["type"].endswith("not-an-ambassador")


async def test_only_live_approved_items_appear_pinned_first_then_newest(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    now = datetime.now(UTC)
    await library.approved(title="old", starts_at=(now - timedelta(days=3)).isoformat())
    await library.approved(title="new", starts_at=(now - timedelta(days=1)).isoformat())
    await library.approved(title="pinned", pinned=True, starts_at=(now - timedelta(days=9)).isoformat())
    await library.approved(title="future", starts_at=(now + timedelta(days=1)).isoformat())
    await library.approved(
        title="expired",
        starts_at=(now - timedelta(days=5)).isoformat(),
        expires_at=(now - timedelta(hours=1)).isoformat(),
    )
    await library.draft(title="draft")
    ambassador = await factory.person("employee", ambassador=True)
    response = await client.get("/api/v1/feed", headers=ambassador.headers)
    assert response.status_code == 200, response.text
    assert titles(response) == ["pinned", "new", "old"]


async def test_the_audience_limits_who_sees_an_item(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory, db: Database
) -> None:
    sales = await factory.person("employee", team="Sales", location="Paris", ambassador=True)
    tech = await factory.person("employee", team="Tech", location="Lyon", ambassador=True)
    async with db.connection() as conn:
        sales_team = await conn.fetchval("SELECT public_id FROM teams WHERE name = 'Sales'")
    await library.approved(title="for sales", audience={"teams": [str(sales_team)]})
    await library.approved(title="for lyon", audience={"locations": ["lyon"]})
    await library.approved(title="for everyone")
    assert sorted(titles(await client.get("/api/v1/feed", headers=sales.headers))) == [
        "for everyone",
        "for sales",
    ]
    assert sorted(titles(await client.get("/api/v1/feed", headers=tech.headers))) == [
        "for everyone",
        "for lyon",
    ]


async def test_captions_come_in_the_readers_language_falling_back_to_the_default_language(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    await library.approved(
        title="both",
        captions=[
            {"language": "fr", "body": "Bonjour"},
            {"language": "en", "body": "Hello"},
            {"language": "en", "network": "x", "body": "Hi on X"},
        ],
    )
    await library.approved(
        title="french only", captions=[{"language": "fr", "body": "Seulement en français"}]
    )
    english = await factory.person("employee", language="en", ambassador=True)
    entries = (await client.get("/api/v1/feed", headers=english.headers)).json()["items"]
    by_title = {e["title"]: e for e in entries}
    assert by_title["both"]["language"] == "en"
    assert by_title["both"]["captions"]["linkedin"] == "Hello"
    assert by_title["both"]["captions"]["x"] == "Hi on X"
    assert by_title["french only"]["language"] == "fr"
    assert by_title["french only"]["captions"]["default"] == "Seulement en français"


async def test_an_item_for_english_readers_only_is_hidden_from_french_readers(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    await library.approved(title="en only", audience={"languages": ["en"]})
    french = await factory.person("employee", language="fr", ambassador=True)
    assert titles(await client.get("/api/v1/feed", headers=french.headers)) == []


async def test_the_feed_filters_by_tag_and_network_and_searches(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    await library.approved(title="Élections du CSE", tags=["rh"], networks=["linkedin"])
    await library.approved(title="Nouveau produit", tags=["produit"], networks=["x"])
    ambassador = await factory.person("employee", ambassador=True)
    assert titles(await client.get("/api/v1/feed?tag=rh", headers=ambassador.headers)) == ["Élections du CSE"]
    assert titles(await client.get("/api/v1/feed?network=x", headers=ambassador.headers)) == [
        "Nouveau produit"
    ]
    assert titles(await client.get("/api/v1/feed?q=election", headers=ambassador.headers)) == [
        "Élections du CSE"
    ]


async def test_the_feed_pages_with_a_cursor_without_repeats(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    for n in range(5):
        await library.approved(title=f"post {n}", pinned=n == 2)
    ambassador = await factory.person("employee", ambassador=True)
    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/v1/feed?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=ambassador.headers)).json()
        seen += [e["title"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["post 2", "post 4", "post 3", "post 1", "post 0"]


async def test_entries_say_whether_already_shared_and_the_caption_policy(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    await library.approved(title="locked", caption_policy="locked")
    ambassador = await factory.person("employee", ambassador=True)
    entry = (await client.get("/api/v1/feed", headers=ambassador.headers)).json()["items"][0]
    assert entry["caption_policy"] == "locked"
    assert entry["already_shared"] is False


async def test_shareable_item_gives_the_share_flow_caption_policy_and_visibility(
    library: Library, factory: Factory, db: Database
) -> None:
    item = await library.approved(
        title="t",
        captions=[
            {"language": "fr", "body": "Défaut"},
            {"language": "fr", "network": "linkedin", "body": "LinkedIn"},
        ],
        caption_policy="locked",
    )
    person = await factory.person("employee", language="en", ambassador=True)
    async with db.connection() as conn:
        found = await service.shareable_item(
            conn,
            item.id,
            network="linkedin",
            language="en",
            person=await people.audience_of(conn, person.person_id),
            at=datetime.now(UTC),
            default_language="fr",
        )
        assert found is not None
        assert found.caption == "LinkedIn"
        assert found.caption_language == "fr"
        assert found.caption_policy == "locked"
        assert found.live and found.in_audience
        assert found.link_image_path is None
        later = await service.shareable_item(
            conn,
            item.id,
            network="x",
            language="fr",
            person=await people.audience_of(conn, person.person_id),
            at=datetime.now(UTC) + timedelta(days=1),
            default_language="fr",
        )
        assert later is not None and later.caption == "Défaut"
