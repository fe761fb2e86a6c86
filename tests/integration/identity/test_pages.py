"""The identity web pages work without JavaScript: forms with labels, errors next to their field and in a
summary, in the reader's language; the same refusals as the API."""

from __future__ import annotations

import re
from typing import Any

from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.identity.mailer import Outbox, text_of, token_in

GOOD = "plum orchard at dusk"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def invitation_link_token(
    client: Any, factory: Factory, db: Database, settings: Settings, **person: Any
) -> str:
    hr = await factory.person("hr")
    someone = await factory.person(**person)
    created = await client.post(
        "/api/v1/invitations", json={"person_ids": [str(someone.person.id)]}, headers=hr.headers
    )
    assert created.status_code == 201
    [message] = await Outbox().deliver(db, settings)
    return token_in(message, "/invitation")


async def test_the_invitation_page_sets_a_password_and_shows_a_weak_one_next_to_its_field(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    token = await invitation_link_token(
        client, factory, db, settings, email="ana@example.com", display_name="Ana Martin", language="en"
    )
    page = await client.get(f"/invitation?token={token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Welcome, Ana Martin" in page.text
    assert (
        'for="password">New password</label>' in page.text
        and page.headers["referrer-policy"] == "no-referrer"
    )
    weak = await client.post(
        "/invitation", data={"token": token, "password": "qwerty123456"}, headers={"Accept-Language": "en"}
    )
    assert weak.status_code == 422
    assert 'class="error-summary"' in weak.text and 'href="#password"' in weak.text
    assert 'id="password-error"' in weak.text and "too easy to guess" in weak.text
    done = await client.post("/invitation", data={"token": token, "password": GOOD})
    assert done.status_code == 200 and 'href="/login"' in done.text
    signed_in = await client.post(
        "/login", data={"email": "ana@example.com", "password": GOOD}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    used = await client.get(f"/invitation?token={token}", headers={"Accept-Language": "en"})
    assert used.status_code == 410 and "already used" in used.text


async def test_the_pages_speak_french_to_a_french_browser(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    token = await invitation_link_token(client, factory, db, settings, display_name="Ana Martin")
    page = await client.get(f"/invitation?token={token}", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert (
        '<html lang="fr">' in page.text
        and "Bienvenue, Ana Martin" in page.text
        and "Nouveau mot de passe" in page.text
    )
    short = await client.post(
        "/invitation", data={"token": token, "password": "court"}, headers={"Accept-Language": "fr"}
    )
    assert "Utilisez au moins 12 caractères" in short.text


async def test_forgot_and_reset_pages_answer_the_same_for_an_unknown_address_and_set_a_new_password(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    await factory.person(email="ana@example.com", password="correct horse battery", language="en")
    form = await client.get("/password/forgot", headers={"Accept-Language": "en"})
    assert form.status_code == 200 and 'for="email">' in form.text
    known = await client.post(
        "/password/forgot", data={"email": "ana@example.com"}, headers={"Accept-Language": "en"}
    )
    unknown = await client.post(
        "/password/forgot", data={"email": "nobody@example.com"}, headers={"Accept-Language": "en"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ana@example.com", "X") == unknown.text.replace("nobody@example.com", "X")
    [message] = await Outbox().deliver(db, settings)
    token = token_in(message, "/password/reset")
    page = await client.get(f"/password/reset?token={token}")
    assert page.status_code == 200 and 'name="token"' in page.text
    done = await client.post("/password/reset", data={"token": token, "password": GOOD})
    assert done.status_code == 200
    again = await client.get(f"/password/reset?token={token}", headers={"Accept-Language": "en"})
    assert again.status_code == 410 and 'href="/password/forgot"' in again.text
    assert (
        await client.post(
            "/login", data={"email": "ana@example.com", "password": GOOD}, follow_redirects=False
        )
    ).status_code == 303
    notices = await Outbox().deliver(db, settings)
    assert "/password/forgot" in text_of(notices[0])


async def test_the_change_password_page_asks_for_the_current_one(client: Any, factory: Factory) -> None:
    await factory.person(email="ana@example.com", password="correct horse battery", language="en")
    assert (await client.get("/account/password", follow_redirects=False)).status_code in (302, 303)
    await client.post(
        "/login",
        data={"email": "ana@example.com", "password": "correct horse battery"},
        follow_redirects=False,
    )
    page = await client.get("/account/password")
    assert page.status_code == 200 and 'for="current_password">Current password</label>' in page.text
    csrf = csrf_of(page.text)
    wrong = await client.post(
        "/account/password", data={"csrf": csrf, "current_password": "nope nope nope", "new_password": GOOD}
    )
    assert wrong.status_code == 422 and 'id="current_password-error"' in wrong.text
    forged = await client.post(
        "/account/password",
        data={"csrf": "forged", "current_password": "correct horse battery", "new_password": GOOD},
    )
    assert forged.status_code == 403
    changed = await client.post(
        "/account/password",
        data={"csrf": csrf, "current_password": "correct horse battery", "new_password": GOOD},
    )
    assert changed.status_code == 200 and "Your password is changed" in changed.text
    assert (await client.get("/")).status_code == 200  # this session stays


async def test_the_login_page_links_to_forgot_password(client: Any) -> None:
    page = await client.get("/login")
    assert 'href="/password/forgot"' in page.text
