"""The demo organisation `advocacy up` seeds (Nordlys, whose charter is the default one): teams, people with
each role, a charter in force, ambassadors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from advocacy.auth.passwords import hash_password
from advocacy.charter import queries as charters
from advocacy.charter.rules import load_default_rules
from advocacy.charter.training import default_training
from advocacy.db.pool import Database
from advocacy.people import queries as people
from content_library.images.storage import Storage

DEMO_PASSWORD = "advocacy-demo"  # noqa: S105 - the published demo password
# (email, display name, team, language, roles, opted in)
DEMO_PEOPLE = [
    ("admin@demo.example", "Alex Admin", "IT", "en", ["admin", "employee"], False),
    ("claire.curator@demo.example", "Claire Martin", "Communication", "fr", ["curator", "employee"], True),
    ("remi.reviewer@demo.example", "Rémi Dubois", "Communication", "fr", ["reviewer", "employee"], True),
    ("chloe.compliance@demo.example", "Chloé Bernard", "Legal", "fr", ["compliance", "employee"], False),
    ("hugo.hr@demo.example", "Hugo Petit", "People", "fr", ["hr", "employee"], True),
    ("emma.employee@demo.example", "Emma Leroy", "Sales", "fr", ["employee"], True),
    ("liam.employee@demo.example", "Liam Walker", "Engineering", "en", ["employee"], True),
    ("ines.employee@demo.example", "Inès Moreau", "Marketing", "fr", ["employee"], False),
]
DEMO_LOGINS = [(email, ", ".join(roles)) for email, _, _, _, roles, _ in DEMO_PEOPLE]
# Imported without a password and invited when `advocacy up` starts: with MAIL_TRANSPORT=log (the default)
# the invitation's link is printed in the log, so a newcomer can follow it.
DEMO_INVITEE = ("nina.newcomer@demo.example", "Nina Newcomer", "Sales", "en")

CHARTER_TITLE = "Charte des réseaux sociaux / Social media charter"
CHARTER_FR = """Partager est un choix. Rien ne vous y oblige, et ne pas partager ne compte jamais contre vous.
1. Vous parlez en votre nom : signalez votre lien avec l'entreprise (#collaborateur).
2. Ne publiez rien de confidentiel : projets internes, chiffres non publiés, noms de code.
3. Respectez les personnes : pas d'insultes, pas d'attaques, pas de données personnelles.
4. Pendant les périodes de silence avant les résultats, aucun propos sur les finances.
5. Chaque partage est vérifié avant de partir ; vous voyez pourquoi un texte est refusé."""
CHARTER_EN = """Sharing is a choice. Nothing obliges you to, and not sharing never counts against you.
1. You speak for yourself: disclose your link with the company (#employee).
2. Post nothing confidential: internal projects, unpublished figures, code names.
3. Respect people: no insults, no attacks, no personal data.
4. During quiet periods before results, say nothing about finances.
5. Every share is checked before it goes out; you see why a text is refused."""


async def seed_demo(db: Database, storage: Storage | None = None) -> None:
    """Idempotent: running it again changes nothing that is already there."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO organisation (id, name) VALUES (1, 'Nordlys') ON CONFLICT (id) DO NOTHING"
        )
        charter_id = await _seed_charter(conn)
        await _seed_training(conn, charter_id)
        password_hash = hash_password(DEMO_PASSWORD)
        for email, name, team, language, roles, opted_in in DEMO_PEOPLE:
            existing = await people.existing_people_by_email(conn, [email])
            if existing:
                continue
            team_id = await people.team_id_for_name(conn, team)
            person_id = await people.insert_person(
                conn,
                {
                    "email": email,
                    "display_name": name,
                    "team_id": team_id,
                    "language": language,
                    "password_hash": password_hash,
                    "location": "Paris" if language == "fr" else "London",
                },
            )
            await people.set_roles(conn, person_id, roles)
            if opted_in:
                await conn.execute(
                    "INSERT INTO ambassadors (person_id, status, charter_id, accepted_at, expires_at)"
                    " VALUES ($1, 'opted_in', $2, now(), $3)",
                    person_id,
                    charter_id,
                    datetime.now(UTC) + timedelta(days=365),
                )
                await conn.execute(
                    "INSERT INTO consent_events (person_id, kind, charter_id, visibility)"
                    " VALUES ($1, 'opted_in', $2, 'public')",
                    person_id,
                    charter_id,
                )
        if not await people.existing_people_by_email(conn, [DEMO_INVITEE[0]]):
            email, name, team, language = DEMO_INVITEE
            person_id = await people.insert_person(
                conn,
                {
                    "email": email,
                    "display_name": name,
                    "team_id": await people.team_id_for_name(conn, team),
                    "language": language,
                    "password_hash": None,
                    "location": "London",
                },
            )
            await people.set_roles(conn, person_id, ["employee"])
        await _seed_recognition(conn)
    if storage is not None:
        from advocacy.content.demo import seed_demo_library

        await seed_demo_library(db, storage)


