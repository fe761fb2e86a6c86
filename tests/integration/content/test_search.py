"""Library search: French and English full text, accent-insensitive, with filters and a cursor."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.content.conftest import Library


async def found(client: AsyncTestClient[Litestar], library: Library, query: str) -> list[str]:
    curator = await library.curator()
    response = await client.get(f"/api/v1/content/items?{query}", headers=curator.headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_french_words_match_without_accents_and_across_inflections(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    await library.draft(
        title="Résultats", captions=[{"language": "fr", "body": "Nos équipes ont présenté les élections"}]
    )
    await library.draft(title="Other", captions=[{"language": "en", "body": "Nothing to see"}])
    assert await found(client, library, "q=election") == ["Résultats"]
    assert await found(client, library, "q=équipe") == ["Résultats"]
    assert await found(client, library, "q=EQUIPES") == ["Résultats"]


async def test_english_words_match_across_inflections(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    await library.draft(title="Hiring", captions=[{"language": "en", "body": "We are hiring engineers"}])
    assert await found(client, library, "q=engineer") == ["Hiring"]
    assert await found(client, library, "q=hire") == ["Hiring"]


async def test_filters_by_status_tag_and_language(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    await library.approved(title="approved", tags=["rh"])
    await library.draft(title="draft en", captions=[{"language": "en", "body": "x"}])
    assert await found(client, library, "status=approved") == ["approved"]
    assert await found(client, library, "tag=rh") == ["approved"]
    assert await found(client, library, "language=en&status=draft") == ["draft en"]


async def test_search_pages_with_a_cursor(client: AsyncTestClient[Litestar], library: Library) -> None:
    for n in range(3):
        await library.draft(title=f"p{n}")
    curator = await library.curator()
    first = (await client.get("/api/v1/content/items?limit=2", headers=curator.headers)).json()
    assert [i["title"] for i in first["items"]] == ["p2", "p1"]
    second = (
        await client.get(
            f"/api/v1/content/items?limit=2&cursor={first['next_cursor']}", headers=curator.headers
        )
    ).json()
    assert [i["title"] for i in second["items"]] == ["p0"]
    assert second["next_cursor"] is None
