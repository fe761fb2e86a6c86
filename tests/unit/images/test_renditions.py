"""Renditions: exact sizes, focal-point crops, formats and brand overlays."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from advocacy.core.errors import Invalid
from content_library.images.ingest import ImageType, ingest, sniff
from content_library.images.renditions import (
    RENDITION_SPECS,
    Corner,
    FrameOverlay,
    LogoOverlay,
    Rendition,
    RenditionSpec,
    crop_box,
    make_renditions,
)
from tests.unit.images._fixtures import encode, photo

GREY = (128, 128, 128)
RED = (255, 0, 0)


def decoded(rendition: Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    image.load()
    return image.convert("RGB")


def reddish(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    return bool(pixel[0] > 200 and pixel[1] < 70 and pixel[2] < 70)


def count_red(image: Image.Image) -> int:
    red, green, blue = image.split()
    mask = Image.merge(
        "RGB",
        (
            red.point(lambda v: 255 if v > 200 else 0),
            green.point(lambda v: 255 if v < 70 else 0),
            blue.point(lambda v: 255 if v < 70 else 0),
        ),
    ).convert("L")
    return sum(1 for value in mask.point(lambda v: 255 if v == 255 else 0).tobytes() if value)


@pytest.fixture(scope="module")
def master() -> bytes:
    return ingest(encode(photo(2400, 1600), "JPEG", quality=90), max_pixels=40_000_000).data


@pytest.fixture(scope="module")
def renditions(master: bytes) -> list[Rendition]:
    return make_renditions(master)


def test_every_spec_is_made_in_jpeg_and_webp_in_spec_order(renditions: list[Rendition]) -> None:
    expected = [(name, fmt) for name in RENDITION_SPECS for fmt in ("jpeg", "webp")]
    assert [(r.name, r.format) for r in renditions] == expected


def test_every_rendition_has_its_exact_size(renditions: list[Rendition]) -> None:
    expected = {
        "link": (1200, 627),
        "x": (1600, 900),
        "square": (1080, 1080),
        "portrait": (1080, 1350),
        "story": (1080, 1920),
        "thumbnail": (400, 267),  # 400 wide, 2400×1600's aspect
    }
    for rendition in renditions:
        image = Image.open(io.BytesIO(rendition.data))
        assert image.size == (rendition.width, rendition.height) == expected[rendition.name], rendition.name


def test_every_rendition_is_encoded_as_it_says(renditions: list[Rendition]) -> None:
    for rendition in renditions:
        kind = sniff(rendition.data)
        assert kind is not None
        assert (kind.value, kind.mime) == (rendition.format, rendition.mime)
        assert kind in (ImageType.JPEG, ImageType.WEBP)


def test_a_small_master_is_scaled_up_to_the_exact_sizes() -> None:
    small = encode(photo(300, 200), "JPEG")
    made = make_renditions(small, formats=("jpeg",))
    assert {(r.name, r.width, r.height) for r in made} >= {("story", 1080, 1920), ("thumbnail", 400, 267)}


def test_only_the_requested_formats_and_specs_are_made(master: bytes) -> None:
    made = make_renditions(master, formats=("webp",), specs=[RENDITION_SPECS["square"]])
    assert [(r.name, r.format, r.width, r.height) for r in made] == [("square", "webp", 1080, 1080)]


def test_a_png_master_with_alpha_keeps_it_in_webp_and_is_flattened_onto_white_in_jpeg() -> None:
    transparent = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    transparent.paste((255, 0, 0, 255), (300, 300, 500, 500))
    made = make_renditions(encode(transparent, "PNG"), specs=[RENDITION_SPECS["square"]])
    jpeg, webp = made
    assert decoded(jpeg).getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)
    webp_image = Image.open(io.BytesIO(webp.data))
    assert webp_image.mode == "RGBA"
    assert webp_image.getpixel((10, 10))[3] == 0  # type: ignore[index]


def focal_fixture() -> bytes:
    """A grey 2000×1000 picture with a red square centred at (1800, 500)."""
    image = Image.new("RGB", (2000, 1000), GREY)
    image.paste(RED, (1750, 450, 1850, 550))
    return encode(image, "PNG")


def test_a_focal_point_crop_keeps_the_focal_region() -> None:
    square = RENDITION_SPECS["square"]
    (centred,) = make_renditions(focal_fixture(), specs=[square], formats=("jpeg",))
    (focused,) = make_renditions(focal_fixture(), specs=[square], formats=("jpeg",), focal_x=0.9, focal_y=0.5)
    assert count_red(decoded(centred)) == 0, "a centred crop (500..1500) leaves the square out"
    assert count_red(decoded(focused)) > 100 * 100  # the 100 px square, scaled 1.08×
    assert reddish(decoded(focused).getpixel((864, 540)))  # (1800 - 1000) × 1.08, 500 × 1.08


def test_a_focal_point_at_the_corner_still_gives_a_full_crop_inside_the_image() -> None:
    made = make_renditions(focal_fixture(), specs=[RENDITION_SPECS["story"]], focal_x=1.0, focal_y=1.0)
    assert all((r.width, r.height) == (1080, 1920) for r in made)
    # the crop is the rightmost 562.5×1000, scaled 1.92×: the square lands at x 600..792, y 864..1056
    assert reddish(decoded(made[0]).getpixel((700, 960)))


@pytest.mark.parametrize(("focal_x", "focal_y"), [(-0.1, 0.5), (0.5, 1.5), (float("nan"), 0.5)])
def test_a_focal_point_outside_the_image_is_refused(master: bytes, focal_x: float, focal_y: float) -> None:
    with pytest.raises(Invalid, match="focal point"):
        make_renditions(master, focal_x=focal_x, focal_y=focal_y)


@given(
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
    target_width=st.integers(1, 2000),
    target_height=st.integers(1, 2000),
    focal_x=st.floats(0, 1),
    focal_y=st.floats(0, 1),
)
def test_the_crop_box_stays_inside_the_image_with_the_target_aspect(
    width: int, height: int, target_width: int, target_height: int, focal_x: float, focal_y: float
) -> None:
    left, top, right, bottom = crop_box(width, height, target_width, target_height, focal_x, focal_y)
    tolerance = 1e-6 * max(width, height)
    assert -tolerance <= left <= right <= width + tolerance
    assert -tolerance <= top <= bottom <= height + tolerance
    assert (right - left) / (bottom - top) == pytest.approx(target_width / target_height, rel=1e-6)
    assert right - left == pytest.approx(width, rel=1e-6) or bottom - top == pytest.approx(height, rel=1e-6)
    if left > tolerance and right < width - tolerance:
        assert (left + right) / 2 == pytest.approx(focal_x * width, abs=tolerance + 1e-6)


def plain_master() -> bytes:
    return encode(Image.new("RGB", (1600, 1600), GREY), "PNG")


def test_a_logo_overlay_lands_in_the_chosen_corner() -> None:
    logo = encode(Image.new("RGBA", (100, 50), (*RED, 255)), "PNG")
    overlay = LogoOverlay(logo=logo, corner=Corner.BOTTOM_RIGHT, size=0.2, margin=0.05)
    (made,) = make_renditions(
        plain_master(), specs=[RENDITION_SPECS["square"]], overlay=overlay, formats=("jpeg",)
    )
    image = decoded(made)
    # 1080 wide: the logo is 216×108, 54 px from the right and bottom edges
    assert reddish(image.getpixel((1080 - 54 - 108, 1080 - 54 - 54)))
    assert image.getpixel((1080 - 20, 1080 - 20)) == pytest.approx(GREY, abs=4)
    assert image.getpixel((100, 100)) == pytest.approx(GREY, abs=4)


def test_a_logo_overlay_respects_the_logo_transparency() -> None:
    ring = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ring.paste((*RED, 255), (0, 0, 100, 10))
    overlay = LogoOverlay(logo=encode(ring, "PNG"), corner=Corner.TOP_LEFT, size=0.25, margin=0.0)
    (made,) = make_renditions(
        plain_master(), specs=[RENDITION_SPECS["square"]], overlay=overlay, formats=("jpeg",)
    )
    image = decoded(made)
    assert reddish(image.getpixel((100, 5)))
    assert image.getpixel((100, 150)) == pytest.approx(GREY, abs=4)


def test_a_frame_overlay_colours_the_edges_only() -> None:
    overlay = FrameOverlay(color="#ff0000", width=0.05)
    (made,) = make_renditions(
        plain_master(), specs=[RENDITION_SPECS["square"]], overlay=overlay, formats=("jpeg",)
    )
    image = decoded(made)
    for edge in ((10, 540), (540, 10), (1070, 540), (540, 1070)):
        assert reddish(image.getpixel(edge)), edge
    assert image.getpixel((540, 540)) == pytest.approx(GREY, abs=4)


def test_the_thumbnail_is_never_branded() -> None:
    overlay = FrameOverlay(color="#ff0000", width=0.1)
    (made,) = make_renditions(plain_master(), specs=[RENDITION_SPECS["thumbnail"]], overlay=overlay)[:1]
    assert decoded(made).getpixel((2, 2)) == pytest.approx(GREY, abs=4)


def test_a_custom_spec_can_be_branded_or_not() -> None:
    overlay = FrameOverlay(color="#ff0000", width=0.1)
    branded = RenditionSpec(name="banner", width=300, height=100)
    (made,) = make_renditions(plain_master(), specs=[branded], overlay=overlay, formats=("jpeg",))
    assert reddish(decoded(made).getpixel((2, 2)))


@pytest.mark.parametrize(
    "overlay",
    [
        FrameOverlay(color="red", width=0.05),
        FrameOverlay(color="#ff0000", width=0.0),
        LogoOverlay(logo=b"", size=0.2),
        LogoOverlay(logo=b"%PDF-1.7", size=0.2),
        LogoOverlay(logo=encode(Image.new("RGB", (8, 8)), "PNG"), size=0.9),
    ],
)
def test_a_bad_overlay_is_refused(overlay: FrameOverlay | LogoOverlay) -> None:
    with pytest.raises(Invalid):
        make_renditions(plain_master(), overlay=overlay)


def test_an_unknown_format_is_refused(master: bytes) -> None:
    with pytest.raises(Invalid, match="jpeg or webp"):
        make_renditions(master, formats=("gif",))  # type: ignore[arg-type]


def test_a_broken_master_is_refused(master: bytes) -> None:
    with pytest.raises(Invalid, match="damaged or truncated"):
        make_renditions(master[: len(master) // 3])
