"""Test data made through the services, so tests start from states the product itself can reach."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from advocacy.ambassadors.schemas import OptIn
from advocacy.ambassadors.service import opt_in
from advocacy.auth.schemas import Principal, TokenCreate
from advocacy.auth.service import create_token
from advocacy.charter.rules import CharterRules
from advocacy.charter.schemas import CharterDraftCreate, CharterRead, CharterTraining
from advocacy.charter.service import activate, create_draft
from advocacy.db.pool import Database
from advocacy.people.schemas import PersonCreate, PersonRead
from advocacy.people.service import create_person


class Someone(msgspec.Struct, kw_only=True):
    person: PersonRead
    person_id: int
    token: str
    principal: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def charter(
        self,
        *,
        material_change: bool = False,
        rules: dict[str, Any] | None = None,
        training: dict[str, Any] | None = None,
    ) -> CharterRead:
        draft = await self.charter_draft(material_change=material_change, rules=rules, training=training)
        return await activate(self.db, draft.version, actor_id=None)

    async def charter_draft(
        self,
        *,
        material_change: bool = False,
        rules: dict[str, Any] | None = None,
        training: dict[str, Any] | None = None,
    ) -> CharterRead:
        """A draft version whose rules (and training) are given as they would be written in JSON."""
        return await create_draft(
            self.db,
            CharterDraftCreate(
                title="Charter",
                body_fr="Texte de la charte",
                body_en="Charter text",
                material_change=material_change,
                rules=msgspec.convert(rules or {}, CharterRules),
                training=msgspec.convert(training, CharterTraining) if training else msgspec.UNSET,
            ),
            actor_id=None,
        )

    async def person(
        self,
        *roles: str,
        email: str | None = None,
        team: str | None = "Sales",
        language: str = "fr",
        password: str | None = None,  # argon2 is slow on purpose: hash only for tests that sign in
        ambassador: bool = False,
        **extra: Any,
    ) -> Someone:
        email = email or f"p{secrets.token_hex(4)}@example.com"
        body = msgspec.convert(
            {
                "email": email,
                "display_name": extra.pop("display_name", email.split("@")[0].title()),
                "team": team,
                "language": language,
                "roles": list(roles) or ["employee"],
                "password": password,
                **extra,
            },
            PersonCreate,
        )
        person = await create_person(self.db, body, actor_id=None)
        async with self.db.connection() as conn:
            person_id = await conn.fetchval("SELECT id FROM people WHERE public_id = $1", person.id)
        principal = Principal(
            person_id=person_id,
            public_id=person.id,
            email=person.email,
            display_name=person.display_name,
            language=person.language,
            roles=frozenset(str(r) for r in person.roles),
            via="token",
        )
        created = await create_token(
            self.db, principal, TokenCreate(name="tests", expires_in_days=30), max_days=365
        )
        someone = Someone(person=person, person_id=person_id, token=created.token, principal=principal)
        if ambassador:
            await self.make_ambassador(someone)
        return someone

    async def make_ambassador(self, someone: Someone) -> None:
        async with self.db.connection() as conn:
            version = await conn.fetchval("SELECT version FROM charters WHERE status = 'active'")
        if version is None:
            version = (await self.charter()).version
        await opt_in(self.db, someone.principal, OptIn(charter_version=version), validity_days=365)

    async def age_consent(self, someone: Someone, days: int) -> None:
        """Move the person's consent into the past (as if accepted `days` ago)."""
        async with self.db.connection() as conn:
            await conn.execute(
                "UPDATE ambassadors SET accepted_at = accepted_at - make_interval(days => $2),"
                " expires_at = expires_at - make_interval(days => $2) WHERE person_id = $1",
                someone.person_id,
                days,
            )


def in_days(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)
