"""The organisation's single sign-on settings (read, changed by admins with an audit row) and the rule that
password login may be off for everyone but the break-glass administrators."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.core.errors import Invalid
from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.core.organisation import merge_settings, organisation, read_organisation
from advocacy.db.pool import Database
from advocacy.identity.sso import queries
from advocacy.identity.sso.errors import PasswordLoginOff
from advocacy.identity.sso.schemas import SsoSettings, SsoSettingsUpdate

SECTION = "sso"


def _parse(section: dict[str, Any]) -> SsoSettings:
    try:
        return msgspec.convert(section, SsoSettings)
    except msgspec.ValidationError:
        # A section written by an older version that no longer reads: the safe defaults (passwords on).
        return SsoSettings()


async def sso_settings(db: Database, conn: asyncpg.Connection | None = None) -> SsoSettings:
    """The organisation's SSO settings (through the per-process organisation cache)."""
    return _parse((await organisation(db, conn)).section(SECTION))


def _invalid_break_glass(message: LazyText) -> Invalid:
    return Invalid(
        message,
        extra={"errors": [{"field": "break_glass_admins", "message": str(message), "source": "body"}]},
    )


async def update_sso_settings(db: Database, body: SsoSettingsUpdate, *, actor_id: int) -> SsoSettings:
    """Change the SSO settings; refuses to turn password login off without an active break-glass admin.
    Audited with the fields changed."""
    changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}
    async with db.transaction() as conn:
        current = _parse((await read_organisation(conn, for_update=True)).section(SECTION))
        updated = msgspec.structs.replace(current, **changes)
        admins = [str(p) for p in updated.break_glass_admins]
        found = set(await queries.break_glass_candidates(conn, admins)) if admins else set()
        if changes.get("break_glass_admins") is not None and found != set(admins):
            raise _invalid_break_glass(
                lazy_gettext("A break-glass administrator must be an active person with the admin role")
            )
        if updated.password_login_off and not found:
            raise _invalid_break_glass(
                lazy_gettext(
                    "Name at least one break-glass administrator before turning password sign-in off"
                )
            )
        await merge_settings(conn, {SECTION: msgspec.to_builtins(updated)})
        await write_audit(
            conn,
            actor_id=actor_id,
            action="organisation.sso",
            subject_type="organisation",
            subject_id="1",
            detail={"fields": sorted(changes), **msgspec.to_builtins(body)},
        )
    db.organisation.clear()
    return updated


async def check_password_login(db: Database, conn: asyncpg.Connection, person_id: int) -> None:
    """Raise PasswordLoginOff unless passwords still sign this person in (on for everyone, or they are one
    of the break-glass administrators)."""
    settings = await sso_settings(db, conn)
    if not settings.password_login_off:
        return
    if await queries.is_break_glass(conn, person_id, [str(p) for p in settings.break_glass_admins]):
        return
    raise PasswordLoginOff(
        lazy_gettext(
            "This organisation signs people in with its single sign-on: use the sign-in button of your "
            "company's provider"
        )
    )
