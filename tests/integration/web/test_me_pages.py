"""Me: the profile form (kept as typed, each problem next to its field), what the service holds about me
(the privacy inventory, every table that names people said in words), my data as a file, and erasure
only after typing my own e-mail address."""

from __future__ import annotations

import json
from typing import Any

from advocacy.db.pool import Database
from advocacy.privacy import queries as privacy_queries
from advocacy.privacy.inventory import WHAT_EACH_TABLE_HOLDS
from tests.factories import Factory
from tests.integration.web.pages import PASSWORD, post_form, sign_in


async def test_every_table_that_names_a_person_is_said_in_words_on_the_data_page(db: Database) -> None:
    async with db.connection() as conn:
        tables = {table for table, _ in await privacy_queries.columns_naming_people(conn)}
    assert sorted(tables - set(WHAT_EACH_TABLE_HOLDS)) == []
    assert sorted(set(WHAT_EACH_TABLE_HOLDS) - tables) == []  # and no sentence about a table that is gone


async def test_my_profile_is_saved_and_a_bad_time_zone_is_refused_next_to_its_field(
    client: Any, factory: Factory
) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    page = (await client.get("/me")).text
    assert 'value="Europe/Paris" selected' in page and "ana@example.com" in page
    bad = await post_form(
        client,
        "/me/profile",
        {"display_name": "Ana B", "language": "en", "timezone": "Mars/Olympus"},
        page="/me",
    )
    assert bad.status_code == 422
    assert 'id="timezone-error"' in bad.text and 'value="Ana B"' in bad.text
    saved = await post_form(
        client,
        "/me/profile",
        {"display_name": "Ana B", "language": "fr", "timezone": "America/Montreal"},
        page="/me",
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/me?saved=profile"
    again = (await client.get("/me?saved=profile")).text
    assert 'lang="fr"' in again and 'value="America/Montreal" selected' in again and 'value="Ana B"' in again


async def test_the_data_page_counts_my_records_and_the_download_is_the_export(
    client: Any, factory: Factory
) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com", language="en", ambassador=True)
    await sign_in(client, "ana@example.com")
    page = (await client.get("/me/data")).text
    assert "Every time you opted in, renewed or opted out" in page  # consent_events, said in words
    download = await client.get("/me/data/export")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    exported = json.loads(download.content)
    assert exported["person"]["email"] == "ana@example.com" and "consent_events" in exported["records"]
    inventory = (await client.get("/api/v1/me/data")).json()
    assert {k["table"] for k in inventory["kinds"]} == set(exported["records"])


async def test_erasure_needs_my_own_e_mail_address_typed_then_signs_me_out_for_good(
    client: Any, factory: Factory, db: Database
) -> None:
    ana = await factory.person(password=PASSWORD, email="ana@example.com", language="en", ambassador=True)
    await sign_in(client, "ana@example.com")
    refused = await post_form(client, "/me/erase", {"confirm_email": "someone@example.com"}, page="/me/erase")
    assert refused.status_code == 422 and 'id="confirm_email-error"' in refused.text
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT email FROM people WHERE id = $1", ana.person_id) == "ana@example.com"
        )
    erased = await post_form(client, "/me/erase", {"confirm_email": " ANA@example.com "}, page="/me/erase")
    assert erased.status_code == 303 and erased.headers["location"] == "/account-erased"
    assert (await client.get("/account-erased")).status_code == 200
    assert (await client.get("/me", follow_redirects=False)).status_code == 303
    async with db.connection() as conn:
        assert (await conn.fetchval("SELECT email FROM people WHERE id = $1", ana.person_id)).startswith(
            "erased-"
        )


async def test_my_mastodon_server_is_remembered_and_an_address_with_a_path_is_refused(
    client: Any, factory: Factory
) -> None:
    await factory.person(password=PASSWORD, email="ana@example.com", language="en")
    await sign_in(client, "ana@example.com")
    bad = await post_form(
        client, "/me/sharing", {"mastodon_instance": "https://mastodon.social/@ana"}, page="/me"
    )
    assert bad.status_code == 422 and 'id="mastodon_instance-error"' in bad.text
    assert 'value="https://mastodon.social/@ana"' in bad.text
    saved = await post_form(client, "/me/sharing", {"mastodon_instance": "Mastodon.Social"}, page="/me")
    assert saved.headers["location"] == "/me?saved=sharing"
    assert 'value="mastodon.social"' in (await client.get("/me")).text
