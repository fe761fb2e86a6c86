"""Sources' HTTP face: the RSS/Atom sources curators manage and poll, and the Open Graph prefill of a draft
from a link (both fetch from outside through the same safe fetcher)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from advocacy.content.wiring import fetch_policy
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import Allow
from content_library.sources import service as sources
from content_library.sources.schemas import (
    OpenGraph,
    OpenGraphRequest,
    PollResult,
    SourceCreate,
    SourceRead,
    SourceUpdate,
)


class PrefillController(Controller):
    path = "/api/v1/content/items"
    tags = ["content"]
    guards = [Allow(Role.CURATOR, Role.REVIEWER)]

    @post("/prefill", operation_id="prefillFromLink", guards=[Allow(Role.CURATOR)], status_code=200)
    async def prefill(self, data: JSONBody[OpenGraphRequest], settings: SettingsDep) -> OpenGraph:
        """A page's Open Graph title, description and image, to prefill a draft."""
        return await sources.prefill(data.url, policy=fetch_policy(settings))


class SourceController(Controller):
    path = "/api/v1/content/sources"
    tags = ["content"]
    guards = [Allow(Role.CURATOR)]

    @get("/", operation_id="listContentSources")
    async def list_sources(self, db: DbDep) -> list[SourceRead]:
        """RSS/Atom sources and how their last poll went."""
        return await sources.list_sources(db)

    @post("/", operation_id="addContentSource")
    async def add(self, data: JSONBody[SourceCreate], db: DbDep, principal: PrincipalDep) -> SourceRead:
        """Add an RSS/Atom source; it is polled on a schedule and each new link becomes a draft."""
        return await sources.add_source(db, data, actor_id=principal.person_id)

    @patch("/{source_id:uuid}", operation_id="updateContentSource")
    async def update(self, source_id: FromPath[UUID], data: JSONBody[SourceUpdate], db: DbDep) -> SourceRead:
        """Change a source's name, URL, language, tags, campaign or whether it is polled."""
        return await sources.update_source(db, source_id, data)

    @delete("/{source_id:uuid}", operation_id="deleteContentSource")
    async def remove(self, source_id: FromPath[UUID], db: DbDep) -> None:
        """Remove a source; its drafts stay, and its links still never become drafts again."""
        await sources.remove_source(db, source_id)

    @post("/{source_id:uuid}/poll", operation_id="pollContentSource", status_code=200)
    async def poll(self, source_id: FromPath[UUID], db: DbDep, settings: SettingsDep) -> PollResult:
        """Poll one source now."""
        return await sources.poll_one(db, source_id, policy=fetch_policy(settings))
