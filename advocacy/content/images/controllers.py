"""Images' HTTP face: uploading an image to an item, changing it, re-running its renditions, removing it,
and serving stored images and renditions under /media."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from advocacy.content.uploads import upload_stream
from advocacy.content.wiring import STORAGE, UPLOAD_CEILING, StorageDep
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import PUBLIC, Allow
from advocacy.outbox.service import enqueue
from content_library.images import service as images
from content_library.images.schemas import AssetRead, ImageUpdate


class ImageController(Controller):
    path = "/api/v1/content/items"
    tags = ["content"]
    guards = [Allow(Role.CURATOR, Role.REVIEWER)]
    dependencies = STORAGE

    @post(
        "/{item_id:uuid}/images",
        operation_id="uploadContentImage",
        guards=[Allow(Role.CURATOR)],
        request_max_body_size=UPLOAD_CEILING,
        status_code=201,
    )
    async def upload(
        self,
        item_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        storage: StorageDep,
    ) -> AssetRead:
        """Upload an image (multipart field `file`, or the raw body); its type is read from its bytes."""
        return await images.add_image(
            db,
            storage,
            item_id,
            upload_stream(request, settings.max_upload_bytes),
            actor_id=principal.person_id,
            roles=principal.roles,
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            enqueue=enqueue,
        )

    @patch(
        "/{item_id:uuid}/images/{image_id:uuid}",
        operation_id="updateContentImage",
        guards=[Allow(Role.CURATOR)],
    )
    async def update_image(
        self,
        item_id: FromPath[UUID],
        image_id: FromPath[UUID],
        data: JSONBody[ImageUpdate],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
    ) -> AssetRead:
        """Set an image's alt text per language, focal point (renditions are remade) or position."""
        return await images.update_image(
            db, storage, item_id, image_id, data, roles=principal.roles, enqueue=enqueue
        )

    @post(
        "/{item_id:uuid}/images/{image_id:uuid}/renditions",
        operation_id="rerunContentRenditions",
        guards=[Allow(Role.CURATOR)],
        status_code=202,
    )
    async def rerun(
        self,
        item_id: FromPath[UUID],
        image_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
    ) -> AssetRead:
        """Make an image's renditions again (after a failure, or to pick up a new brand overlay)."""
        return await images.rerun_renditions(
            db, storage, item_id, image_id, roles=principal.roles, enqueue=enqueue
        )

    @delete(
        "/{item_id:uuid}/images/{image_id:uuid}",
        operation_id="deleteContentImage",
        guards=[Allow(Role.CURATOR)],
    )
    async def remove_image(
        self,
        item_id: FromPath[UUID],
        image_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
    ) -> None:
        """Remove an image and its renditions."""
        await images.delete_image(db, storage, item_id, image_id, roles=principal.roles)


class MediaController(Controller):
    path = "/media"
    tags = ["content"]
    guards = [PUBLIC]
    dependencies = STORAGE
    include_in_schema = False

    @get("/{key:path}", operation_id="getMedia")
    async def media(
        self, key: FromPath[str], request: Request[Any, Any, Any], db: DbDep, storage: StorageDep
    ) -> Response[Any]:
        """A stored image or rendition (keys are random; names never come from users)."""
        key = key.lstrip("/")
        found = await images.stored_file(db, key)
        headers = {
            "ETag": found.etag,
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        }
        match = request.headers.get("if-none-match")
        if (match and found.etag in [m.strip() for m in match.split(",")]) or match == "*":
            return Response(content=b"", status_code=304, headers=headers)
        chunks = await storage.open(key)
        headers["Content-Length"] = str(found.size_bytes)
        return Stream(chunks, media_type=found.content_type, headers=headers)
