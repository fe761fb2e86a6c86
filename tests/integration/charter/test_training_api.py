"""Charter training through the API: lessons and a quiz in the charter document (FR and EN), read
without answers, graded and recorded per person and version, a condition of opting in and of the yearly
renewal when the organisation asks for it, and completion rates for HR."""

from __future__ import annotations

import tomllib
from typing import Any

from tests.conftest import problem
from tests.factories import Factory
from tests.integration.charter.conftest import VERSIONS

TRAINING: dict[str, Any] = {
    "lessons": [
        {
            "title": {"fr": "Ce que vous pouvez partager", "en": "What you may share"},
            "body": {"fr": "Les publications approuvées.", "en": "Approved posts."},
        }
    ],
    "quiz": [
        {
            "question": {
                "fr": "Peut-on partager un chiffre non publié ?",
                "en": "May you share unpublished figures?",
            },
            "choices": [{"fr": "Oui", "en": "Yes"}, {"fr": "Non", "en": "No"}],
            "answers": [1],
            "explanation": {"fr": "Jamais.", "en": "Never."},
        },
        {
            "question": {"fr": "Que faut-il indiquer ?", "en": "What must you say?"},
            "choices": [
                {"fr": "Le lien avec l'entreprise", "en": "Your link to the company"},
                {"fr": "Son salaire", "en": "Your salary"},
                {"fr": "Le hashtag de transparence", "en": "The disclosure hashtag"},
            ],
            "answers": [0, 2],
        },
    ],
    "pass_mark": 100,
}
RIGHT = [[1], [2, 0]]


async def setup(factory: Factory, *, required: bool) -> tuple[Any, Any]:
    charter = await factory.charter(training=TRAINING)
    compliance = await factory.person("compliance")
    if required:
        await factory_put(factory, compliance, required=True)
    return charter, compliance


async def factory_put(factory: Factory, who: Any, *, required: bool) -> None:
    from advocacy.charter import training
    from advocacy.charter.schemas import TrainingSettings

    await training.change_settings(factory.db, TrainingSettings(required=required), actor_id=who.person_id)


async def test_the_training_travels_in_the_charter_document_and_back(client: Any, factory: Factory) -> None:
    charter, compliance = await setup(factory, required=False)
    exported = await client.get(
        f"{VERSIONS}/{charter.version}/export?format=toml", headers=compliance.headers
    )
    assert exported.status_code == 200
    document = tomllib.loads(exported.text)
    assert document["training"]["quiz"][1]["answers"] == [0, 2]
    imported = await client.post(
        f"{VERSIONS}/import?format=toml", content=exported.content, headers=compliance.headers
    )
    assert imported.status_code == 201, imported.text
    again = await client.get(
        f"{VERSIONS}/{imported.json()['version']}/export?format=json", headers=compliance.headers
    )
    assert again.json()["training"] == TRAINING


async def test_a_charter_without_training_exports_no_training_table(client: Any, factory: Factory) -> None:
    charter = await factory.charter()
    compliance = await factory.person("compliance")
    exported = await client.get(
        f"{VERSIONS}/{charter.version}/export?format=toml", headers=compliance.headers
    )
    assert "training" not in tomllib.loads(exported.text)


async def test_an_answer_that_is_not_among_the_choices_is_a_422_naming_the_question(
    client: Any, factory: Factory
) -> None:
    compliance = await factory.person("compliance")
    bad = {**TRAINING, "quiz": [{**TRAINING["quiz"][0], "answers": [2]}]}
    response = await client.post(
        VERSIONS,
        json={"title": "C", "body_fr": "fr", "body_en": "en", "training": bad},
        headers=compliance.headers,
    )
    body = problem(response)
    assert response.status_code == 422 and body["errors"][0]["field"] == "training.quiz[0].answers"


async def test_employees_read_lessons_and_questions_in_their_language_without_the_answers(
    client: Any, factory: Factory
) -> None:
    await setup(factory, required=True)
    english = await factory.person(language="en")
    reading = (await client.get("/api/v1/charter", headers=english.headers)).json()
    training = reading["training"]
    assert training["lessons"] == [{"title": "What you may share", "body": "Approved posts."}]
    assert training["questions"][1] == {
        "number": 2,
        "question": "What must you say?",
        "choices": ["Your link to the company", "Your salary", "The disclosure hashtag"],
        "multiple": True,
    }
    assert training["required"] is True and "answers" not in str(reading)


async def test_every_attempt_is_graded_and_recorded_for_the_person_and_version(
    client: Any, factory: Factory
) -> None:
    charter, _ = await setup(factory, required=False)
    someone = await factory.person(language="en")
    quiz = "/api/v1/charter/training/quiz"
    wrong = await client.post(
        quiz, json={"charter_version": charter.version, "answers": [[1], [0]]}, headers=someone.headers
    )
    assert wrong.status_code == 200
    result = wrong.json()
    assert (result["correct"], result["percent"], result["passed"]) == (1, 50, False)
    assert result["outcomes"][0] == {"number": 1, "correct": True, "explanation": "Never."}
    right = await client.post(
        quiz, json={"charter_version": charter.version, "answers": RIGHT}, headers=someone.headers
    )
    assert right.json()["passed"] is True
    mine = (await client.get("/api/v1/charter/training", headers=someone.headers)).json()
    assert mine["attempts"] == 2 and mine["passed"] is True and mine["best_percent"] == 100
    short = await client.post(
        quiz, json={"charter_version": charter.version, "answers": [[1]]}, headers=someone.headers
    )
    assert short.status_code == 422 and problem(short)["errors"][0]["field"] == "answers"
    stale = await client.post(quiz, json={"charter_version": 99, "answers": RIGHT}, headers=someone.headers)
    assert stale.status_code == 409


