"""Signing in and out with forms, the language switch, and getting started: the charter, its training,
the visibility choice and opting in (CSRF-protected forms that call the same services as the API)."""

from __future__ import annotations

from typing import Any

from tests.factories import Factory
from tests.integration.web.pages import PASSWORD, csrf_of, post_form, sign_in

TRAINING = {
    "lessons": [{"title": {"fr": "Leçon", "en": "Lesson"}, "body": {"fr": "Corps", "en": "Body text"}}],
    "quiz": [
        {
            "question": {"fr": "Deux plus deux ?", "en": "Two plus two?"},
            "choices": [{"fr": "Trois", "en": "Three"}, {"fr": "Quatre", "en": "Four"}],
            "answers": [1],
            "explanation": {"fr": "Quatre.", "en": "Four."},
        },
        {
            "question": {"fr": "Couleurs ?", "en": "Colours?"},
            "choices": [
                {"fr": "Rouge", "en": "Red"},
                {"fr": "Chaise", "en": "Chair"},
                {"fr": "Bleu", "en": "Blue"},
            ],
            "answers": [0, 2],
        },
    ],
    "pass_mark": 100,
}


async def test_a_signed_out_visitor_is_sent_to_sign_in_and_comes_back_after(
    client: Any, factory: Factory
) -> None:
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    deep = await client.get("/start/charter", follow_redirects=False)
    assert deep.headers["location"] == "/login?next=/start/charter"
    await factory.charter()
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    signed = await client.post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD, "next": "/start/charter"},
        follow_redirects=False,
    )  # fmt: skip
    assert signed.status_code == 303 and signed.headers["location"] == "/start/charter"
    assert "advocacy_session=" in signed.headers["set-cookie"] and "HttpOnly" in signed.headers["set-cookie"]


async def test_sign_in_refuses_to_send_a_person_to_another_site(client: Any, factory: Factory) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com")
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = await client.post(
            "/login", data={"email": "ana@example.com", "password": PASSWORD, "next": elsewhere},
            follow_redirects=False,
        )  # fmt: skip
        assert response.headers["location"] == "/"


