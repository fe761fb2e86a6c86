"""The library settings' HTTP face: the default language and the brand overlay (a frame, or
an uploaded logo)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, put
from litestar.params import JSONBody, QueryParameter

from advocacy.content.uploads import upload_stream
from advocacy.content.wiring import STORAGE, UPLOAD_CEILING, StorageDep
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, SettingsDep
from advocacy.http.guards import Allow
from content_library.images import service as images
from content_library.images.renditions import LOGO_MAX_MARGIN, LOGO_MAX_SIZE, Corner
from content_library.settings import service as library
from content_library.settings.schemas import LibrarySettings, LibrarySettingsUpdate

BRAND_LOGO_MAX_BYTES = 2 * 1024 * 1024  # a logo is small; MAX_UPLOAD_BYTES applies too if lower
BRAND_LOGO_MAX_PIXELS = 16_000_000


class LibrarySettingsController(Controller):
    path = "/api/v1/content/settings"
    tags = ["content"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="getLibrarySettings", guards=[Allow(Role.CURATOR, Role.REVIEWER)])
    async def read(self, db: DbDep) -> LibrarySettings:
        """The organisation's content library settings (default language, brand overlay)."""
        return await library.library_settings(db)

    @patch("/", operation_id="updateLibrarySettings")
    async def update(self, data: JSONBody[LibrarySettingsUpdate], db: DbDep) -> LibrarySettings:
        """Change the content library settings."""
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        return await library.set_library_settings(db, **values)

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
