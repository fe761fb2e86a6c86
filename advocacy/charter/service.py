"""Charter versions (drafts, activation: exactly one active), import/export, and checking texts against them:
live feedback, the share flow's check, trying a draft, and what a draft would change.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.charter import queries
from advocacy.charter.cache import CharterCache, CompiledVersion
from advocacy.charter.engine import CheckContent, CompiledCharter, Verdict
from advocacy.charter.networks import limit_for
from advocacy.charter.rules import Category, CharterRules
from advocacy.charter.schemas import (
    ActivationRead,
    ChangedDecision,
    CharterDraftCreate,
    CharterFormat,
    CharterRead,
    CharterReading,
    CharterTraining,
    CheckRequest,
    KeptText,
    TryRequest,
    WhatIfReport,
)
from advocacy.charter.summary import summarise
from advocacy.charter.training import check_training, training_for_reading
from advocacy.core.errors import Conflict, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.language import Language
from advocacy.core.networks import Network
from advocacy.core.untrusted import check_decoded, too_deep
from advocacy.db.pool import Database

# Texts holding these are not kept for the what-if report: a phone number or a leaked key must not be stored.
_NOT_KEPT = frozenset({Category.PERSONAL_DATA, Category.SECRETS})


async def active_charter(db: Database) -> CharterRead:
    async with db.connection() as conn:
        charter = await queries.active_charter(conn)
    if charter is None:
        raise NotFound(lazy_gettext("No charter is active yet: compliance must activate one"))
    return charter


async def charter_for_reading(db: Database, language: str) -> CharterReading:
    """The charter in force with a summary of its machine rules and its training (no answers), in the
    reader's language."""
    async with db.connection() as conn:
        charter = await queries.active_charter(conn)
        if charter is None:
            raise NotFound(lazy_gettext("No charter is active yet: compliance must activate one"))
        raw = await queries.charter_rules(conn, charter.version)
        training = await queries.charter_training_by_version(conn, charter.version)
        required = await queries.training_required(conn) if training else False
    rules = msgspec.convert(raw or {}, CharterRules)
    return CharterReading(
        **msgspec.structs.asdict(charter),
        rules=summarise(rules, Language(language)),
        training=training_for_reading(training, language, required=required),
    )


async def list_charters(db: Database) -> list[CharterRead]:
    async with db.connection() as conn:
        return await queries.charters(conn)


async def _insert_draft(
    conn: asyncpg.Connection, body: CharterDraftCreate, actor_id: int | None
) -> CharterRead:
    check_training(body.training)
    charter = await queries.insert_draft(
        conn,
        title=body.title,
        body_fr=body.body_fr,
        body_en=body.body_en,
        material_change=body.material_change,
        rules=msgspec.to_builtins(body.rules),
        created_by=actor_id,
        training=None if body.training is msgspec.UNSET else msgspec.to_builtins(body.training),
    )
    await write_audit(
        conn,
        actor_id=actor_id,
        action="charter.drafted",
        subject_type="charter",
        subject_id=str(charter.version),
    )
    return charter


async def _activate(conn: asyncpg.Connection, version: int, actor_id: int | None) -> CharterRead:
    existing = await queries.charter_by_version(conn, version)
    if existing is None:
        raise NotFound(lazy_gettext("There is no charter version %(version)s", version=version))
    charter = await queries.activate(conn, version, activated_by=actor_id)
    if charter is None:
        raise Conflict(
            lazy_gettext(
                "Charter version %(version)s is %(status)s; only a draft can be activated",
                version=version,
                status=existing.status,
            )
        )
    await write_audit(
        conn,
        actor_id=actor_id,
        action="charter.activated",
        subject_type="charter",
        subject_id=str(version),
        detail={"material_change": charter.material_change},
    )
    return charter


async def create_draft(db: Database, body: CharterDraftCreate, *, actor_id: int | None) -> CharterRead:
    """A new draft version; its rules were validated as `CharterRules` when the body was decoded."""
    if not isinstance(body.rules, CharterRules):  # a Struct built in code is not validated by msgspec
        raise Invalid(lazy_gettext("charter rules must be CharterRules"))
    async with db.transaction() as conn:
        return await _insert_draft(conn, body, actor_id)


