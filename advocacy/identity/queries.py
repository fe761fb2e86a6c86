"""SQL for credentials: passwords, invitations, password resets, sign-in challenges, TOTP and recovery codes."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from uuid import UUID

import asyncpg
import msgspec

from advocacy.identity.schemas import (
    Contact,
    CredentialHolder,
    InvitationCandidate,
    InvitationRead,
    LockedChallenge,
    LockedInvitation,
    LockedReset,
    MintedLink,
    SecondFactorRow,
)

T = TypeVar("T")


def _one(row: asyncpg.Record | None, into: type[T]) -> T | None:
    return None if row is None else msgspec.convert(dict(row), into)


# ---- people as identity sees them ----


async def person_for_credentials(conn: asyncpg.Connection, person_id: int) -> CredentialHolder | None:
    row = await conn.fetchrow(
        "SELECT id, public_id, email, display_name, language, active, password_hash,"
        " COALESCE((SELECT array_agg(r.role) FROM person_roles r WHERE r.person_id = p.id), '{}') AS roles"
        " FROM people p WHERE id = $1",
        person_id,
    )
    return _one(row, CredentialHolder)


async def person_by_email(conn: asyncpg.Connection, email: str) -> Contact | None:
    row = await conn.fetchrow(
        "SELECT id, email, display_name, language, active FROM people WHERE canonical_email(email) = canonical_email($1)",
        email,
    )
    return _one(row, Contact)


async def public_ids_by_email(conn: asyncpg.Connection, emails: list[str]) -> list[UUID]:
    """The public ids of the people with these e-mails (canonical form)."""
    rows = await conn.fetch(
        "SELECT public_id FROM people WHERE canonical_email(email) = ANY($1::text[])", emails
    )
    return [r["public_id"] for r in rows]


async def set_password_hash(conn: asyncpg.Connection, person_id: int, password_hash: str) -> None:
    await conn.execute(
        "UPDATE people SET password_hash = $2, updated_at = now() WHERE id = $1", person_id, password_hash
    )


# ---- sessions and tokens ----


async def end_sessions(conn: asyncpg.Connection, person_id: int, *, keep_hash: bytes | None) -> int:
    status: str = await conn.execute(
        "UPDATE web_sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL"
        " AND ($2::bytea IS NULL OR token_hash <> $2)",
        person_id,
        keep_hash,
    )
    return int(status.split()[-1])


async def revoke_tokens(conn: asyncpg.Connection, person_id: int) -> int:
    status: str = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL", person_id
    )
    return int(status.split()[-1])


# ---- invitations ----

_STATUS = """CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted' WHEN i.revoked_at IS NOT NULL THEN 'revoked'
            WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END"""
_INVITATION = f"""
SELECT i.public_id AS id, p.public_id AS person_id, p.email, p.display_name, {_STATUS} AS status,
       i.created_at, i.expires_at, i.sent_count, i.last_sent_at, i.accepted_at, i.revoked_at
FROM invitations i JOIN people p ON p.id = i.person_id
"""


async def invitation_candidates(
    conn: asyncpg.Connection, *, person_ids: list[UUID] | None, team: str | None, everyone: bool
) -> list[InvitationCandidate]:
    """The people a request names, with what decides whether they can be invited."""
    rows = await conn.fetch(
        """
        SELECT p.id, p.public_id, p.email, p.display_name, p.language, p.active,
               p.password_hash IS NOT NULL AS has_password,
               EXISTS (SELECT 1 FROM invitations i WHERE i.person_id = p.id AND i.accepted_at IS NULL
                       AND i.revoked_at IS NULL AND i.expires_at > now()) AS invited
        FROM people p LEFT JOIN teams t ON t.id = p.team_id
        WHERE ($1::uuid[] IS NULL OR p.public_id = ANY($1::uuid[]))
          AND ($2::text IS NULL OR lower(t.name) = lower($2))
          AND ($3 OR $1::uuid[] IS NOT NULL OR $2::text IS NOT NULL)
        ORDER BY p.id
        """,
        person_ids,
        team,
        everyone,
    )
    return [msgspec.convert(dict(r), InvitationCandidate) for r in rows]


async def close_expired_invitations(conn: asyncpg.Connection, person_ids: list[int]) -> None:
    """An expired open invitation makes way for a new one (one open invitation per person)."""
    await conn.execute(
        "UPDATE invitations SET revoked_at = now() WHERE person_id = ANY($1::bigint[]) AND accepted_at IS NULL"
        " AND revoked_at IS NULL AND expires_at <= now()",
        person_ids,
    )


async def insert_invitations(
    conn: asyncpg.Connection, person_ids: list[int], *, invited_by: int | None, expires_at: datetime
) -> dict[int, int]:
    """The new invitations' ids by person id."""
    rows = await conn.fetch(
        "INSERT INTO invitations (person_id, invited_by, expires_at)"
        " SELECT unnest($1::bigint[]), $2, $3 RETURNING id, person_id",
        person_ids,
        invited_by,
        expires_at,
    )
    return {r["person_id"]: r["id"] for r in rows}


