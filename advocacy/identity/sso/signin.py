"""From an identity a provider vouched for (OIDC or SAML) to a person and a web session: find them by the
provider's subject, else by e-mail; create them just in time when the organisation allows it; refuse a
deactivated person; bring the mapped fields and roles up to date; open the session with `start_session`."""

from __future__ import annotations

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.core.errors import Text
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.identity.sessions import hash_secret, start_session
from advocacy.identity.sso import queries
from advocacy.identity.sso.errors import SsoRefused
from advocacy.identity.sso.mapping import map_profile, roles_for_groups
from advocacy.identity.sso.schemas import IdpIdentity, MappedProfile, SsoSettings, SsoSignIn
from advocacy.identity.sso.service import sso_settings
from advocacy.people import service as people
from advocacy.people.schemas import PersonCreate


def _refused(reason: str, message: Text) -> SsoRefused:
    return SsoRefused(message, extra={"reason": reason})


async def _find(
    conn: asyncpg.Connection, identity: IdpIdentity, profile: MappedProfile
) -> tuple[int, bool] | None:
    """(person id, active) by the provider's subject, else by a verified e-mail (then linked)."""
    person_id = await queries.person_for_subject(conn, identity.issuer, identity.subject)
    if person_id is not None:
        person = await people.person_by_id(conn, person_id)
        return None if person is None else (person_id, person.active)
    if profile.email is None or not profile.email_verified:
        return None
    return await people.sign_in_ref_by_email(conn, profile.email)


async def _create(
    conn: asyncpg.Connection, identity: IdpIdentity, profile: MappedProfile, settings: SsoSettings
) -> int:
    if not settings.jit_creation:
        raise _refused(
            "unknown-person",
            lazy_gettext("You have no account here yet: ask an administrator to add or invite you"),
        )
    if profile.email is None or not profile.email_verified:
        raise _refused(
            "no-email",
            lazy_gettext("Your provider did not give a verified e-mail address to create your account"),
        )
    roles = roles_for_groups(profile.groups, settings.group_roles)
    values = {
        "email": profile.email,
        "display_name": profile.display_name or profile.email.split("@", 1)[0],
        "team": profile.team,
        "location": profile.location,
        "roles": sorted(roles),
    }
    if profile.language:
        values["language"] = profile.language
    try:
        body = msgspec.convert(values, PersonCreate)
    except msgspec.ValidationError:
        raise _refused(
            "invalid-profile", lazy_gettext("Your provider's details for you could not be read")
        ) from None
    person_id = await people.insert_person(conn, body)
    await write_audit(
        conn,
        actor_id=None,
        action="person.created",
        subject_type="person",
        subject_id=body.email,
        detail={"source": identity.protocol, "issuer": identity.issuer, "roles": sorted(roles)},
    )
    return person_id


async def _sync(
    conn: asyncpg.Connection,
    person_id: int,
    identity: IdpIdentity,
    profile: MappedProfile,
    settings: SsoSettings,
) -> None:
    person = await people.person_by_id(conn, person_id)
    assert person is not None
    values = {
        k: v
        for k, v in (
            ("display_name", profile.display_name),
            ("team", profile.team),
            ("location", profile.location),
            ("language", profile.language),
        )
        if v is not None
    }
    # With an empty table the provider's groups decide nothing: roles stay as the admins set them here.
    roles = sorted(roles_for_groups(profile.groups, settings.group_roles)) if settings.group_roles else None
    changed = await people.sync_person(conn, person_id, person, values, roles)
    if changed:
        await write_audit(
            conn,
            actor_id=None,
            action="person.updated",
            subject_type="person",
            subject_id=str(person.id),
            detail={
                "fields": changed,
                "source": identity.protocol,
                "issuer": identity.issuer,
                **({"roles": {"before": sorted(person.roles), "after": roles}} if "roles" in changed else {}),
            },
        )


async def sign_in_from_idp(db: Database, identity: IdpIdentity, *, session_hours: int) -> SsoSignIn:
    """The one way single sign-on opens a session (the protocol has checked the provider's proof).

    Refuses (SsoRefused, 403, `extra.reason`): `unknown-person` when just-in-time creation is off,
    `no-email`, `invalid-profile`, `deactivated`.
    """
    try:
        return await _sign_in(db, identity, session_hours)
    except asyncpg.UniqueViolationError:
        # a first sign-in of the same new person twice at once (two tabs): the other created them, so
        # this one now finds them
        return await _sign_in(db, identity, session_hours)


async def _sign_in(db: Database, identity: IdpIdentity, session_hours: int) -> SsoSignIn:
    async with db.transaction() as conn:
        settings = await sso_settings(db, conn)
        profile = map_profile(identity.attributes, settings.claims)
        found = await _find(conn, identity, profile)
        created = found is None
        if found is None:
            person_id, active = await _create(conn, identity, profile, settings), True
        else:
            person_id, active = found
        if not active:
            raise _refused(
                "deactivated", lazy_gettext("Your account here is deactivated: ask an administrator")
            )
        await queries.link_subject(conn, identity.issuer, identity.subject, person_id)
        if not created:
            await _sync(conn, person_id, identity, profile, settings)
        started = await start_session(conn, person_id, hours=session_hours, method=identity.protocol)
        await queries.record_session(
            conn, hash_secret(started.token), identity.issuer, identity.subject, identity.provider_session
        )
        person = await people.person_by_id(conn, person_id)
    assert person is not None
    return SsoSignIn(
        token=started.token,
        csrf_token=started.csrf_token,
        expires_at=started.expires_at,
        person_id=person_id,
        public_id=person.id,
        created=created,
    )


async def end_provider_sessions(
    db: Database, issuer: str, *, subject: str | None, provider_session: str | None
) -> int:
    """A provider's logout (OIDC back-channel, SAML SLO): end the web sessions its session opened here."""
    if subject is None and provider_session is None:
        return 0
    async with db.transaction() as conn:
        return await queries.end_provider_sessions(
            conn, issuer, subject=subject, provider_session=provider_session
        )


async def provider_session_of(db: Database, session_token: str) -> tuple[str, str, str | None] | None:
    """(issuer, subject, provider session) behind a web session, None when it was not opened by SSO."""
    async with db.connection() as conn:
        return await queries.provider_session_of(conn, hash_secret(session_token))
