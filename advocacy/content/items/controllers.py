"""Items' HTTP face: the library search, drafts created and edited, workflow moves, versions and their
differences."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.content.wiring import STORAGE, CampaignSlug, StorageDep, Text
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from advocacy.people import service as people
from content_library.items import service as items
from content_library.items.schemas import (
    ItemCreate,
    ItemRead,
    ItemUpdate,
    LibraryFilter,
    TransitionIn,
    TransitionRead,
    VersionDiff,
    VersionRead,
)
from content_library.schemas import Language, Network, Status

ItemPage = Annotated[Page[ItemRead], published_page("content_library.schemas.ItemRead")]


class ContentItemController(Controller):
    path = "/api/v1/content/items"
    tags = ["content"]
    guards = [Allow(Role.CURATOR, Role.REVIEWER)]
    dependencies = STORAGE

    @get("/", operation_id="searchContentItems")
    async def search(
        self,
        db: DbDep,
        storage: StorageDep,
        limit: Limit = 50,
        cursor: Cursor = None,
        q: Annotated[
            str | None, QueryParameter(max_length=300, description="Words, in French or English")
        ] = None,
        status: Annotated[Status | None, QueryParameter()] = None,
        tag: Text = None,
        campaign: CampaignSlug = None,
        network: Annotated[Network | None, QueryParameter()] = None,
        language: Annotated[Language | None, QueryParameter()] = None,
        author: Annotated[UUID | None, QueryParameter()] = None,
    ) -> ItemPage:
        """Search the library (full text in French and English, accents ignored), newest first."""
        flt = LibraryFilter(
            q=q.strip() or None if q else None,
            status=status,
            tag=tag.strip().lower() if tag else None,
            campaign=campaign,
            network=network,
            language=language,
            author=author,
        )
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: items.search_items(
                db, flt, after_id=after_id, limit=count, storage=storage
            ),
        )

    @post("/", operation_id="createContentItem", guards=[Allow(Role.CURATOR)])
    async def create(
        self, data: JSONBody[ItemCreate], db: DbDep, principal: PrincipalDep, storage: StorageDep
    ) -> ItemRead:
        """Create a draft."""
        return await items.create_item(
            db, data, actor_id=principal.person_id, teams=people.team_ids, storage=storage
        )

    @get("/{item_id:uuid}", operation_id="getContentItem")
    async def read(self, item_id: FromPath[UUID], db: DbDep, storage: StorageDep) -> ItemRead:
        """One item with its captions, images and renditions' state."""
        return await items.get_item(db, item_id, storage=storage)

    @patch("/{item_id:uuid}", operation_id="updateContentItem", guards=[Allow(Role.CURATOR)])
    async def update(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[ItemUpdate],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
    ) -> ItemRead:
        """Edit an item (a new version; an approved item goes back to review)."""
        return await items.update_item(
            db,
            item_id,
            data,
            actor_id=principal.person_id,
            roles=principal.roles,
            teams=people.team_ids,
            storage=storage,
        )

    @post("/{item_id:uuid}/transitions", operation_id="transitionContentItem", status_code=200)
    async def move(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[TransitionIn],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
    ) -> ItemRead:
        """Move an item through the workflow (submit, approve, send back, archive, restore)."""
        return await items.transition(
            db, item_id, data, actor_id=principal.person_id, roles=principal.roles, storage=storage
        )

    @get("/{item_id:uuid}/transitions", operation_id="listContentItemTransitions")
    async def history(self, item_id: FromPath[UUID], db: DbDep) -> list[TransitionRead]:
        """Every workflow move of an item: who, when, from, to, comment."""
        return await items.transitions(db, item_id)

    @get("/{item_id:uuid}/versions", operation_id="listContentItemVersions")
    async def versions(self, item_id: FromPath[UUID], db: DbDep) -> list[VersionRead]:
        """Every version of an item, newest first."""
        return await items.versions(db, item_id)

    @get("/{item_id:uuid}/versions/diff", operation_id="diffContentItemVersions")
    async def diff(
        self,
        item_id: FromPath[UUID],
        db: DbDep,
        from_version: Annotated[int, QueryParameter(name="from", ge=1)],
        to_version: Annotated[int, QueryParameter(name="to", ge=1)],
    ) -> VersionDiff:
        """What changed between two versions of an item."""
        return await items.diff_versions(db, item_id, from_version, to_version)