async def invitation_read(conn: asyncpg.Connection, public_id: UUID) -> InvitationRead | None:
    row = await conn.fetchrow(_INVITATION + " WHERE i.public_id = $1", public_id)
    return msgspec.convert(row, InvitationRead) if row else None


async def invitations_page(
    conn: asyncpg.Connection, *, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, InvitationRead]]:
    rows = await conn.fetch(
        _INVITATION.replace("SELECT ", "SELECT i.id AS internal_id, ", 1)
        + f" WHERE ($1::text IS NULL OR {_STATUS} = $1) AND ($2::bigint IS NULL OR i.id < $2)"
        " ORDER BY i.id DESC LIMIT $3",
        status,
        after_id,
        limit,
    )
    return [
        (
            r["internal_id"],
            msgspec.convert({k: v for k, v in r.items() if k != "internal_id"}, InvitationRead),
        )
        for r in rows
    ]


async def lock_invitation(conn: asyncpg.Connection, public_id: UUID) -> LockedInvitation | None:
    row = await conn.fetchrow(
        "SELECT i.id, i.public_id, i.person_id, i.accepted_at, i.revoked_at, i.expires_at, p.email, p.language, p.active,"
        " p.display_name FROM invitations i JOIN people p ON p.id = i.person_id WHERE i.public_id = $1"
        " FOR UPDATE OF i",
        public_id,
    )
    return _one(row, LockedInvitation)


async def lock_invitation_by_token(conn: asyncpg.Connection, token_hash: bytes) -> LockedInvitation | None:
    row = await conn.fetchrow(
        "SELECT i.id, i.public_id, i.person_id, i.accepted_at, i.revoked_at, i.expires_at, p.email,"
        " p.display_name, p.language, p.active FROM invitations i JOIN people p ON p.id = i.person_id"
        " WHERE i.token_hash = $1 FOR UPDATE OF i",
        token_hash,
    )
    return _one(row, LockedInvitation)


async def extend_invitation(conn: asyncpg.Connection, invitation_id: int, expires_at: datetime) -> None:
    await conn.execute("UPDATE invitations SET expires_at = $2 WHERE id = $1", invitation_id, expires_at)


async def revoke_invitation(conn: asyncpg.Connection, invitation_id: int) -> None:
    await conn.execute("UPDATE invitations SET revoked_at = now() WHERE id = $1", invitation_id)


async def accept_invitation(conn: asyncpg.Connection, invitation_id: int) -> None:
    await conn.execute("UPDATE invitations SET accepted_at = now() WHERE id = $1", invitation_id)


async def close_open_invitations(conn: asyncpg.Connection, person_id: int) -> None:
    """A password set another way (a reset) closes the person's open invitation: its link must not set
    another password later."""
    await conn.execute(
        "UPDATE invitations SET revoked_at = now() WHERE person_id = $1 AND accepted_at IS NULL"
        " AND revoked_at IS NULL",
        person_id,
    )


