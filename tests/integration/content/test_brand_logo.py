"""The organisation's brand logo: uploaded by an admin, placed through the settings, drawn on new renditions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from advocacy.content.wiring import storage_from_settings
from advocacy.db.pool import Database
from advocacy.settings import Settings
from content_library.images import service
from tests.conftest import problem
from tests.factories import Factory, Someone
from tests.integration.content.conftest import Library, upload
from tests.unit.images._fixtures import encode, png_header_only

LOGO = "/api/v1/content/settings/brand-logo"
SETTINGS = "/api/v1/content/settings"
BLUE = (20, 60, 200)
RED = (255, 0, 0)
GREEN = (0, 255, 0)
YELLOW = (255, 220, 0)


def logo_png() -> bytes:
    """200×100: the left half fully transparent (green underneath, seen only if alpha were lost), the
    right half opaque red."""
    logo = Image.new("RGBA", (200, 100), (*GREEN, 0))
    logo.paste((*RED, 255), (100, 0, 200, 100))
    return encode(logo, "PNG")


def blue_jpeg() -> bytes:
    return encode(Image.new("RGB", (800, 600), BLUE), "JPEG", quality=95)


def near(pixel: Any, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.fixture
async def admin(factory: Factory) -> Someone:
    return await factory.person("admin", "employee")


async def put_logo(client: AsyncTestClient[Litestar], who: Someone, data: bytes, **placement: Any) -> Any:
    return await client.put(
        LOGO,
        params=placement,
        content=data,
        headers={**who.headers, "Content-Type": "application/octet-stream"},
    )


async def rendition_images(
    client: AsyncTestClient[Litestar],
    library: Library,
    db: Database,
    settings: Settings,
    *,
    item_id: Any = None,
) -> dict[tuple[str, str], Image.Image]:
    """Upload a plain blue photo (to a new draft unless given one), run the renditions job, and return
    every rendition decoded, by (name, format)."""
    curator = await library.curator()
    if item_id is None:
        item_id = (await library.draft()).id
    image = (await upload(client, curator, item_id, blue_jpeg())).json()
    await run_renditions(db, settings, image["id"])
    return await read_renditions(client, curator, item_id, image["id"])


async def run_renditions(db: Database, settings: Settings, image_id: Any) -> None:
    async with db.connection() as conn:
        asset_id = await conn.fetchval("SELECT id FROM content_assets WHERE public_id = $1", image_id)
    async with db.transaction() as conn:
        state = await service.make_asset_renditions(
            conn, storage_from_settings(settings), asset_id, max_pixels=settings.max_image_pixels
        )
    assert state == "ready"


async def read_renditions(
    client: AsyncTestClient[Litestar], who: Someone, item_id: Any, image_id: Any
) -> dict[tuple[str, str], Image.Image]:
    item = (await client.get(f"/api/v1/content/items/{item_id}", headers=who.headers)).json()
    image = next(i for i in item["images"] if i["id"] == str(image_id))
    decoded = {}
    for rendition in image["renditions"]:
        served = await client.get(rendition["url"])
        decoded[(rendition["name"], rendition["format"])] = Image.open(io.BytesIO(served.content)).convert(
            "RGB"
        )
    return decoded


def assert_logo_top_left(picture: Image.Image) -> None:
    """With corner top-left, size 0.25, margin 0.05 on a 1200-wide rendition: the logo is 300×150 at
    (60, 60); its transparent half shows the photo, its red half is red; everywhere else is the photo."""
    assert picture.size == (1200, 627)
    assert near(picture.getpixel((285, 135)), RED)  # the logo's opaque half
    assert near(picture.getpixel((135, 135)), BLUE)  # its transparent half: the photo, not green
    assert near(picture.getpixel((20, 20)), BLUE)  # the margin
    for elsewhere in ((1180, 20), (1000, 135), (20, 600), (1180, 600), (600, 313), (285, 300)):
        assert near(picture.getpixel(elsewhere), BLUE), elsewhere


async def test_a_png_logo_is_kept_with_its_transparency_under_a_generated_key(
    client: AsyncTestClient[Litestar], admin: Someone, settings: Settings
) -> None:
    response = await put_logo(client, admin, logo_png(), corner="top-left", size=0.25, margin=0.05)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["brand_logo_corner"], body["brand_logo_size"], body["brand_logo_margin"]) == (
        "top-left",
        0.25,
        0.05,
    )
    assert body["brand_logo_key"].startswith("brand/") and body["brand_logo_key"].endswith(".png")
    stored = Image.open(io.BytesIO(await storage_from_settings(settings).get(body["brand_logo_key"])))
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert stored.getpixel((50, 50))[3] == 0 and stored.getpixel((150, 50)) == (*RED, 255)
    assert (await client.get(SETTINGS, headers=admin.headers)).json()["brand_logo_key"] == body[
        "brand_logo_key"
    ]


async def test_a_multipart_logo_upload_works_too(client: AsyncTestClient[Litestar], admin: Someone) -> None:
    response = await client.put(
        LOGO, files={"file": ("logo.png", logo_png(), "image/png")}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["brand_logo_key"]


async def test_a_rendition_made_after_setting_a_logo_has_it_in_the_chosen_corner_and_nowhere_else(
    client: AsyncTestClient[Litestar], library: Library, admin: Someone, db: Database, settings: Settings
) -> None:
    await put_logo(client, admin, logo_png(), corner="top-left", size=0.25, margin=0.05)
    renditions = await rendition_images(client, library, db, settings)
    assert_logo_top_left(renditions[("link", "jpeg")])
    assert_logo_top_left(renditions[("link", "webp")])
    square = renditions[("square", "jpeg")]  # 1080 wide: logo 270×135 at (54, 54)
    assert near(square.getpixel((260, 120)), RED)
    assert near(square.getpixel((1000, 1000)), BLUE)
    thumbnail = renditions[("thumbnail", "jpeg")]  # never branded
    assert all(near(thumbnail.getpixel((x, y)), BLUE) for x in (5, 100, 395) for y in (5, 100, 295))


async def test_the_logo_takes_precedence_over_the_frame(
    client: AsyncTestClient[Litestar], library: Library, admin: Someone, db: Database, settings: Settings
) -> None:
    await client.patch(SETTINGS, json={"brand_frame_color": "#ffdc00"}, headers=admin.headers)
    framed = (await rendition_images(client, library, db, settings))[("link", "jpeg")]
    assert near(framed.getpixel((2, 300)), YELLOW)
    await put_logo(client, admin, logo_png(), corner="top-left", size=0.25, margin=0.05)
    branded = (await rendition_images(client, library, db, settings))[("link", "jpeg")]
    assert_logo_top_left(branded)
    assert near(branded.getpixel((2, 300)), BLUE)


async def test_the_logo_placement_is_edited_through_the_settings(
    client: AsyncTestClient[Litestar], library: Library, admin: Someone, db: Database, settings: Settings
) -> None:
    await put_logo(client, admin, logo_png())
    response = await client.patch(
        SETTINGS,
        json={"brand_logo_corner": "bottom-right", "brand_logo_size": 0.1, "brand_logo_margin": 0},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["brand_logo_key"]  # placement edits keep the logo
    link = (await rendition_images(client, library, db, settings))[("link", "jpeg")]
    # 120×60 flush in the bottom-right corner: its red half is x 1140..1200, y 567..627
    assert near(link.getpixel((1170, 597)), RED)
    assert near(link.getpixel((1110, 597)), BLUE)
    assert near(link.getpixel((30, 30)), BLUE)


@pytest.mark.parametrize(
    "change",
    [
        {"brand_logo_size": 0},
        {"brand_logo_size": 0.6},
        {"brand_logo_margin": -0.01},
        {"brand_logo_margin": 0.25},
        {"brand_logo_corner": "centre"},
        {"brand_logo_key": "images/ab/abcdef.png"},
    ],
)
async def test_placement_out_of_bounds_is_a_422_and_changes_nothing(
    client: AsyncTestClient[Litestar], admin: Someone, change: dict[str, Any]
) -> None:
    before = (await client.get(SETTINGS, headers=admin.headers)).json()
    response = await client.patch(SETTINGS, json=change, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert next(iter(change)) in str(problem(response))
    assert (await client.get(SETTINGS, headers=admin.headers)).json() == before


@pytest.mark.parametrize("placement", [{"size": 0.9}, {"margin": 0.5}, {"corner": "middle"}])
async def test_a_logo_upload_with_placement_out_of_bounds_is_a_422(
    client: AsyncTestClient[Litestar], admin: Someone, placement: dict[str, Any]
) -> None:
    response = await put_logo(client, admin, logo_png(), **placement)
    assert response.status_code == 422, response.text
    problem(response)
    assert (await client.get(SETTINGS, headers=admin.headers)).json()["brand_logo_key"] is None


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"<html><body>not a logo</body></html>", 415),
        (b"", 422),
        (logo_png()[:120], 422),  # truncated
        (png_header_only(30_000, 30_000), 422),  # a bomb's header
        (logo_png() + b"\0" * (2 * 1024 * 1024), 413),  # over the 2 MiB logo limit
    ],
    ids=["html", "empty", "truncated", "bomb", "oversized"],
)
async def test_a_logo_that_is_not_a_usable_image_is_refused_and_leaves_nothing_behind(
    client: AsyncTestClient[Litestar], admin: Someone, settings: Settings, data: bytes, status: int
) -> None:
    media = settings.data_path / "media"
    before = {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()
    response = await put_logo(client, admin, data)
    assert response.status_code == status, response.text
    problem(response)
    assert (await client.get(SETTINGS, headers=admin.headers)).json()["brand_logo_key"] is None
    assert {p for p in media.rglob("*") if p.is_file()} <= before


async def test_deleting_the_logo_gives_the_next_renditions_none_and_deletes_the_file(
    client: AsyncTestClient[Litestar], library: Library, admin: Someone, db: Database, settings: Settings
) -> None:
    key = (await put_logo(client, admin, logo_png(), corner="top-left", size=0.25, margin=0.05)).json()[
        "brand_logo_key"
    ]
    response = await client.delete(LOGO, headers=admin.headers)
    assert response.status_code == 204
    assert (await client.get(SETTINGS, headers=admin.headers)).json()["brand_logo_key"] is None
    assert not await storage_from_settings(settings).exists(key)
    link = (await rendition_images(client, library, db, settings))[("link", "jpeg")]
    assert near(link.getpixel((285, 135)), BLUE)
    assert (await client.delete(LOGO, headers=admin.headers)).status_code == 204  # nothing left: still fine


async def test_a_new_logo_replaces_the_old_file(
    client: AsyncTestClient[Litestar], admin: Someone, settings: Settings
) -> None:
    first = (await put_logo(client, admin, logo_png())).json()["brand_logo_key"]
    second = (await put_logo(client, admin, logo_png())).json()["brand_logo_key"]
    storage = storage_from_settings(settings)
    assert first != second
    assert (await storage.exists(first), await storage.exists(second)) == (False, True)


async def test_existing_renditions_keep_their_overlay_until_rerun(
    client: AsyncTestClient[Litestar], library: Library, admin: Someone, db: Database, settings: Settings
) -> None:
    curator = await library.curator()
    item = await library.draft()
    image = (await upload(client, curator, item.id, blue_jpeg())).json()
    await run_renditions(db, settings, image["id"])
    await put_logo(client, admin, logo_png(), corner="top-left", size=0.25, margin=0.05)
    before = (await read_renditions(client, curator, item.id, image["id"]))[("link", "jpeg")]
    assert near(before.getpixel((285, 135)), BLUE)
    rerun = await client.post(
        f"/api/v1/content/items/{item.id}/images/{image['id']}/renditions", headers=curator.headers
    )
    assert rerun.status_code == 202
    await run_renditions(db, settings, image["id"])
    assert_logo_top_left((await read_renditions(client, curator, item.id, image["id"]))[("link", "jpeg")])


async def test_only_admins_set_or_remove_the_logo(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    assert (await put_logo(client, curator, logo_png())).status_code == 403
    assert (await client.delete(LOGO, headers=curator.headers)).status_code == 403
    assert (await client.put(LOGO, content=logo_png())).status_code == 401
