"""POST /api/v1/charter/check: live feedback on a text against the charter in force, rate limited per person."""

from __future__ import annotations

import json
from typing import Any

from advocacy.charter.controllers import CHECKS_PER_MINUTE
from advocacy.charter.schemas import CharterRead
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.charter.conftest import CHECK

CLEAN_FR = "Fiers de notre nouveau site de Lyon ! https://nordlys.example/lyon #collaborateur"


def body(text: str, **extra: Any) -> dict[str, Any]:
    return {"text": text, "network": "linkedin", "language": "fr", **extra}


async def test_an_ambassador_gets_the_decision_and_each_finding_with_its_span_in_the_text_as_typed(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    text = "Bientôt le P.r.o.j.e.t Atlas ! #collaborateur"
    response = await client.post(CHECK, json=body(text), headers=ambassador.headers)
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert verdict["decision"] == "block"
    assert verdict["charter_version"] == in_force.version
    finding = next(f for f in verdict["findings"] if f["rule_id"] == "terms.confidential_code_names")
    assert text[finding["start"] : finding["end"]] == "P.r.o.j.e.t Atlas"
    assert len(verdict["text_sha256"]) == 64


async def test_a_clean_text_is_allowed(client: Any, factory: Factory, in_force: CharterRead) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    response = await client.post(CHECK, json=body(CLEAN_FR), headers=ambassador.headers)
    assert response.json() == {**response.json(), "decision": "allow", "findings": []}


async def test_messages_are_in_the_readers_language_whatever_the_language_of_the_text(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    english_reader = await factory.person("employee", language="en", ambassador=True)
    french_reader = await factory.person("employee", language="fr", ambassador=True)
    text = {"text": "Proud of Project Atlas #employee", "network": "linkedin", "language": "en"}
    english = (await client.post(CHECK, json=text, headers=english_reader.headers)).json()
    french = (await client.post(CHECK, json=text, headers=french_reader.headers)).json()
    assert (
        english["findings"][0]["message"] == "“Project Atlas” is confidential: do not mention it in public."
    )
    assert (
        french["findings"][0]["message"]
        == "« Project Atlas » est confidentiel : ne le mentionnez pas publiquement."
    )
    assert [f["rule_id"] for f in english["findings"]] == [f["rule_id"] for f in french["findings"]]


async def test_an_employee_who_has_not_opted_in_may_try_the_check(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    response = await client.post(CHECK, json=body(CLEAN_FR), headers=employee.headers)
    assert response.status_code == 200, response.text


async def test_an_anonymous_caller_cannot_check(client: Any, in_force: CharterRead) -> None:
    assert problem(await client.post(CHECK, json=body(CLEAN_FR)))["status"] == 401


async def test_without_a_charter_in_force_the_check_says_so(client: Any, factory: Factory) -> None:
    employee = await factory.person("employee")
    answer = problem(await client.post(CHECK, json=body(CLEAN_FR), headers=employee.headers))
    assert answer["status"] == 404
    assert "No charter is active" in answer["detail"]


async def test_checks_are_limited_per_person_with_a_retry_after_in_their_language(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    allowed = int(CHECKS_PER_MINUTE.split("/")[0])
    busy = await factory.person("employee", language="en")
    other = await factory.person("employee")
    for _ in range(allowed):
        assert (await client.post(CHECK, json=body(CLEAN_FR), headers=busy.headers)).status_code == 200
    refused = await client.post(CHECK, json=body(CLEAN_FR), headers=busy.headers)
    answer = problem(refused)
    assert answer["status"] == 429
    assert answer["detail"] == "Too many checks at once: try again in a few seconds."
    assert int(refused.headers["retry-after"]) >= 1
    assert (await client.post(CHECK, json=body(CLEAN_FR), headers=other.headers)).status_code == 200


async def test_an_empty_text_is_refused_clearly(client: Any, factory: Factory, in_force: CharterRead) -> None:
    employee = await factory.person("employee")
    for text in ("", " \n\u200b\u2060 "):
        answer = problem(await client.post(CHECK, json=body(text), headers=employee.headers))
        assert answer["status"] == 422
        assert answer["detail"] == "text is empty"


async def test_a_text_of_100_000_characters_is_refused_naming_the_limit(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    answer = problem(await client.post(CHECK, json=body("a" * 100_000), headers=employee.headers))
    assert answer["status"] == 422
    assert answer["errors"][0]["field"] == "text"
    assert "10000" in answer["errors"][0]["message"]


async def test_a_body_far_beyond_any_text_is_refused_before_it_is_read(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    answer = problem(await client.post(CHECK, json=body("a" * 600_000), headers=employee.headers))
    assert answer["status"] == 413


async def test_a_lone_surrogate_in_the_json_is_refused_as_malformed(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    for escaped in ("\\ud800", "abc\\ud800def", "\\udc00"):
        raw = '{"text": "' + escaped + '", "network": "linkedin", "language": "fr"}'
        response = await client.post(
            CHECK, content=raw.encode(), headers={**employee.headers, "Content-Type": "application/json"}
        )
        answer = problem(response)
        assert answer["status"] == 400, raw
        assert "surrogate" in answer["detail"], answer


async def test_bytes_that_are_not_utf8_are_refused_as_malformed(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    raw = b'{"text": "caf\xe9", "network": "linkedin", "language": "fr"}'
    response = await client.post(
        CHECK, content=raw, headers={**employee.headers, "Content-Type": "application/json"}
    )
    assert problem(response)["status"] == 400


async def test_an_unknown_network_or_language_is_refused_naming_the_field(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    for field, value in (("network", "tiktok"), ("language", "de")):
        answer = problem(
            await client.post(CHECK, json=body(CLEAN_FR, **{field: value}), headers=employee.headers)
        )
        assert answer["status"] == 422
        assert answer["errors"][0]["field"] == field


async def test_a_body_with_an_unknown_field_is_refused(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee")
    answer = problem(await client.post(CHECK, json=body(CLEAN_FR, person="me"), headers=employee.headers))
    assert answer["status"] == 422


async def test_the_content_items_link_is_allowed_and_a_locked_caption_must_stay(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    employee = await factory.person("employee", ambassador=True)
    approved = "Notre rapport annuel est en ligne."
    content = {
        "link": "https://partner.example/report",
        "caption_policy": "locked",
        "approved_caption": approved,
    }
    kept = body(f"{approved} https://partner.example/report #collaborateur", content=content)
    edited = body(
        "Notre rapport est en ligne. https://partner.example/report #collaborateur", content=content
    )
    assert (await client.post(CHECK, json=kept, headers=employee.headers)).json()["decision"] == "allow"
    verdict = (await client.post(CHECK, json=edited, headers=employee.headers)).json()
    assert verdict["decision"] == "block"
    assert "caption.locked" in {f["rule_id"] for f in verdict["findings"]}


def test_the_check_body_documents_networks_and_languages() -> None:
    from advocacy.charter.schemas import CheckRequest

    schema = json.dumps(__import__("msgspec").json.schema(CheckRequest))
    assert "bluesky" in schema and '"fr"' in schema
