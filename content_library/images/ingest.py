"""The image pipeline's first half: type sniffing, safe decoding (bomb refusal, orientation, sRGB) and
ingest (metadata stripped, a cleaned master, perceptual hash, placeholder).

Pure and synchronous: bytes in, bytes and Structs out, no files, no network. CPU-bound, so async
callers run these functions in a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import functools
import importlib
import io
import struct
from enum import StrEnum

import blurhash
import imagehash
import msgspec
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext

DEFAULT_MAX_PIXELS = 40_000_000
"""A sensible `max_pixels` for uploads (40 MP: larger than any phone camera, far below a bomb)."""

SNIFF_BYTES = 64
"""How many leading bytes `sniff` wants to see (fewer may miss HEIC brands)."""

NEAR_DUPLICATE_DISTANCE = 10
"""Two perceptual hashes at most this many bits apart (of 64) are the same picture."""

MASTER_JPEG_QUALITY = 90


class ImageType(StrEnum):
    """An image type we accept, as decided from the file's leading bytes."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    GIF = "gif"
    HEIC = "heic"

    @property
    def mime(self) -> str:
        return f"image/{self.value}"

    @property
    def extension(self) -> str:
        return "jpg" if self is ImageType.JPEG else self.value


_PILLOW_FORMAT = {
    ImageType.JPEG: ("JPEG", "MPO"),
    ImageType.PNG: ("PNG",),
    ImageType.WEBP: ("WEBP",),
    ImageType.GIF: ("GIF",),
    ImageType.HEIC: ("HEIF",),
}
# Brands that mean HEVC-coded HEIF; bare `mif1` may also be AVIF, which we do not decode.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})


class Placeholder(msgspec.Struct, frozen=True, kw_only=True):
    """What a page shows while the image loads."""

    blurhash: str
    dominant_color: str  # "#rrggbb"


class IngestedImage(msgspec.Struct, frozen=True, kw_only=True):
    """A cleaned master: metadata gone, orientation applied, sRGB; JPEG when opaque, PNG when it has alpha."""

    data: bytes
    image_type: ImageType  # of `data`: JPEG or PNG
    source_type: ImageType  # what was uploaded
    width: int
    height: int
    has_alpha: bool
    phash: str  # 16 hex digits; compare with `phash_distance`
    placeholder: Placeholder

    @property
    def mime(self) -> str:
        return self.image_type.mime


# --- type sniffing -------------------------------------------------------------------------------