async def activate(db: Database, version: int, *, actor_id: int | None) -> CharterRead:
    async with db.transaction() as conn:
        return await _activate(conn, version, actor_id)


def parse_charter_document(data: bytes | str, fmt: CharterFormat) -> CharterDraftCreate:
    """A charter document (title, FR/EN texts, material_change, rules) from TOML or JSON; `Invalid` if bad."""
    try:
        if fmt == "toml":
            document = msgspec.toml.decode(data, type=CharterDraftCreate)
        else:
            document = msgspec.json.decode(data, type=CharterDraftCreate)
    except RecursionError:
        raise too_deep(document=True) from None
    except msgspec.DecodeError as error:
        raise Invalid(lazy_gettext("charter document (%(fmt)s): %(error)s", fmt=fmt, error=error)) from error
    except UnicodeDecodeError:
        raise Invalid(
            lazy_gettext("charter document (%(fmt)s): the file is not UTF-8 encoded", fmt=fmt)
        ) from None
    check_decoded(msgspec.to_builtins(document), "body", document=True)
    return document


async def import_charter(
    db: Database, document: CharterDraftCreate, *, activate: bool, actor_id: int | None
) -> CharterRead:
    """Draft a version from a document and, if asked, put it in force in the same transaction."""
    async with db.transaction() as conn:
        charter = await _insert_draft(conn, document, actor_id)
        if activate:
            charter = await _activate(conn, charter.version, actor_id)
    return charter


async def export_charter(db: Database, version: int | None, fmt: CharterFormat) -> tuple[CharterRead, bytes]:
    """A version (the active one by default) as a document `import_charter` reads back unchanged."""
    async with db.connection() as conn:
        charter = (
            await queries.active_charter(conn)
            if version is None
            else await queries.charter_by_version(conn, version)
        )
        if charter is None:
            raise NotFound(
                "No charter is active yet" if version is None else f"There is no charter version {version}"
            )
        raw = await queries.charter_rules(conn, charter.version)
        training = await queries.charter_training_by_version(conn, charter.version)
    document = CharterDraftCreate(
        title=charter.title,
        body_fr=charter.body_fr,
        body_en=charter.body_en,
        material_change=charter.material_change,
        rules=msgspec.convert(raw or {}, CharterRules),
        training=msgspec.convert(training, CharterTraining) if training else msgspec.UNSET,
    )
    if fmt == "json":
        return charter, msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"
    header = f"# Charter version {charter.version} ({charter.status}), exported by advocacy.\n".encode()
    return charter, header + msgspec.toml.encode(document)


def _keep(verdict: Verdict) -> bool:
    return not any(finding.category in _NOT_KEPT for finding in verdict.findings)


async def check_share_text(
    conn: asyncpg.Connection,
    charters: CharterCache,
    *,
    text: str,
    network: str,
    language: str,
    content: CheckContent | None,
    at: datetime | None = None,
    reader_language: str | None = None,
) -> tuple[Verdict, int]:
    """The share flow's check against the version in force: the verdict and the `charters.id` that made it.

    Runs on the caller's connection (inside the share's transaction). The text is kept in the what-if ring
    buffer unless it holds personal data or a secret. Raises `Invalid` for bad input, NotFound if no version
    is active.
    """
    network_member = _member(Network, network, "network")
    language_member = _member(Language, language, "language")
    reader = _member(Language, reader_language, "reader language") if reader_language else None
    compiled = await charters.active(conn)
    verdict = compiled.charter.check(
        text,
        network=network_member,
        language=language_member,
        content=content,
        at=at,
        message_language=reader,
    )
    if _keep(verdict):
        await queries.record_checked_text(
            conn,
            text=text,
            text_sha256=verdict.text_sha256,
            network=network_member.value,
            language=language_member.value,
            content=msgspec.to_builtins(content) if content is not None else None,
            decision=verdict.decision.value,
            charter_id=compiled.charter_id,
        )
    return verdict, compiled.charter_id