async def test_when_required_opting_in_needs_a_pass_of_the_version_in_force(
    client: Any, factory: Factory
) -> None:
    charter, _ = await setup(factory, required=True)
    someone = await factory.person()
    opt_in = {"charter_version": charter.version}
    refused = await client.post("/api/v1/me/ambassador", json=opt_in, headers=someone.headers)
    assert refused.status_code == 403 and problem(refused)["type"].endswith("charter-training-required")
    await client.post(
        "/api/v1/charter/training/quiz", json={"charter_version": charter.version, "answers": RIGHT},
        headers=someone.headers,
    )  # fmt: skip
    accepted = await client.post("/api/v1/me/ambassador", json=opt_in, headers=someone.headers)
    assert accepted.status_code == 200 and accepted.json()["is_ambassador"] is True


async def test_the_yearly_renewal_asks_for_a_fresh_pass(client: Any, factory: Factory) -> None:
    charter, _ = await setup(factory, required=True)
    someone = await factory.person()
    await client.post(
        "/api/v1/charter/training/quiz", json={"charter_version": charter.version, "answers": RIGHT},
        headers=someone.headers,
    )  # fmt: skip
    assert (
        await client.post(
            "/api/v1/me/ambassador", json={"charter_version": charter.version}, headers=someone.headers
        )
    ).status_code == 200
    async with factory.db.connection() as conn:
        await conn.execute(
            "UPDATE charter_quiz_results SET taken_at = taken_at - interval '400 days' WHERE person_id = $1",
            someone.person_id,
        )
    await factory.age_consent(someone, 366)
    renewal = await client.post(
        "/api/v1/me/ambassador", json={"charter_version": charter.version}, headers=someone.headers
    )
    assert renewal.status_code == 403


async def test_without_the_setting_the_quiz_is_offered_but_not_required(
    client: Any, factory: Factory
) -> None:
    charter, _ = await setup(factory, required=False)
    someone = await factory.person()
    response = await client.post(
        "/api/v1/me/ambassador", json={"charter_version": charter.version}, headers=someone.headers
    )
    assert response.status_code == 200


async def test_hr_reads_completion_rates_overall_and_by_team_and_employees_cannot(
    client: Any, factory: Factory
) -> None:
    charter, _ = await setup(factory, required=False)
    hr = await factory.person("hr", team=None)
    passed = await factory.person(team="Sales")
    tried = await factory.person(team="Sales")
    await factory.person(team="Tech")
    quiz = "/api/v1/charter/training/quiz"
    await client.post(
        quiz, json={"charter_version": charter.version, "answers": RIGHT}, headers=passed.headers
    )
    await client.post(
        quiz, json={"charter_version": charter.version, "answers": [[0], [1]]}, headers=tried.headers
    )
    completion = await client.get("/api/v1/charter/training/completion", headers=hr.headers)
    assert completion.status_code == 200
    body = completion.json()
    assert (body["people"], body["attempted"], body["passed"]) == (3, 2, 1)
    assert body["rate"] == round(1 / 3, 4)
    assert {t["team"]: (t["people"], t["passed"]) for t in body["teams"]} == {"Sales": (2, 1), "Tech": (1, 0)}
    assert (
        await client.get("/api/v1/charter/training/completion", headers=passed.headers)
    ).status_code == 403


async def test_only_compliance_changes_the_setting_and_it_is_audited(client: Any, factory: Factory) -> None:
    await factory.charter(training=TRAINING)
    compliance = await factory.person("compliance")
    employee = await factory.person()
    path = "/api/v1/charter/training/settings"
    assert (await client.put(path, json={"required": True}, headers=employee.headers)).status_code == 403
    assert (await client.put(path, json={"required": True}, headers=compliance.headers)).json() == {
        "required": True
    }
    assert (await client.get(path, headers=compliance.headers)).json() == {"required": True}
    async with factory.db.connection() as conn:
        actions = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'charter.training_required_changed'"
        )
    assert actions == 1


async def test_the_demo_charter_ships_a_real_training_required_to_opt_in(
    client: Any, factory: Factory
) -> None:
    from advocacy.demo import seed_demo

    await seed_demo(factory.db)
    await seed_demo(factory.db)  # idempotent
    someone = await factory.person(language="en")
    training = (await client.get("/api/v1/charter", headers=someone.headers)).json()["training"]
    assert len(training["lessons"]) >= 3 and len(training["questions"]) >= 5 and training["required"]
    french = await factory.person(language="fr")
    french_training = (await client.get("/api/v1/charter", headers=french.headers)).json()["training"]
    assert french_training["questions"][0]["question"] != training["questions"][0]["question"]
    assert any(q["multiple"] for q in training["questions"])