async def mint_invitation_token(
    conn: asyncpg.Connection, invitation_id: int, token_hash: bytes
) -> MintedLink | None:
    """Give an open invitation a new token (the previous link stops working); None when it is closed."""
    row = await conn.fetchrow(
        "UPDATE invitations i SET token_hash = $2, sent_count = sent_count + 1, last_sent_at = now()"
        " FROM people p WHERE i.id = $1 AND p.id = i.person_id AND i.accepted_at IS NULL"
        " AND i.revoked_at IS NULL AND i.expires_at > now() AND p.active"
        " RETURNING i.expires_at, p.display_name",
        invitation_id,
        token_hash,
    )
    return _one(row, MintedLink)


# ---- password resets ----


async def insert_reset(conn: asyncpg.Connection, person_id: int, expires_at: datetime) -> int:
    reset_id: int = await conn.fetchval(
        "INSERT INTO password_resets (person_id, expires_at) VALUES ($1, $2) RETURNING id",
        person_id,
        expires_at,
    )
    return reset_id


async def mint_reset_token(conn: asyncpg.Connection, reset_id: int, token_hash: bytes) -> MintedLink | None:
    row = await conn.fetchrow(
        "UPDATE password_resets r SET token_hash = $2 FROM people p WHERE r.id = $1 AND p.id = r.person_id"
        " AND r.used_at IS NULL AND r.expires_at > now() AND p.active RETURNING r.expires_at, p.display_name",
        reset_id,
        token_hash,
    )
    return _one(row, MintedLink)


async def lock_reset_by_token(conn: asyncpg.Connection, token_hash: bytes) -> LockedReset | None:
    row = await conn.fetchrow(
        "SELECT r.id, r.person_id, r.used_at, r.expires_at, p.active, p.email, p.display_name, p.language"
        " FROM password_resets r JOIN people p ON p.id = r.person_id WHERE r.token_hash = $1 FOR UPDATE OF r",
        token_hash,
    )
    return _one(row, LockedReset)


