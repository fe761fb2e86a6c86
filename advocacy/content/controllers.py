"""Content library API: items, workflow, versions, images, campaigns, search, suggestions, sources, the
employee feed, library settings, and the media files themselves."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.content.feed.controllers import FeedController
from advocacy.content.images.controllers import ImageController, MediaController
from advocacy.content.sources.controllers import PrefillController, SourceController
from advocacy.content.suggestions.controllers import SuggestionController
from advocacy.content.uploads import upload_stream
from advocacy.content.wiring import STORAGE, UPLOAD_CEILING, StorageDep, Text
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow, Role
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_of
from content_library import queries, service
from content_library.errors import NotFound
from content_library.images import service as images
from content_library.images.renditions import LOGO_MAX_MARGIN, LOGO_MAX_SIZE, Corner
from content_library.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    Language,
    LibraryFilter,
    LibrarySettings,
    LogoMargin,
    LogoSize,
    Network,
    Status,
    TransitionIn,
    TransitionRead,
    VersionDiff,
    VersionRead,
)

BRAND_LOGO_MAX_BYTES = 2 * 1024 * 1024  # a logo is small; MAX_UPLOAD_BYTES applies too if lower
BRAND_LOGO_MAX_PIXELS = 16_000_000


class LibrarySettingsUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    allow_self_approval: bool | msgspec.UnsetType = msgspec.UNSET
    default_language: Language | msgspec.UnsetType | None = msgspec.UNSET
    brand_frame_color: (
        Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")] | msgspec.UnsetType | None
    ) = msgspec.UNSET
    brand_frame_width: Annotated[float, msgspec.Meta(gt=0, le=0.2)] | msgspec.UnsetType = msgspec.UNSET
    brand_logo_corner: Corner | msgspec.UnsetType = msgspec.UNSET
    brand_logo_size: LogoSize | msgspec.UnsetType = msgspec.UNSET
    brand_logo_margin: LogoMargin | msgspec.UnsetType = msgspec.UNSET


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
        campaign: Annotated[str | None, QueryParameter(max_length=80, description="Campaign slug")] = None,
        network: Annotated[Network | None, QueryParameter()] = None,
        language: Annotated[Language | None, QueryParameter()] = None,
        author: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Page[ItemRead]:
        """Search the library (full text in French and English, accents ignored), newest first."""
        after = decode_cursor(cursor, tuple[int])
        flt = LibraryFilter(
            q=q.strip() or None if q else None,
            status=status,
            tag=tag.strip().lower() if tag else None,
            campaign=campaign,
            network=network,
            language=language,
            author=author,
        )
        rows = await service.search_items(
            db, flt, after_id=after[0] if after else None, limit=limit + 1, storage=storage
        )
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[item for _, item in page.items], next_cursor=page.next_cursor)

    @post("/", operation_id="createContentItem", guards=[Allow(Role.CURATOR)])
    async def create(
        self, data: JSONBody[ItemCreate], db: DbDep, principal: PrincipalDep, storage: StorageDep
    ) -> ItemRead:
        """Create a draft."""
        return await service.create_item(db, data, actor_id=principal.person_id, storage=storage)

    @get("/{item_id:uuid}", operation_id="getContentItem")
    async def read(self, item_id: FromPath[UUID], db: DbDep, storage: StorageDep) -> ItemRead:
        """One item with its captions, images and renditions' state."""
        return await service.get_item(db, item_id, storage=storage)

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
        return await service.update_item(
            db, item_id, data, actor_id=principal.person_id, roles=principal.roles, storage=storage
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
        return await service.transition(
            db, item_id, data, actor_id=principal.person_id, roles=principal.roles, storage=storage
        )

    @get("/{item_id:uuid}/transitions", operation_id="listContentItemTransitions")
    async def history(self, item_id: FromPath[UUID], db: DbDep) -> list[TransitionRead]:
        """Every workflow move of an item: who, when, from, to, comment."""
        return await service.transitions(db, item_id)

    @get("/{item_id:uuid}/versions", operation_id="listContentItemVersions")
    async def versions(self, item_id: FromPath[UUID], db: DbDep) -> list[VersionRead]:
        """Every version of an item, newest first."""
        return await service.versions(db, item_id)

    @get("/{item_id:uuid}/versions/diff", operation_id="diffContentItemVersions")
    async def diff(
        self,
        item_id: FromPath[UUID],
        db: DbDep,
        from_version: Annotated[int, QueryParameter(name="from", ge=1)],
        to_version: Annotated[int, QueryParameter(name="to", ge=1)],
    ) -> VersionDiff:
        """What changed between two versions of an item."""
        return await service.diff_versions(db, item_id, from_version, to_version)


class CampaignController(Controller):
    path = "/api/v1/content/campaigns"
    tags = ["content"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listCampaigns")
    async def list_campaigns(self, db: DbDep, limit: Limit = 50, cursor: Cursor = None) -> Page[CampaignRead]:
        """Campaigns, newest first."""
        after = decode_cursor(cursor, tuple[int])
        async with db.connection() as conn:
            rows = await queries.campaigns_page(conn, after_id=after[0] if after else None, limit=limit + 1)
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[c for _, c in page.items], next_cursor=page.next_cursor)

    @post("/", operation_id="createCampaign", guards=[Allow(Role.CURATOR)])
    async def create(
        self, data: JSONBody[CampaignCreate], db: DbDep, principal: PrincipalDep
    ) -> CampaignRead:
        """Create a campaign."""
        return await service.create_campaign(db, data, actor_id=principal.person_id)

    @get("/{campaign_id:uuid}", operation_id="getCampaign")
    async def read(self, campaign_id: FromPath[UUID], db: DbDep) -> CampaignRead:
        """One campaign."""
        async with db.connection() as conn:
            found = await queries.campaign_by_public_id(conn, campaign_id)
        if found is None:
            raise NotFound("No such campaign.")
        return found

    @patch("/{campaign_id:uuid}", operation_id="updateCampaign", guards=[Allow(Role.CURATOR)])
    async def update(
        self, campaign_id: FromPath[UUID], data: JSONBody[CampaignUpdate], db: DbDep
    ) -> CampaignRead:
        """Change a campaign."""
        return await service.update_campaign(db, campaign_id, data)


class LibrarySettingsController(Controller):
    path = "/api/v1/content/settings"
    tags = ["content"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="getLibrarySettings", guards=[Allow(Role.CURATOR, Role.REVIEWER)])
    async def read(self, db: DbDep) -> LibrarySettings:
        """The organisation's content library settings (self-approval, default language, brand overlay)."""
        return await service.library_settings(db)

    @patch("/", operation_id="updateLibrarySettings")
    async def update(self, data: JSONBody[LibrarySettingsUpdate], db: DbDep) -> LibrarySettings:
        """Change the content library settings."""
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        return await service.set_library_settings(db, **values)

    @put(
        "/brand-logo",
        operation_id="setBrandLogo",
        dependencies=STORAGE,
        request_max_body_size=UPLOAD_CEILING,
    )
    async def set_logo(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        settings: SettingsDep,
        storage: StorageDep,
        corner: Annotated[Corner | None, QueryParameter()] = None,
        size: Annotated[float | None, QueryParameter(gt=0, le=LOGO_MAX_SIZE)] = None,
        margin: Annotated[float | None, QueryParameter(ge=0, le=LOGO_MAX_MARGIN)] = None,
    ) -> LibrarySettings:
        """Set the brand logo put on new renditions (multipart field `file` or the raw body, up to 2 MiB)."""
        max_bytes = min(settings.max_upload_bytes, BRAND_LOGO_MAX_BYTES)
        return await images.set_brand_logo(
            db,
            storage,
            upload_stream(request, max_bytes),
            max_bytes=max_bytes,
            max_pixels=min(settings.max_image_pixels, BRAND_LOGO_MAX_PIXELS),
            corner=corner,
            size=size,
            margin=margin,
        )

    @delete("/brand-logo", operation_id="deleteBrandLogo", dependencies=STORAGE)
    async def remove_logo(self, db: DbDep, storage: StorageDep) -> None:
        """Remove the brand logo; new renditions get the frame, if one is set, or nothing."""
        await images.remove_brand_logo(db, storage)


CONTENT_HANDLERS = [
    ContentItemController,
    PrefillController,
    ImageController,
    CampaignController,
    SuggestionController,
    SourceController,
    LibrarySettingsController,
    FeedController,
    MediaController,
]
