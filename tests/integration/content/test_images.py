"""Image uploads: bytes decide the type, bombs and broken files are clear 4xx; renditions by the job."""

from __future__ import annotations

import io

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from advocacy.content.wiring import storage_from_settings
from advocacy.db.pool import Database
from advocacy.settings import Settings
from content_library.images import service
from tests.conftest import problem
from tests.integration.content.conftest import Library, jpeg, upload
from tests.unit.images._fixtures import png_header_only


async def test_an_uploaded_jpeg_is_kept_with_pending_renditions_and_a_placeholder(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    curator = await library.curator()
    response = await upload(client, curator, item.id, jpeg())
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["renditions_state"] == "pending"
    assert image["width"] == 800
    assert image["placeholder"]["dominant_color"].startswith("#")


async def test_an_html_file_named_photo_jpg_is_refused_as_the_wrong_type(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    response = await upload(client, await library.curator(), item.id, b"<html><body>hi</body></html>" * 10)
    assert response.status_code == 415
    assert problem(response)["extra"]["reason"] == "type"


async def test_a_truncated_jpeg_is_refused_with_a_4xx(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    data = jpeg()
    response = await upload(client, await library.curator(), item.id, data[: len(data) // 2])
    assert response.status_code == 422
    problem(response)


async def test_a_30000_by_30000_png_bomb_is_refused_before_decoding(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    response = await upload(
        client,
        await library.curator(),
        item.id,
        png_header_only(30_000, 30_000),
        filename="bomb.png",
        content_type="image/png",
    )
    assert response.status_code == 422
    problem(response)


async def test_an_empty_file_is_refused(client: AsyncTestClient[Litestar], library: Library) -> None:
    item = await library.draft()
    response = await upload(client, await library.curator(), item.id, b"")
    assert response.status_code == 422
    assert problem(response)["extra"]["reason"] == "empty"


async def test_an_oversized_body_is_refused_with_413(settings: Settings, library: Library) -> None:
    from advocacy.app import create_app

    small = settings.replace(max_upload_bytes=50_000)
    item = await library.draft()
    curator = await library.curator()
    async with AsyncTestClient(app=create_app(small)) as client:
        response = await upload(client, curator, item.id, jpeg(1600, 1200, seed=3) + b"\0" * 100_000)
    assert response.status_code == 413
    problem(response)


async def test_a_raw_body_upload_works_too(client: AsyncTestClient[Litestar], library: Library) -> None:
    item = await library.draft()
    curator = await library.curator()
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buffer, "PNG")
    response = await client.post(
        f"/api/v1/content/items/{item.id}/images",
        content=buffer.getvalue(),
        headers={**curator.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text


async def test_a_near_duplicate_upload_is_flagged(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    curator = await library.curator()
    first = (await upload(client, curator, item.id, jpeg(seed=1))).json()
    second = (await upload(client, curator, item.id, jpeg(seed=1)[:])).json()
    assert second["near_duplicate_of"] == first["id"]


async def test_the_renditions_job_makes_every_size_served_with_etag_and_cache_headers(
    client: AsyncTestClient[Litestar], library: Library, db: Database, settings: Settings
) -> None:
    item = await library.draft()
    curator = await library.curator()
    image = (await upload(client, curator, item.id, jpeg())).json()
    async with db.connection() as conn:
        asset_id = await conn.fetchval("SELECT id FROM content_assets WHERE public_id = $1", image["id"])
    async with db.transaction() as conn:
        state = await service.make_asset_renditions(
            conn, storage_from_settings(settings), asset_id, max_pixels=settings.max_image_pixels
        )
    assert state == "ready"
    read = (await client.get(f"/api/v1/content/items/{item.id}", headers=curator.headers)).json()
    renditions = read["images"][0]["renditions"]
    assert {(r["name"], r["format"]) for r in renditions} >= {
        ("link", "jpeg"),
        ("link", "webp"),
        ("thumbnail", "jpeg"),
    }
    link = next(r for r in renditions if r["name"] == "link" and r["format"] == "jpeg")
    assert (link["width"], link["height"]) == (1200, 627)
    served = await client.get(link["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert "max-age" in served.headers["cache-control"]
    again = await client.get(link["url"], headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304


async def test_a_master_the_pipeline_refuses_fails_with_a_reason_and_can_be_rerun(
    client: AsyncTestClient[Litestar], library: Library, db: Database, settings: Settings
) -> None:
    item = await library.draft()
    curator = await library.curator()
    image = (await upload(client, curator, item.id, jpeg())).json()
    storage = storage_from_settings(settings)
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT id, storage_key FROM content_assets WHERE public_id = $1", image["id"]
        )
    original = await storage.get(row["storage_key"])
    await storage.put(row["storage_key"], b"broken", "image/jpeg")
    async with db.transaction() as conn:
        assert await service.make_asset_renditions(conn, storage, row["id"], max_pixels=10**8) == "failed"
    read = (await client.get(f"/api/v1/content/items/{item.id}", headers=curator.headers)).json()
    assert read["images"][0]["renditions_state"] == "failed"
    assert read["images"][0]["renditions_reason"]
    await storage.put(row["storage_key"], original, "image/jpeg")
    rerun = await client.post(
        f"/api/v1/content/items/{item.id}/images/{image['id']}/renditions", headers=curator.headers
    )
    assert rerun.json()["renditions_state"] == "pending"
    async with db.connection() as conn:
        jobs = await conn.fetchval("SELECT count(*) FROM outbox WHERE job = 'content.renditions'")
    assert jobs == 2
    async with db.transaction() as conn:
        assert await service.make_asset_renditions(conn, storage, row["id"], max_pixels=10**8) == "ready"


async def test_unknown_media_keys_are_not_found(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/media/images/ab/../../etc/passwd")).status_code == 404
    assert (await client.get("/media/images/ab/" + "0" * 32 + ".jpg")).status_code == 404


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_png(50_000_000, 1), "no side may be longer"),
        (b"\xff\xd8\xff" + b"\x00" * 4096, "damaged"),
    ],
    ids=["50000000x1-png", "jpeg-magic-then-zeros"],
)
async def test_an_image_pillow_or_jpeg_cannot_handle_is_a_422_and_stores_nothing(
    client: AsyncTestClient[Litestar], library: Library, db: Database, data: bytes, words: str
) -> None:
    item = await library.draft()
    response = await upload(client, await library.curator(), item.id, data, filename="x.png")
    assert response.status_code == 422, response.text
    assert words in problem(response)["detail"]
    assert await _assets(db) == 0


async def _assets(db: Database) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM content_assets"))