_E = TypeVar("_E", Network, Language)


def _member(kind: type[_E], value: str, what: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise Invalid(
            lazy_gettext(
                "unknown %(what)s %(value)s; expected one of %(choices)s",
                what=what,
                value=repr(value),
                choices=choices,
            )
        ) from None


async def check_text(
    db: Database, charters: CharterCache, body: CheckRequest, *, reader_language: str
) -> Verdict:
    """Live feedback while someone types: the verdict of the version in force; nothing is kept."""
    compiled = await charters.active_from(db)
    return compiled.charter.check(
        body.text,
        network=body.network,
        language=body.language,
        content=body.content,
        message_language=Language(reader_language),
    )


class ComposerRules(msgspec.Struct, frozen=True, kw_only=True):
    """What a composer shows of the charter in force for one network and language: the network's length
    limit (in its own unit, `networks.length`) and the hashtag that discloses an employee's post (None: the
    charter asks for none)."""

    max_length: int
    disclosure_tag: str | None


async def composer_rules(db: Database, charters: CharterCache, network: str, language: str) -> ComposerRules:
    rules = (await charters.active_from(db)).charter.rules
    tags = rules.disclosure.tags(Language(language))
    return ComposerRules(
        max_length=limit_for(Network(network), rules.networks.limits).max_length,
        disclosure_tag=tags[0] if rules.disclosure.rewards_sharing and tags else None,
    )


async def try_text(
    db: Database, charters: CharterCache, version: int, body: TryRequest, *, reader_language: str
) -> Verdict:
    """Judge a text against any version (typically a draft before activating it); nothing is kept."""
    async with db.connection() as conn:
        compiled = await charters.version(conn, version)
    return compiled.charter.check(
        body.text,
        network=body.network,
        language=body.language,
        content=body.content,
        at=body.at,
        message_language=Language(reader_language),
    )


async def what_if(
    db: Database, charters: CharterCache, version: int, *, at: datetime | None, reader_language: str
) -> WhatIfReport:
    """Which kept texts would change decision if `version` replaced the version in force, both judged at `at`."""
    at = at or datetime.now(UTC)
    async with db.connection() as conn:
        draft = await charters.version(conn, version)
        try:
            active: CompiledVersion | None = await charters.active(conn)
        except NotFound:
            active = None
        kept = await queries.kept_texts(conn)
    changed = await asyncio.to_thread(
        _changed_decisions,
        kept,
        draft.charter,
        active.charter if active else None,
        at,
        Language(reader_language),
    )
    return WhatIfReport(
        draft_version=version,
        active_version=active.version if active else None,
        at=at,
        texts_considered=len(kept),
        changed=changed,
    )


def _changed_decisions(
    kept: list[KeptText],
    draft: CompiledCharter,
    active: CompiledCharter | None,
    at: datetime,
    reader: Language,
) -> list[ChangedDecision]:
    changed: list[ChangedDecision] = []
    for item in kept:
        try:
            new = draft.check(
                item.text,
                network=item.network,
                language=item.language,
                content=item.content,
                at=at,
                message_language=reader,
            )
            old = (
                active.check(
                    item.text, network=item.network, language=item.language, content=item.content, at=at
                ).decision
                if active is not None
                else item.decision
            )
        except Invalid:  # a text kept under older limits; nothing to compare
            continue
        if new.decision != old:
            changed.append(
                ChangedDecision(
                    text=item.text,
                    network=item.network,
                    language=item.language,
                    checked_at=item.checked_at,
                    active_decision=old,
                    draft_decision=new.decision,
                    draft_findings=new.findings,
                )
            )
    return changed


async def activation_history(
    db: Database, *, before_id: int | None, limit: int
) -> list[tuple[int, ActivationRead]]:
    async with db.connection() as conn:
        return await queries.activations_page(conn, before_id=before_id, limit=limit)


async def active_charter_id_and_version(conn: asyncpg.Connection) -> tuple[int, int] | None:
    """(id, version) of the charter in force, read in the caller's transaction; None before any is active."""
    return await queries.active_charter_id_and_version(conn)
