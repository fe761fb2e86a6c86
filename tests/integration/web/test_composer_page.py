"""The composer without JavaScript: tabs per network, the caption as the item's policy says, the charter's
findings marked in the text with their fixes (the "Check", fix and disclosure buttons post the form), the
network's count, sharing through the shares service, then "I posted it" with a checked post address."""

from __future__ import annotations

import re
from typing import Any

from advocacy.shares.limits import SharingSettings
from advocacy.shares.preferences import set_sharing_settings
from tests.factories import Factory
from tests.integration.content.conftest import Library
from tests.integration.web.pages import PASSWORD, csrf_of, sign_in

RULES = {"links": {"shorteners": ["bit.ly"]}, "disclosure": {"rewards_sharing": True}}
LINK = "https://www.example.com/news/1"


async def composer(client: Any, factory: Factory, library: Library, **fields: Any) -> tuple[str, str]:
    """An ambassador signed in, and the composer's address of an approved post."""
    await factory.charter(rules=RULES)
    item = await library.approved(title="Nouveaux bureaux", link=LINK, **fields)
    await factory.person(password=PASSWORD, email="ana@example.com", ambassador=True, language="fr")
    await sign_in(client, "ana@example.com")
    return f"/compose/{item.id}", csrf_of((await client.get("/feed")).text)


async def test_the_feed_card_leads_to_the_composer_with_a_tab_per_network_the_post_allows(
    client: Any, factory: Factory, library: Library
) -> None:
    path, _ = await composer(client, factory, library, networks=["linkedin", "x"])
    assert f'href="{path}"' in (await client.get("/feed")).text
    page = await client.get(path + "?network=x")
    assert page.status_code == 200
    tabs = re.findall(r'<li><a href="[^"]*\?network=(\w+)"( aria-current="page")?>', page.text)
    assert tabs == [("linkedin", ""), ("x", ' aria-current="page"')]
    assert ">\nBonjour</textarea>" in page.text  # the item's caption, for X
    # X counts the link the share page adds as 23, and "Bonjour" as 7 (advocacy/charter/networks.py)
    assert re.search(r"<span data-count>31</span> / 280", page.text), page.text
    # another tab keeps what was typed (composer.js sends it along)
    carried = await client.get(path + "?network=linkedin&caption=Mon+texte")
    assert ">\nMon texte</textarea>" in carried.text


async def test_check_marks_what_the_charter_blocks_then_a_fix_and_the_disclosure_make_it_pass(
    client: Any, factory: Factory, library: Library
) -> None:
    path, csrf = await composer(client, factory, library, caption_policy="editable")
    form = {"csrf": csrf, "network": "linkedin", "caption": "Lisez bit.ly/abc", "action": "check"}
    checked = await client.post(path, data=form)
    assert checked.status_code == 200
    assert '<mark class="finding finding--block">bit.ly/abc</mark>' in checked.text
    assert "Raccourcisseur de lien (bit.ly)" in checked.text and "#collaborateur" in checked.text
    fix = re.search(r'name="fix" value="(\d+)"', checked.text)
    assert fix is not None
    fixed = await client.post(path, data={**form, "fix": fix.group(1), "action": ""})
    assert f">\nLisez {LINK}</textarea>" in fixed.text
    disclosed = await client.post(path, data={**form, "caption": f"Lisez {LINK}", "action": "disclose"})
    assert f">\nLisez {LINK} #collaborateur</textarea>" in disclosed.text
    assert "La charte ne trouve rien à changer." in disclosed.text and "<mark" not in disclosed.text


async def test_a_blocked_share_is_refused_next_to_the_caption_and_a_clean_one_goes_to_its_share_page(
    client: Any, factory: Factory, library: Library
) -> None:
    path, csrf = await composer(client, factory, library)
    form = {"csrf": csrf, "network": "linkedin", "caption": "Lisez bit.ly/abc", "action": "share"}
    refused = await client.post(path, data=form)
    assert refused.status_code == 422
    assert 'id="caption-error"' in refused.text and "bit.ly/abc</textarea>" in refused.text

    shared = await client.post(
        path, data={**form, "caption": "Lisez ceci\r\nvite #collaborateur"}, follow_redirects=False
    )
    assert shared.status_code == 303
    out = shared.headers["location"]
    assert re.fullmatch(r"/compose/shares/[0-9a-f-]{36}", out)
    page = await client.get(out)
    assert "Approuvé, prêt à publier" in page.text
    assert 'href="https://www.linkedin.com/sharing/share-offsite/?url=' in page.text
    assert 'target="_blank"' in page.text and "Lisez ceci\nvite #collaborateur</textarea>" in page.text

    wrong = await client.post(out + "/confirm", data={"csrf": csrf, "post_url": "https://example.com/p/1"})
    # the post's address must be one of the network's
    assert wrong.status_code == 422 and 'id="post_url-error"' in wrong.text
    post = "https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000001/"
    confirmed = await client.post(
        out + "/confirm", data={"csrf": csrf, "post_url": post}, follow_redirects=False
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == out + "?done=posted"
    done = await client.get(confirmed.headers["location"])
    assert "Merci : votre publication est enregistrée" in done.text and ">Publié<" in done.text


async def test_a_locked_caption_cannot_be_changed_in_the_composer(
    client: Any, factory: Factory, library: Library
) -> None:
    path, csrf = await composer(client, factory, library, caption_policy="locked")
    page = await client.get(path)
    assert re.search(r"<textarea[^>]*\sreadonly[^>]*>\nBonjour</textarea>", page.text)
    posted = await client.post(path, data={"csrf": csrf, "network": "linkedin", "caption": "Autre chose"})
    assert ">\nBonjour</textarea>" in posted.text  # the approved caption, not what was sent


async def test_a_post_outside_my_feed_is_not_found(client: Any, factory: Factory, library: Library) -> None:
    await composer(client, factory, library)
    draft = await library.draft(title="Pas encore")
    assert (await client.get(f"/compose/{draft.id}")).status_code == 404


async def test_a_share_the_daily_limit_holds_back_can_be_scheduled_for_when_it_may_go(
    client: Any, factory: Factory, library: Library, db: Any
) -> None:
    path, csrf = await composer(client, factory, library)
    other = await library.approved(title="Encore", link=LINK)
    curator = await library.curator()
    await set_sharing_settings(db, SharingSettings(max_shares_per_day=1), actor_id=curator.person_id)
    form = {"csrf": csrf, "network": "linkedin", "caption": "Lisez #collaborateur", "action": "share"}
    assert (await client.post(path, data=form, follow_redirects=False)).status_code == 303
    held_back = await client.post(f"/compose/{other.id}", data=form)
    assert held_back.status_code == 409 and 'id="schedule-error"' in held_back.text
    scheduled = await client.post(f"/compose/{other.id}", data={**form, "schedule": "yes"})
    assert scheduled.status_code == 200 and ">Programmé<" in scheduled.text