async def test_a_wrong_password_keeps_the_address_typed_and_says_what_is_wrong_next_to_it(
    client: Any, factory: Factory
) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    response = await client.post(
        "/login", data={"email": "ana@example.com", "password": "not the password"},
        headers={"accept-language": "en"}, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 422 and "set-cookie" not in response.headers
    html = response.text
    assert 'value="ana@example.com"' in html and "not the password" not in html
    assert 'class="error-summary"' in html and 'href="#email"' in html
    assert 'id="email-error"' in html and "The e-mail or the password is wrong" in html
    assert 'aria-invalid="true"' in html and "<title>Error: Sign in" in html


async def test_an_address_that_is_not_one_is_refused_by_the_api_s_own_rule_next_to_the_field(
    client: Any,
) -> None:
    response = await client.post(
        "/login", data={"email": "not-an-address", "password": "x"}, headers={"accept-language": "fr"}
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and 'value="not-an-address"' in response.text
    assert "Saisissez votre adresse e-mail" in response.text


async def test_the_login_page_follows_accept_language_and_the_switch(client: Any) -> None:
    english = await client.get("/login", headers={"accept-language": "de, en;q=0.8, fr;q=0.5"})
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    french = await client.get("/login", headers={"accept-language": "fr-CA, en;q=0.9"})
    assert '<html lang="fr">' in french.text and "Se connecter" in french.text
    switched = await client.post(
        "/language", data={"language": "en", "next": "/login"}, follow_redirects=False
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    after = await client.get("/login", headers={"accept-language": "fr"})
    assert '<html lang="en">' in after.text


async def test_the_switch_changes_a_signed_in_person_s_language_like_patch_me(
    client: Any, factory: Factory
) -> None:
    await factory.charter()
    someone = await factory.person(password=PASSWORD, email="ana@example.com", language="fr")
    await sign_in(client, "ana@example.com")
    assert '<html lang="fr">' in (await client.get("/")).text
    refused = await client.post("/language", data={"language": "en", "next": "/"}, follow_redirects=False)
    assert refused.status_code == 403
    done = await post_form(client, "/language", {"language": "en", "next": "/"})
    assert done.status_code == 303
    assert '<html lang="en">' in (await client.get("/", headers={"accept-language": "fr"})).text
    me = (await client.get("/api/v1/me", headers=someone.headers)).json()
    assert me["person"]["language"] == "en"


async def test_opting_in_needs_the_csrf_field_the_accept_box_and_a_visibility(
    client: Any, factory: Factory
) -> None:
    charter = await factory.charter()
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    form = {"charter_version": str(charter.version), "visibility": "anonymous", "accept": "yes"}
    for forged in (form, {**form, "csrf": "guess"}):
        assert (await client.post("/ambassador", data=forged, follow_redirects=False)).status_code == 403
    unticked = await post_form(client, "/ambassador", {**form, "accept": ""}, page="/start/opt-in")
    assert unticked.status_code == 422 and 'id="accept-error"' in unticked.text
    assert 'value="anonymous" checked' in unticked.text  # what was chosen is kept
    bad_choice = await post_form(
        client, "/ambassador", {**form, "visibility": "everyone"}, page="/start/opt-in"
    )
    assert bad_choice.status_code == 422 and 'id="visibility-error"' in bad_choice.text
    assert (await client.get("/api/v1/me")).json()["ambassador"]["is_ambassador"] is False
    accepted = await post_form(client, "/ambassador", form, page="/start/opt-in")
    assert accepted.status_code == 303
    status = (await client.get("/api/v1/me")).json()["ambassador"]
    assert status["is_ambassador"] is True and status["visibility"] == "anonymous"
    assert "You are an ambassador" in (await client.get("/")).text


async def test_a_charter_that_changed_meanwhile_is_said_next_to_the_accept_box(
    client: Any, factory: Factory
) -> None:
    old = await factory.charter()
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    await factory.charter()
    response = await post_form(
        client, "/ambassador", {"charter_version": str(old.version), "visibility": "public", "accept": "yes"},
        page="/start/opt-in",
    )  # fmt: skip
    assert response.status_code == 409 and 'id="accept-error"' in response.text
    assert f"version {old.version + 1} is in force" in response.text


async def test_the_training_is_taken_on_its_page_and_opens_the_opt_in_when_required(
    client: Any, factory: Factory
) -> None:
    charter = await factory.charter(training=TRAINING)
    admin = await factory.person("compliance")
    put = await client.put(
        "/api/v1/charter/training/settings", json={"required": True}, headers=admin.headers
    )
    assert put.status_code == 200
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    start = (await client.get("/")).text
    assert "Take the charter training" in start
    page = (await client.get("/start/training")).text
    assert "Lesson 1: Lesson" in page and "Two plus two?" in page and 'type="checkbox"' in page
    opt_in = {"charter_version": str(charter.version), "visibility": "public", "accept": "yes"}
    refused = await post_form(client, "/ambassador", opt_in, page="/start/opt-in")
    assert refused.status_code == 403 and "Pass the charter training first" in refused.text
    unanswered = await post_form(
        client, "/start/training", {"charter_version": str(charter.version), "question_count": "2", "q1": "1"},
        page="/start/training",
    )  # fmt: skip
    assert unanswered.status_code == 422 and 'href="#q2"' in unanswered.text
    assert 'value="1" checked' in unanswered.text
    wrong = await post_form(
        client, "/start/training",
        {"charter_version": str(charter.version), "question_count": "2", "q1": "1", "q2": "0"},
        page="/start/training",
    )  # fmt: skip
    assert wrong.status_code == 200 and "Not yet" in wrong.text
    assert 'id="q1" name="q1" type="radio" value="0">' in wrong.text and 'value="1" checked' in wrong.text
    csrf = csrf_of((await client.get("/start/training")).text)
    right = await client.post(
        "/start/training",
        data={
            "csrf": csrf,
            "charter_version": str(charter.version),
            "question_count": "2",
            "q1": "1",
            "q2": ["0", "2"],
        },
    )
    assert right.status_code == 200 and "You passed" in right.text
    assert (await post_form(client, "/ambassador", opt_in, page="/start/opt-in")).status_code == 303
    assert (await client.get("/api/v1/me")).json()["ambassador"]["is_ambassador"] is True


async def test_the_opt_out_form_needs_the_csrf_field_too(client: Any, factory: Factory) -> None:
    someone = await factory.person(password=PASSWORD, email="ana@example.com", ambassador=True)
    await sign_in(client, "ana@example.com")
    assert (await client.post("/ambassador/opt-out", data={}, follow_redirects=False)).status_code == 403
    assert (await client.get("/api/v1/me", headers=someone.headers)).json()["ambassador"]["is_ambassador"]
    done = await post_form(client, "/ambassador/opt-out", {})
    assert done.status_code == 303
    assert not (await client.get("/api/v1/me", headers=someone.headers)).json()["ambassador"]["is_ambassador"]


async def test_an_ambassador_changes_visibility_in_place_without_renewing(
    client: Any, factory: Factory
) -> None:
    someone = await factory.person(password=PASSWORD, email="ana@example.com", ambassador=True)
    await sign_in(client, "ana@example.com")
    page = (await client.get("/start/opt-in")).text
    assert 'action="/ambassador/visibility"' in page and 'name="accept"' not in page
    done = await post_form(client, "/ambassador/visibility", {"visibility": "hidden"}, page="/start/opt-in")
    assert done.status_code == 303
    history = (await client.get("/api/v1/me/consent-history", headers=someone.headers)).json()
    assert [e["kind"] for e in history] == ["opted_in", "visibility_changed"]


async def test_names_are_escaped_in_pages(client: Any, factory: Factory) -> None:
    await factory.person(password=PASSWORD, email="eve@example.com", display_name="<script>alert(1)</script>")
    await sign_in(client, "eve@example.com")
    home = (await client.get("/")).text
    assert "<script>alert(1)</script>" not in home and "&lt;script&gt;" in home


async def test_signing_out_ends_the_session_even_for_a_kept_copy_of_the_cookie(
    client: Any, factory: Factory
) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com")
    await sign_in(client, "ana@example.com")
    kept = client.cookies.get("advocacy_session")
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    client.cookies.set("advocacy_session", kept)
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_each_role_sees_its_area_in_the_navigation_and_only_its_own(
    client: Any, factory: Factory
) -> None:
    await factory.charter()
    await factory.person("employee", "hr", password=PASSWORD, email="hugo@example.com", language="en")
    await sign_in(client, "hugo@example.com")
    home = (await client.get("/")).text
    assert 'href="/hr"' in home and 'href="/studio"' not in home and 'href="/admin"' not in home
    assert (await client.get("/hr")).status_code == 200
    assert (await client.get("/studio")).status_code == 403
