"""The web pages: sign in with a form (session cookie), see who you are, opt in with a CSRF-protected form."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import Factory


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def sign_in(client: Any, email: str, password: str = "correct horse battery") -> Any:
    return await client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


async def test_the_home_page_sends_a_signed_out_visitor_to_the_login_page(client: Any) -> None:
    response = await client.get("/", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login"
    login = await client.get("/login")
    assert login.status_code == 200 and 'name="password"' in login.text


async def test_the_login_form_signs_in_and_the_home_page_greets_the_person(
    client: Any, factory: Factory
) -> None:
    await factory.charter()
    await factory.person(
        password="correct horse battery", email="ana@example.com", display_name="Ana Martin", language="en"
    )
    response = await sign_in(client, "ana@example.com")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (
        "advocacy_session=" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    )
    home = await client.get("/")
    assert home.status_code == 200
    assert "Ana Martin" in home.text
    assert 'action="/ambassador"' in home.text and "I accept the charter and opt in" in home.text


async def test_a_wrong_password_on_the_form_shows_the_form_again_without_a_session(
    client: Any, factory: Factory
) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com", language="en")
    response = await sign_in(client, "ana@example.com", "not the password")
    assert response.status_code == 422
    assert 'name="password"' in response.text and "set-cookie" not in response.headers
    assert (await client.get("/", follow_redirects=False)).status_code in (302, 303)


async def test_the_opt_in_form_works_with_the_csrf_field_and_is_refused_without_it(
    client: Any, factory: Factory
) -> None:
    charter = await factory.charter()
    await factory.person(password="correct horse battery", email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    csrf = csrf_of((await client.get("/")).text)
    for forged in (
        {"charter_version": str(charter.version)},
        {"csrf": "guess", "charter_version": str(charter.version)},
    ):
        refused = await client.post("/ambassador", data=forged, follow_redirects=False)
        assert refused.status_code == 403
    me = (await client.get("/api/v1/me")).json()
    assert me["ambassador"]["is_ambassador"] is False
    accepted = await client.post(
        "/ambassador", data={"csrf": csrf, "charter_version": str(charter.version)}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert (await client.get("/api/v1/me")).json()["ambassador"]["is_ambassador"] is True


async def test_the_opt_out_form_needs_the_csrf_field_too(client: Any, factory: Factory) -> None:
    someone = await factory.person(password="correct horse battery", email="ana@example.com", ambassador=True)
    await sign_in(client, "ana@example.com")
    csrf = csrf_of((await client.get("/")).text)
    assert (await client.post("/ambassador/opt-out", data={}, follow_redirects=False)).status_code == 403
    assert (await client.get("/api/v1/me", headers=someone.headers)).json()["ambassador"][
        "is_ambassador"
    ] is True
    done = await client.post("/ambassador/opt-out", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert (await client.get("/api/v1/me", headers=someone.headers)).json()["ambassador"][
        "is_ambassador"
    ] is False


async def test_names_are_escaped_in_pages(client: Any, factory: Factory) -> None:
    await factory.person(
        password="correct horse battery", email="eve@example.com", display_name="<script>alert(1)</script>"
    )
    await sign_in(client, "eve@example.com")
    home = (await client.get("/")).text
    assert "<script>alert(1)</script>" not in home and "&lt;script&gt;" in home


async def test_signing_out_ends_the_session_even_for_a_kept_copy_of_the_cookie(
    client: Any, factory: Factory
) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com")
    await sign_in(client, "ana@example.com")
    kept = client.cookies.get("advocacy_session")
    csrf = csrf_of((await client.get("/")).text)
    response = await client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/", follow_redirects=False)).status_code in (302, 303)
    client.cookies.set("advocacy_session", kept)
    assert (await client.get("/", follow_redirects=False)).status_code in (302, 303)


async def test_pages_speak_the_language_the_visitor_or_the_person_chose(
    client: Any, factory: Factory
) -> None:
    french = await client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    english = await client.get("/login", headers={"Accept-Language": "en-GB"})
    assert (
        '<html lang="fr">' in french.text and "Se connecter" in french.text and "Mot de passe" in french.text
    )
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    await factory.person(password="correct horse battery", email="lea@example.com", language="fr")
    refused = await client.post(
        "/login", data={"email": "lea@example.com", "password": "wrong"}, headers={"Accept-Language": "fr"}
    )
    assert "L&#39;e-mail ou le mot de passe est incorrect." in refused.text
    await sign_in(client, "lea@example.com")
    home = await client.get("/", headers={"Accept-Language": "en"})
    assert "Bonjour" in home.text and "Se déconnecter" in home.text
