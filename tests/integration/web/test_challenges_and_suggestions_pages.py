"""Challenges (open, coming and finished, my points, the standings) and suggesting a post from a form (a
link and a note, an image or not; problems kept next to their field) with my suggestions' outcomes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.settings import Settings
from content_library.suggestions import service as suggestions
from tests.factories import Factory
from tests.integration.incentives._events import event
from tests.integration.web.pages import PASSWORD, csrf_of, post_form, sign_in


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_challenges_are_grouped_with_my_points_and_each_shows_its_standings(
    client: Any, factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", team="Sales")
    ann = await factory.person(ambassador=True, team="Sales", display_name="Ann", password=PASSWORD,
                               email="ann@example.com", language="en")  # fmt: skip
    teams = {t["name"]: t["id"] for t in (await client.get("/api/v1/teams", headers=hr.headers)).json()}
    now = datetime.now(UTC)
    made = {}
    for name, start, end in (("Open", -1, 7), ("Coming", 3, 10), ("Past", -20, -10)):
        body = {"name_fr": f"Défi {name}", "name_en": f"{name} challenge", "starts_at": _iso(now + timedelta(days=start)),
                "ends_at": _iso(now + timedelta(days=end)), "teams": [teams["Sales"]], "goal": "threshold", "threshold": 20}  # fmt: skip
        created = await client.post("/api/v1/challenges", json=body, headers=hr.headers)
        assert created.status_code == 201, created.text
        made[name] = created.json()["id"]
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, settings.redis_namespace,
            [event("kudos", ann.person_id, points=15, source_type="kudos", occurred_at=now - timedelta(hours=1))],
        )  # fmt: skip
    await sign_in(client, "ann@example.com")
    listing = (await client.get("/challenges")).text
    sections = re.split(r"<h2>", listing)
    assert "Open challenge" in sections[1] and ">15<" in sections[1]
    assert "Coming challenge" in sections[2] and "Past challenge" in sections[3]
    detail = (await client.get(f"/challenges/{made['Open']}")).text
    assert "Everyone who reaches 20 points wins." in detail
    assert re.search(r"Still to earn</dt><dd>5<", detail)
    assert re.search(r'class="is-me".*Ann', detail)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


async def test_an_ambassador_suggests_a_post_with_an_image_and_sees_what_the_curators_decided(
    client: Any, factory: Factory, db: Database
) -> None:
    curator = await factory.person("curator")
    await factory.person(ambassador=True, password=PASSWORD, email="ann@example.com", language="en")
    await sign_in(client, "ann@example.com")
    csrf = csrf_of((await client.get("/suggestions")).text)
    bad = await client.post(
        "/suggestions", data={"csrf": csrf, "link": "not a link", "note": "Worth it"},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="link-error"' in bad.text and ">Worth it</textarea>" in bad.text
    sent = await client.post(
        "/suggestions", data={"csrf": csrf, "link": "https://example.com/news", "note": "Our launch"},
        files={"image": ("launch.png", _png(), "image/png")}, follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == "/suggestions?done=sent"
    mine = await suggestions.suggestions_page(db, person_id=None, status="pending", after_id=None, limit=5)
    assert [s.link for _, s in mine] == ["https://example.com/news"] and mine[0][1].image is not None
    await suggestions.decline_suggestion(db, mine[0][1].id, "Already planned", actor_id=curator.person_id)
    page = (await client.get("/suggestions")).text
    assert "Declined" in page and "Already planned" in page and "with an image" in page


async def test_a_file_that_is_not_an_image_is_refused_next_to_the_image_field(
    client: Any, factory: Factory
) -> None:
    await factory.person(ambassador=True, password=PASSWORD, email="ann@example.com", language="en")
    await sign_in(client, "ann@example.com")
    refused = await post_form(client, "/suggestions", {"link": "https://example.com/a"}, page="/suggestions")
    assert refused.status_code == 303  # no image chosen: the link alone is a suggestion
    csrf = csrf_of((await client.get("/suggestions")).text)
    wrong = await client.post(
        "/suggestions", data={"csrf": csrf, "link": "https://example.com/b"},
        files={"image": ("notes.png", b"%PDF-1.4 not an image", "image/png")},
    )  # fmt: skip
    assert wrong.status_code == 415 and 'id="image-error"' in wrong.text


async def test_someone_who_has_not_opted_in_is_told_to_opt_in_first(client: Any, factory: Factory) -> None:
    await factory.person(password=PASSWORD, email="bea@example.com", language="en")
    await sign_in(client, "bea@example.com")
    page = (await client.get("/suggestions")).text
    assert "Only ambassadors can suggest posts." in page and 'action="/suggestions"' not in page