# HR kudos for the demo ambassadors, so the leaderboards and points pages have something to show.
DEMO_KUDOS = [
    ("emma.employee@demo.example", 40, "Premier partage de la campagne rentrée"),
    ("liam.employee@demo.example", 30, "Great launch post"),
    ("claire.curator@demo.example", 25, "Bibliothèque de contenus au top"),
    ("remi.reviewer@demo.example", 15, "Relectures rapides"),
    ("hugo.hr@demo.example", 10, "Welcome kit"),
]


async def _seed_recognition(conn: asyncpg.Connection) -> None:
    """Kudos from HR through the outbox: the worker writes them to the ledger and the boards. Their
    idempotency keys are fixed, so seeding again awards nothing more."""
    from advocacy.incentives.ledger.service import AWARD_JOB, events_to_args
    from advocacy.incentives.schemas import PointEvent
    from advocacy.outbox.service import enqueue

    rows = await people.existing_people_by_email(
        conn, [email for email, _, _ in DEMO_KUDOS] + ["hugo.hr@demo.example", "admin@demo.example"]
    )
    found = {email: row.id for email, row in rows.items()}
    hr = found.get("hugo.hr@demo.example")
    # nobody gives themself kudos: HR's own come from the administrator
    giver = {"hugo.hr@demo.example": found.get("admin@demo.example")}
    now = datetime.now(UTC)
    events = [
        PointEvent(
            kind="kudos",
            person_id=found[email],
            source_type="kudos",
            source_id=giver.get(email, hr),
            occurred_at=now - timedelta(days=index),
            idempotency_key=f"demo:kudos:{email}",
            reason=reason,
            points=points,
        )
        for index, (email, points, reason) in enumerate(DEMO_KUDOS)
        if email in found
    ]
    if events:
        await enqueue(conn, AWARD_JOB, events_to_args(events), dedupe_key="demo:kudos")


async def _seed_charter(conn: asyncpg.Connection) -> int:
    """The default FR/EN charter (default_charter.toml) in force; a demo charter seeded before it had rules
    (an empty rule set) is followed by a version carrying them. Returns the active version's id."""
    active = await charters.active_charter_id_and_version(conn)
    if active is not None:
        charter_id, version = active
        rules = await charters.charter_rules(conn, version)
        current = await charters.charter_by_version(conn, version)
        if rules or current is None or current.title != CHARTER_TITLE:
            return charter_id
    draft = await charters.insert_draft(
        conn,
        title=CHARTER_TITLE,
        body_fr=CHARTER_FR,
        body_en=CHARTER_EN,
        material_change=False,
        rules=msgspec.to_builtins(load_default_rules()),
        created_by=None,
    )
    await charters.activate(conn, draft.version, activated_by=None)
    active = await charters.active_charter_id_and_version(conn)
    assert active is not None
    return active[0]


async def _seed_training(conn: asyncpg.Connection, charter_id: int) -> None:
    """The demo charter's lessons and quiz (default_training.toml), added to a demo charter seeded before
    it had them; passing the quiz is a condition of opting in unless the demo's setting was changed."""
    if await charters.charter_training(conn, charter_id) is None:
        await charters.set_charter_training(conn, charter_id, msgspec.to_builtins(default_training()))
    await conn.execute(
        "UPDATE organisation SET settings = settings || '{\"charter_training_required\": true}'::jsonb"
        " WHERE id = 1 AND NOT settings ? 'charter_training_required'"
    )