@functools.cache
def heic_supported() -> bool:
    """Whether the `pillow-heif` plugin is installed (registered with Pillow on first call)."""
    try:
        pillow_heif = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def sniff(head: bytes) -> ImageType | None:
    """The image type announced by the leading bytes (pass at least SNIFF_BYTES), or None if not ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return ImageType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageType.PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ImageType.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageType.WEBP
    if head[4:8] == b"ftyp" and _heif_brands(head) & _HEIC_BRANDS and heic_supported():
        return ImageType.HEIC
    return None


def _heif_brands(head: bytes) -> set[bytes]:
    box_size = int.from_bytes(head[:4], "big")
    end = min(len(head), box_size) if box_size >= 16 else 0
    brands = {head[8:12]} if end else set()
    brands.update(head[offset : offset + 4] for offset in range(16, end - 3, 4))
    return brands


# --- safe decoding -------------------------------------------------------------------------------

# JPEG cannot encode a side longer than 65 535 pixels, and every kept image is re-encoded as JPEG or PNG.
MAX_SIDE = 65_500

# KeyError: Pillow's JPEG plugin on a JPEG signature followed by zeros (it looks up an 'MPO' it never read)
_BROKEN = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
)


def open_image(data: bytes, *, max_pixels: int, what: str = "image") -> Image.Image:
    """Open (header only) and refuse anything we will not decode: wrong type, too many pixels."""
    if not data:
        raise Invalid(lazy_gettext("The %(what)s file is empty.", what=what))
    kind = sniff(data[:SNIFF_BYTES])
    if kind is None:
        accepted = "JPEG, PNG, WebP, GIF" + (" or HEIC" if heic_supported() else "")
        raise Invalid(
            lazy_gettext(
                "The %(what)s is not a supported image type (%(accepted)s).", what=what, accepted=accepted
            )
        )
    try:
        image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMAT[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(
            lazy_gettext("The %(what)s has too many pixels to be processed safely.", what=what)
        ) from exc
    except _BROKEN as exc:
        raise Invalid(
            lazy_gettext("The %(what)s is damaged or truncated and cannot be read.", what=what)
        ) from exc
    width, height = image.size
    # Pillow's own threshold only warns; we refuse at it too, without touching global warning filters.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if max(width, height) > MAX_SIDE:
        image.close()
        raise Invalid(
            lazy_gettext(
                "The %(what)s is %(width)s×%(height)s pixels; no side may be longer than %(MAX_SIDE)s pixels.",
                what=what,
                width=width,
                height=height,
                MAX_SIDE=format(MAX_SIDE, ","),
            ),
            extra={"width": width, "height": height, "max_side": MAX_SIDE},
        )
    if width <= 0 or height <= 0 or width * height > limit:
        image.close()
        raise Invalid(
            lazy_gettext(
                "The %(what)s is %(width)s×%(height)s pixels (%(value)s); the limit is %(limit)s pixels.",
                what=what,
                width=width,
                height=height,
                value=format(width * height, ","),
                limit=format(limit, ","),
            ),
            extra={"width": width, "height": height, "max_pixels": limit},
        )
    return image


def decode_image(image: Image.Image, *, what: str = "image") -> Image.Image:
    """Decode the first frame, oriented, in sRGB, as RGB or RGBA."""
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(
            lazy_gettext("The %(what)s has too many pixels to be processed safely.", what=what)
        ) from exc
    except _BROKEN as exc:
        raise Invalid(
            lazy_gettext("The %(what)s is damaged or truncated and cannot be read.", what=what)
        ) from exc
    decoded = _to_srgb(image)
    decoded.info = {}
    return decoded


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, using the embedded ICC profile when there is a usable one."""
    if image.mode in ("P", "PA") or (image.mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA")  # a transparent palette index or tRNS colour becomes real alpha
    elif image.mode.startswith("I") or image.mode == "F":
        image = _to_8_bit(image)
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA", "La", "RGBa") else None
    if alpha is not None and alpha.getextrema() == (255, 255):
        alpha = None
    base_mode = {"RGBA": "RGB", "RGBa": "RGB", "LA": "L", "La": "L"}.get(image.mode, image.mode)
    base = image.convert(base_mode) if base_mode != image.mode else image
    rgb = _apply_icc(base, image.info.get("icc_profile"))
    if rgb is None:
        rgb = base.convert("RGB") if base.mode != "RGB" else base
    if alpha is not None:
        rgb.putalpha(alpha)
    return rgb


def _apply_icc(base: Image.Image, icc: object) -> Image.Image | None:
    if not isinstance(icc, bytes) or not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        if {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}.get(space) != base.mode:
            return None
        converted = ImageCms.profileToProfile(base, profile, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # a broken profile is no reason to refuse the picture
    return converted


def _to_8_bit(image: Image.Image) -> Image.Image:
    """A 16-bit greyscale image in 8 bits, tones kept (Pillow's own conversion clips at 255)."""
    return image.convert("F").point(lambda v: v / 257.0).convert("L")


def flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, background)
    flat.paste(image, mask=image.getchannel("A"))
    return flat


# --- ingest --------------------------------------------------------------------------------------


def ingest(data: bytes, *, max_pixels: int, max_side: int | None = None) -> IngestedImage:
    """Check, clean and describe an uploaded image; raise Invalid for anything we will not keep.

    Refused before decoding: empty files, types other than JPEG/PNG/WebP/GIF(/HEIC), and images over
    `max_pixels` (or Pillow's MAX_IMAGE_PIXELS) by their header. Refused while decoding: broken or
    truncated files. Kept: the first frame, oriented, in sRGB, without EXIF/GPS/XMP/ICC or comments,
    re-encoded as JPEG when opaque, as PNG when it has real transparency (JPEG cannot carry it, and
    flattening would guess a background the picture may be shown on). With `max_side`, a larger image
    is scaled down to fit it (a brand logo needs no more).
    """
    source = open_image(data, max_pixels=max_pixels)
    source_type = sniff(data[:SNIFF_BYTES])
    assert source_type is not None  # _open refused anything else
    with source:
        image = decode_image(source)
    if max_side is not None and max(image.size) > max_side:
        image = fit(image, max_side)
    has_alpha = image.mode == "RGBA"
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=False, compress_level=6)
        master_type = ImageType.PNG
    else:
        image.save(out, "JPEG", quality=MASTER_JPEG_QUALITY, optimize=True)
        master_type = ImageType.JPEG
    preview = fit(image, 256)
    return IngestedImage(
        data=out.getvalue(),
        image_type=master_type,
        source_type=source_type,
        width=image.width,
        height=image.height,
        has_alpha=has_alpha,
        phash=str(imagehash.phash(flatten(preview))),
        placeholder=_placeholder(preview),
    )


def phash_distance(a: str, b: str) -> int:
    """How many bits two perceptual hashes (hex, as from `ingest`) differ by; ValueError if not comparable."""
    if len(a) != len(b):
        raise ValueError("perceptual hashes of different lengths cannot be compared")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fit(image: Image.Image, longest: int) -> Image.Image:
    scale = min(1.0, longest / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _placeholder(preview: Image.Image) -> Placeholder:
    small = flatten(fit(preview, 64))
    x_components, y_components = (4, 3) if small.width >= small.height else (3, 4)
    palette_image = small.quantize(colors=8, method=Image.Quantize.FASTOCTREE)
    _, index = max(palette_image.getcolors() or [(1, 0)], key=lambda count_and_index: count_and_index[0])
    palette = palette_image.getpalette() or [0, 0, 0]
    start = 3 * index if isinstance(index, int) else 0
    red, green, blue = palette[start : start + 3]
    return Placeholder(
        blurhash=blurhash.encode(small, x_components, y_components),
        dominant_color=f"#{red:02x}{green:02x}{blue:02x}",
    )
