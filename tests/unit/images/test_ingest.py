"""Uploads: type sniffing, refusals before decoding, and what a cleaned master keeps and loses."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from advocacy.core.errors import Invalid
from content_library.images.ingest import (
    NEAR_DUPLICATE_DISTANCE,
    SNIFF_BYTES,
    ImageType,
    heic_supported,
    ingest,
    phash_distance,
    sniff,
)
from tests.unit.images._fixtures import encode, other_photo, photo, png_header_only, swapped_primaries_profile

LIMIT = 40_000_000


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("JPEG", ImageType.JPEG), ("PNG", ImageType.PNG), ("WEBP", ImageType.WEBP), ("GIF", ImageType.GIF)],
)
def test_the_type_is_read_from_the_leading_bytes(fmt: str, expected: ImageType) -> None:
    assert sniff(encode(photo(32, 24), fmt)[:SNIFF_BYTES]) is expected


@pytest.mark.parametrize(
    "head",
    [b"", b"%PDF-1.7\n", b"<svg xmlns='http://www.w3.org/2000/svg'>", b"BM6\x00\x00\x00", b"PK\x03\x04"],
)
def test_other_types_are_not_recognised(head: bytes) -> None:
    assert sniff(head) is None


def test_an_html_page_named_photo_jpg_is_refused_as_the_wrong_type() -> None:
    upload = {"filename": "photo.jpg", "content_type": "image/jpeg", "body": b"<html><script>x()</script>"}
    with pytest.raises(Invalid, match="not a supported image type"):
        ingest(upload["body"], max_pixels=LIMIT)  # type: ignore[arg-type]


def test_a_bitmap_is_refused_even_though_pillow_could_read_it() -> None:
    with pytest.raises(Invalid, match="not a supported image type"):
        ingest(encode(photo(32, 24), "BMP"), max_pixels=LIMIT)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid, match="empty"):
        ingest(b"", max_pixels=LIMIT)


def test_a_truncated_jpeg_is_refused_as_damaged() -> None:
    data = encode(photo(), "JPEG", quality=90)
    with pytest.raises(Invalid, match="damaged or truncated"):
        ingest(data[: len(data) // 2], max_pixels=LIMIT)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_other_truncated_images_are_refused_as_damaged(fmt: str) -> None:
    data = encode(photo(), fmt)
    with pytest.raises(Invalid, match="damaged or truncated"):
        ingest(data[: len(data) // 2], max_pixels=LIMIT)


def test_limits_given_to_concurrent_calls_do_not_leak_into_each_other() -> None:
    data = encode(photo(100, 100), "PNG")

    def outcome(limit: int) -> str:
        try:
            return f"accepted {ingest(data, max_pixels=limit).width}"
        except Invalid:
            return "refused"

    limits = [5_000, 20_000] * 8
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(outcome, limits))
    assert outcomes == ["refused", "accepted 100"] * 8


def test_a_jpeg_cut_inside_its_header_is_refused_as_damaged() -> None:
    with pytest.raises(Invalid, match="damaged or truncated"):
        ingest(encode(photo(), "JPEG")[:40], max_pixels=LIMIT)


def test_a_30000_by_30000_png_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(Invalid, match="pixels"):
        ingest(png_header_only(30_000, 30_000), max_pixels=LIMIT)


def test_an_image_over_our_own_limit_is_refused_before_decoding() -> None:
    with pytest.raises(Invalid, match=r"8,000×6,000|8000×6000") as refused:
        ingest(png_header_only(8_000, 6_000), max_pixels=LIMIT)
    assert refused.value.extra == {"width": 8000, "height": 6000, "max_pixels": LIMIT}


def test_pillow_bomb_warning_threshold_is_a_refusal_even_with_a_higher_limit() -> None:
    pixels = Image.MAX_IMAGE_PIXELS
    assert pixels is not None
    side = int((pixels * 1.2) ** 0.5)
    with pytest.raises(Invalid, match="pixels"), pytest.warns(Image.DecompressionBombWarning):
        ingest(png_header_only(side, side), max_pixels=10 * pixels)


def test_the_pixel_limit_is_per_call_not_global() -> None:
    data = encode(photo(100, 100), "PNG")
    with pytest.raises(Invalid):
        ingest(data, max_pixels=9_999)
    assert ingest(data, max_pixels=10_000).width == 100


def test_an_opaque_photo_becomes_a_jpeg_master_with_its_size() -> None:
    result = ingest(encode(photo(640, 480), "PNG"), max_pixels=LIMIT)
    assert (result.image_type, result.source_type) == (ImageType.JPEG, ImageType.PNG)
    assert (result.width, result.height, result.mime) == (640, 480, "image/jpeg")
    assert decoded(result.data).size == (640, 480)
    assert sniff(result.data) is ImageType.JPEG


def test_a_png_with_transparency_keeps_its_alpha_in_a_png_master() -> None:
    image = photo(200, 100).convert("RGBA")
    image.putpixel((0, 0), (10, 20, 30, 0))
    result = ingest(encode(image, "PNG"), max_pixels=LIMIT)
    assert result.has_alpha
    assert result.image_type is ImageType.PNG
    master = decoded(result.data)
    assert master.mode == "RGBA"
    assert master.getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert master.getpixel((100, 50))[3] == 255  # type: ignore[index]


def test_a_palette_png_with_a_transparent_index_keeps_its_transparency() -> None:
    image = Image.new("P", (40, 40), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(0, (0, 0, 20, 40))
    result = ingest(encode(image, "PNG", transparency=0), max_pixels=LIMIT)
    master = decoded(result.data)
    assert master.getpixel((5, 5))[3] == 0  # type: ignore[index]
    assert master.getpixel((30, 5)) == (255, 0, 0, 255)


def test_a_grey_image_with_alpha_is_handled() -> None:
    image = Image.new("LA", (20, 20), (128, 255))
    image.putpixel((0, 0), (128, 0))
    master = decoded(ingest(encode(image, "PNG"), max_pixels=LIMIT).data)
    assert master.mode == "RGBA"
    assert master.getpixel((10, 10)) == (128, 128, 128, 255)


def test_fully_opaque_alpha_is_dropped_for_a_jpeg_master() -> None:
    result = ingest(encode(photo(64, 64).convert("RGBA"), "PNG"), max_pixels=LIMIT)
    assert not result.has_alpha
    assert result.image_type is ImageType.JPEG


def test_a_cmyk_jpeg_becomes_rgb_with_the_right_colour() -> None:
    red_in_cmyk = Image.new("CMYK", (64, 64), (0, 255, 255, 0))
    master = decoded(ingest(encode(red_in_cmyk, "JPEG", quality=95), max_pixels=LIMIT).data)
    assert master.mode == "RGB"
    assert master.getpixel((32, 32)) == pytest.approx((255, 0, 0), abs=25)


def test_a_sixteen_bit_greyscale_png_keeps_its_tones_in_eight_bits() -> None:
    image = Image.new("I;16", (32, 32), 32896)  # mid-grey in 16 bits
    image.paste(65535, (16, 0, 32, 32))
    master = decoded(ingest(encode(image, "PNG"), max_pixels=LIMIT).data)
    assert master.getpixel((4, 4)) == pytest.approx((128, 128, 128), abs=2)
    assert master.getpixel((28, 4)) == pytest.approx((255, 255, 255), abs=2)


def test_a_png_transparent_colour_becomes_alpha() -> None:
    image = Image.new("RGB", (20, 20), (0, 0, 255))
    image.paste((255, 255, 255), (0, 0, 10, 20))
    result = ingest(encode(image, "PNG", transparency=(255, 255, 255)), max_pixels=LIMIT)
    master = decoded(result.data)
    assert result.has_alpha
    assert master.getpixel((5, 5))[3] == 0  # type: ignore[index]
    assert master.getpixel((15, 5)) == (0, 0, 255, 255)


def test_exif_orientation_6_is_applied_to_the_pixels() -> None:
    stored = Image.new("RGB", (200, 100), (255, 255, 255))
    stored.paste((255, 0, 0), (0, 0, 20, 20))  # red in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    result = ingest(encode(stored, "JPEG", exif=exif, quality=95), max_pixels=LIMIT)
    master = decoded(result.data)
    assert (result.width, result.height) == master.size == (100, 200)
    assert master.getpixel((90, 10)) == pytest.approx((255, 0, 0), abs=40), "the red corner is now top-right"
    assert master.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=8)
    assert 0x0112 not in master.getexif()


def test_gps_and_other_metadata_are_stripped() -> None:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    original = encode(photo(), "JPEG", exif=exif, comment=b"secret comment", icc_profile=b"")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the fixture must carry GPS"
    master_bytes = ingest(original, max_pixels=LIMIT).data
    master = decoded(master_bytes)
    assert not master.getexif()
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(master.info)
    assert b"CameraMaker" not in master_bytes
    assert b"secret comment" not in master_bytes
    assert b"Exif" not in master_bytes


def test_an_icc_tagged_image_is_converted_into_srgb() -> None:
    tagged_red = Image.new("RGB", (32, 32), (255, 0, 0))
    data = encode(tagged_red, "PNG", icc_profile=swapped_primaries_profile())
    master = decoded(ingest(data, max_pixels=LIMIT).data)
    assert master.getpixel((16, 16)) == pytest.approx((0, 255, 0), abs=25), "this red is sRGB green"
    assert "icc_profile" not in master.info


def test_a_broken_icc_profile_does_not_block_the_upload() -> None:
    data = encode(Image.new("RGB", (16, 16), (10, 200, 10)), "PNG", icc_profile=b"not a profile at all")
    master = decoded(ingest(data, max_pixels=LIMIT).data)
    assert master.getpixel((8, 8)) == pytest.approx((10, 200, 10), abs=6)


def test_an_animated_gif_keeps_its_first_frame() -> None:
    frames = [Image.new("RGB", (60, 40), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 3  # type: ignore[attr-defined]
    result = ingest(data, max_pixels=LIMIT)
    assert result.source_type is ImageType.GIF
    assert decoded(result.data).getpixel((30, 20)) == pytest.approx((255, 0, 0), abs=25)


def test_a_webp_upload_is_accepted() -> None:
    result = ingest(encode(photo(120, 80), "WEBP"), max_pixels=LIMIT)
    assert (result.source_type, result.width, result.height) == (ImageType.WEBP, 120, 80)


@pytest.mark.skipif(not heic_supported(), reason="pillow-heif is not installed")
def test_a_heic_upload_is_accepted_when_the_plugin_is_installed() -> None:
    data = encode(photo(128, 96), "HEIF", quality=80)
    assert sniff(data[:SNIFF_BYTES]) is ImageType.HEIC
    result = ingest(data, max_pixels=LIMIT)
    assert (result.source_type, result.image_type, result.width, result.height) == (
        ImageType.HEIC,
        ImageType.JPEG,
        128,
        96,
    )


def test_a_resized_recompressed_copy_is_a_near_duplicate() -> None:
    original = photo(800, 600)
    first = ingest(encode(original, "JPEG", quality=92), max_pixels=LIMIT)
    copy = ingest(encode(original.resize((400, 300)), "WEBP", quality=60), max_pixels=LIMIT)
    assert phash_distance(first.phash, copy.phash) <= NEAR_DUPLICATE_DISTANCE


def test_a_different_picture_is_not_a_near_duplicate() -> None:
    first = ingest(encode(photo(800, 600), "JPEG"), max_pixels=LIMIT)
    other = ingest(encode(other_photo(800, 600), "JPEG"), max_pixels=LIMIT)
    assert phash_distance(first.phash, other.phash) > NEAR_DUPLICATE_DISTANCE


def test_hashes_of_different_lengths_cannot_be_compared() -> None:
    with pytest.raises(ValueError, match="lengths"):
        phash_distance("ff00", "ff")


def test_the_placeholder_has_a_blurhash_and_the_dominant_colour() -> None:
    mostly_teal = Image.new("RGB", (300, 200), (0, 128, 128))
    mostly_teal.paste((250, 250, 0), (0, 0, 40, 40))
    placeholder = ingest(encode(mostly_teal, "PNG"), max_pixels=LIMIT).placeholder
    assert len(placeholder.blurhash) == 28  # 4×3 components
    colour = tuple(int(placeholder.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    assert colour == pytest.approx((0, 128, 128), abs=16)
