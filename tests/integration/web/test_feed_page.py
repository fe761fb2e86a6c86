"""The feed page: the same posts as GET /api/v1/feed as cards, search, filters by campaign, network and
language, paging, my shared posts marked, and ambassadors only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from content_library.campaigns.schemas import CampaignCreate
from content_library.campaigns.service import create_campaign
from tests.factories import Factory
from tests.integration.content.conftest import Library
from tests.integration.web.pages import PASSWORD, csrf_of, sign_in


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title">([^<]*)</h3>', html)


async def ambassador(factory: Factory, **extra: Any) -> Any:
    return await factory.person(password=PASSWORD, email="ana@example.com", ambassador=True, **extra)


async def test_someone_who_has_not_opted_in_is_sent_to_getting_started(client: Any, factory: Factory) -> None:
    await factory.charter()
    await factory.person(password=PASSWORD, email="ana@example.com")
    await sign_in(client, "ana@example.com")
    response = await client.get("/feed", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_the_page_shows_the_api_s_feed_in_the_same_order(
    client: Any, factory: Factory, library: Library
) -> None:
    now = datetime.now(UTC)
    await library.approved(title="old", starts_at=(now - timedelta(days=3)).isoformat())
    await library.approved(title="new", starts_at=(now - timedelta(days=1)).isoformat())
    await library.approved(title="pinned", pinned=True, starts_at=(now - timedelta(days=9)).isoformat())
    await library.draft(title="draft")
    someone = await ambassador(factory, language="en")
    await sign_in(client, "ana@example.com")
    page = await client.get("/feed")
    assert page.status_code == 200
    api = (await client.get("/api/v1/feed", headers=someone.headers)).json()
    assert card_titles(page.text) == [entry["title"] for entry in api["items"]] == ["pinned", "new", "old"]
    assert "Pinned" in page.text and "Hello" in page.text  # the caption in my language


async def test_search_and_filters_narrow_the_cards_and_keep_what_was_chosen(
    client: Any, factory: Factory, library: Library, db: Any
) -> None:
    curator = await library.curator()
    campaign = await create_campaign(
        db, CampaignCreate(slug="rentree", name="La rentrée"), actor_id=curator.person_id
    )
    await library.approved(title="Vélo au travail", campaign=str(campaign.id), networks=["linkedin"])
    await library.approved(title="Nouveaux bureaux", networks=["x"])
    await library.approved(title="English only", captions=[{"language": "en", "body": "Only in English"}])
    await ambassador(factory, language="fr")
    await sign_in(client, "ana@example.com")
    assert card_titles((await client.get("/feed", params={"q": "vélo"})).text) == ["Vélo au travail"]
    by_campaign = (await client.get("/feed", params={"campaign": "rentree"})).text
    assert card_titles(by_campaign) == ["Vélo au travail"] and "Campagne : La rentrée" in by_campaign
    assert '<option value="rentree" selected>' in by_campaign
    assert card_titles((await client.get("/feed", params={"network": "x"})).text) == ["Nouveaux bureaux"]
    english = (await client.get("/feed", params={"language": "en"})).text
    assert "English only" not in card_titles(english)  # not in my languages (fr, the default fr)
    assert 'lang="en">Hello' in english and "Bonjour" not in english
    nothing = (await client.get("/feed", params={"q": "introuvable"})).text
    assert card_titles(nothing) == [] and "Aucune publication ne correspond" in nothing


async def test_a_filter_the_api_refuses_is_said_next_to_its_field(
    client: Any, factory: Factory, library: Library
) -> None:
    await ambassador(factory, language="en")
    await sign_in(client, "ana@example.com")
    response = await client.get("/feed", params={"network": "myspace", "q": "kept"})
    assert response.status_code == 422
    assert 'id="network-error"' in response.text and "Choose a network from the list" in response.text
    assert 'value="kept"' in response.text
    bad_cursor = await client.get("/feed", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.text


async def test_pages_follow_each_other_with_the_filters_kept(
    client: Any, factory: Factory, library: Library
) -> None:
    now = datetime.now(UTC)
    for n in range(14):
        await library.approved(
            title=f"post {n:02}", networks=["linkedin"], starts_at=(now - timedelta(hours=n)).isoformat()
        )
    await ambassador(factory, language="en")
    await sign_in(client, "ana@example.com")
    first = (await client.get("/feed", params={"network": "linkedin"})).text
    assert card_titles(first) == [f"post {n:02}" for n in range(12)]
    next_href = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_href and "network=linkedin" in next_href.group(1)
    second = (await client.get(next_href.group(1).replace("&amp;", "&"))).text
    assert card_titles(second) == ["post 12", "post 13"]
    assert 'rel="next"' not in second and 'href="/feed?network=linkedin">' in second


async def test_a_post_i_shared_is_marked(client: Any, factory: Factory, library: Library) -> None:
    await factory.charter()
    item = await library.approved(title="shared one", link="https://example.com/news")
    await library.approved(title="not shared")
    someone = await ambassador(factory, language="en")
    shared = await client.post(
        "/api/v1/shares",
        json={"item": str(item.id), "network": "x", "caption": "Good news for our customers"},
        headers=someone.headers,
    )
    assert shared.status_code == 201, shared.text
    await sign_in(client, "ana@example.com")
    html = (await client.get("/feed")).text
    cards = html.split('<article class="card">')[1:]
    marked = {card_titles(card)[0]: "You shared this" in card for card in cards}
    assert marked == {"shared one": True, "not shared": False}


async def test_readers_of_one_cached_page_each_get_their_own_name_and_csrf_token(
    client: Any, factory: Factory, library: Library
) -> None:
    await library.approved(title="Shared by all")
    await factory.person(
        password=PASSWORD, email="ana@example.com", ambassador=True, display_name='Ana <b>"&'
    )
    await factory.person(password=PASSWORD, email="bob@example.com", ambassador=True, display_name="Bob")
    pages = {}
    for email in ("ana@example.com", "bob@example.com", "ana@example.com"):
        client.cookies.clear()
        await sign_in(client, email)
        first = (await client.get("/feed")).text
        pages.setdefault(email, []).append(first)
    ana, bob = pages["ana@example.com"][0], pages["bob@example.com"][0]
    assert card_titles(ana) == card_titles(bob) == ["Shared by all"]
    assert "Ana &lt;b&gt;&#34;&amp;" in ana and "Bob" not in ana and "Ana" not in bob
    tokens = {email: csrf_of(html[0]) for email, html in pages.items()}
    assert tokens["ana@example.com"] != tokens["bob@example.com"]
    assert "\ue000" not in ana + bob
    # a page that is not the cached one (a problem in the form) still names its reader
    problem = (await client.get("/feed", params={"network": "nowhere"})).text
    assert "Ana &lt;b&gt;&#34;&amp;" in problem and csrf_of(problem) != tokens["bob@example.com"]