async def use_resets_of_person(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute(
        "UPDATE password_resets SET used_at = now() WHERE person_id = $1 AND used_at IS NULL", person_id
    )


# ---- second factor ----


async def second_factor_of(
    conn: asyncpg.Connection, person_id: int, *, lock: bool = False
) -> SecondFactorRow | None:
    row = await conn.fetchrow(
        "SELECT totp_secret, confirmed_at, last_step,"
        " (SELECT count(*) FROM recovery_codes c WHERE c.person_id = f.person_id AND c.used_at IS NULL) AS codes_left"
        " FROM second_factors f WHERE person_id = $1" + (" FOR UPDATE" if lock else ""),
        person_id,
    )
    return _one(row, SecondFactorRow)


async def put_pending_second_factor(conn: asyncpg.Connection, person_id: int, secret: bytes) -> None:
    await conn.execute(
        "INSERT INTO second_factors (person_id, totp_secret) VALUES ($1, $2)"
        " ON CONFLICT (person_id) DO UPDATE SET totp_secret = $2, confirmed_at = NULL, last_step = 0,"
        " created_at = now()",
        person_id,
        secret,
    )


async def confirm_second_factor(conn: asyncpg.Connection, person_id: int, secret: bytes, step: int) -> None:
    await conn.execute(
        "INSERT INTO second_factors (person_id, totp_secret, confirmed_at, last_step) VALUES ($1, $2, now(), $3)"
        " ON CONFLICT (person_id) DO UPDATE SET totp_secret = $2, confirmed_at = now(), last_step = $3",
        person_id,
        secret,
        step,
    )


async def record_step(conn: asyncpg.Connection, person_id: int, step: int) -> None:
    await conn.execute("UPDATE second_factors SET last_step = $2 WHERE person_id = $1", person_id, step)


async def delete_second_factor(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute("DELETE FROM recovery_codes WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM second_factors WHERE person_id = $1", person_id)


async def replace_recovery_codes(conn: asyncpg.Connection, person_id: int, hashes: list[bytes]) -> None:
    await conn.execute("DELETE FROM recovery_codes WHERE person_id = $1", person_id)
    await conn.execute(
        "INSERT INTO recovery_codes (person_id, code_hash) SELECT $1, unnest($2::bytea[])", person_id, hashes
    )


async def use_recovery_code(conn: asyncpg.Connection, person_id: int, code_hash: bytes) -> bool:
    used: int | None = await conn.fetchval(
        "UPDATE recovery_codes SET used_at = now() WHERE id = (SELECT id FROM recovery_codes WHERE person_id = $1"
        " AND code_hash = $2 AND used_at IS NULL LIMIT 1 FOR UPDATE) RETURNING id",
        person_id,
        code_hash,
    )
    return used is not None


async def insert_challenge(
    conn: asyncpg.Connection,
    person_id: int,
    token_hash: bytes,
    *,
    enrolment_required: bool,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO login_challenges (person_id, token_hash, enrolment_required, expires_at) VALUES ($1, $2, $3, $4)",
        person_id,
        token_hash,
        enrolment_required,
        expires_at,
    )


async def lock_challenge(conn: asyncpg.Connection, token_hash: bytes) -> LockedChallenge | None:
    row = await conn.fetchrow(
        "SELECT c.id, c.person_id, c.enrolment_required, c.enrolment_secret, c.attempts, c.expires_at, c.used_at,"
        " p.active FROM login_challenges c JOIN people p ON p.id = c.person_id WHERE c.token_hash = $1"
        " FOR UPDATE OF c",
        token_hash,
    )
    return _one(row, LockedChallenge)


async def set_challenge_secret(conn: asyncpg.Connection, challenge_id: int, secret: bytes) -> None:
    await conn.execute(
        "UPDATE login_challenges SET enrolment_secret = $2 WHERE id = $1", challenge_id, secret
    )


# Re-encryption under the first TOKEN_ENCRYPTION_KEYS key: (key, ciphertext) batches in key order.
_ENCRYPTED = {
    "second_factors": "SELECT person_id AS k, totp_secret AS v FROM second_factors"
    " WHERE person_id > $1 ORDER BY person_id LIMIT $2",
    "login_challenges": "SELECT id AS k, enrolment_secret AS v FROM login_challenges"
    " WHERE id > $1 AND enrolment_secret IS NOT NULL ORDER BY id LIMIT $2",
}
_STORE_ROTATED = {
    "second_factors": "UPDATE second_factors SET totp_secret = $2 WHERE person_id = $1",
    "login_challenges": "UPDATE login_challenges SET enrolment_secret = $2 WHERE id = $1",
}
ENCRYPTED_TABLES = tuple(_ENCRYPTED)


async def encrypted_secrets(
    conn: asyncpg.Connection, table: str, after: int, limit: int
) -> list[tuple[int, bytes]]:
    """(key, ciphertext) pairs of a table's encrypted secrets after `after`, in key order."""
    return [(r["k"], r["v"]) for r in await conn.fetch(_ENCRYPTED[table], after, limit)]


async def store_rotated_secrets(conn: asyncpg.Connection, table: str, rows: list[tuple[int, bytes]]) -> None:
    await conn.executemany(_STORE_ROTATED[table], rows)


async def count_challenge_attempt(conn: asyncpg.Connection, challenge_id: int) -> None:
    await conn.execute("UPDATE login_challenges SET attempts = attempts + 1 WHERE id = $1", challenge_id)


async def use_challenge(conn: asyncpg.Connection, challenge_id: int) -> None:
    await conn.execute("UPDATE login_challenges SET used_at = now() WHERE id = $1", challenge_id)


async def purge_challenges(conn: asyncpg.Connection) -> int:
    status: str = await conn.execute(
        "DELETE FROM login_challenges WHERE expires_at < now() - interval '1 day'"
    )
    return int(status.split()[-1])


# ---- organisation settings ----


async def identity_settings(conn: asyncpg.Connection) -> dict[str, object]:
    value: dict[str, object] | None = await conn.fetchval(
        "SELECT settings -> 'identity' FROM organisation WHERE id = 1"
    )
    return value or {}


async def merge_identity_settings(conn: asyncpg.Connection, changes: dict[str, object]) -> None:
    await conn.execute(
        "INSERT INTO organisation (id, name, settings) VALUES (1, 'Organisation', jsonb_build_object('identity', $1::jsonb))"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || jsonb_build_object('identity',"
        " COALESCE(organisation.settings -> 'identity', '{}'::jsonb) || $1::jsonb), updated_at = now()",
        changes,
    )
