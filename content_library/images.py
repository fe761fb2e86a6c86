"""The image pipeline: type sniffing, safe ingest (bomb refusal, metadata strip, sRGB) and renditions.

Pure and synchronous: bytes in, bytes and Structs out, no files, no network. CPU-bound, so async
callers run these functions in a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import functools
import importlib
import io
import math
import os
import struct
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import blurhash
import imagehash
import msgspec
from PIL import Image, ImageCms, ImageDraw, ImageOps, UnidentifiedImageError

from content_library.errors import Invalid

DEFAULT_MAX_PIXELS = 40_000_000
"""A sensible `max_pixels` for uploads (40 MP: larger than any phone camera, far below a bomb)."""

SNIFF_BYTES = 64
"""How many leading bytes `sniff` wants to see (fewer may miss HEIC brands)."""

NEAR_DUPLICATE_DISTANCE = 10
"""Two perceptual hashes at most this many bits apart (of 64) are the same picture."""

MASTER_JPEG_QUALITY = 90
JPEG_QUALITY = 85
WEBP_QUALITY = 80
WEBP_METHOD = 4


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


class RenditionSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A named output size; `height=None` keeps the aspect ratio; `branded=False` never gets the overlay."""

    name: str
    width: int
    height: int | None
    branded: bool = True


RENDITION_SPECS: Mapping[str, RenditionSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            RenditionSpec(name="link", width=1200, height=627),  # LinkedIn / Facebook link preview
            RenditionSpec(name="x", width=1600, height=900),
            RenditionSpec(name="square", width=1080, height=1080),
            RenditionSpec(name="portrait", width=1080, height=1350),
            RenditionSpec(name="story", width=1080, height=1920),
            RenditionSpec(name="thumbnail", width=400, height=None, branded=False),
        )
    }
)

RenditionFormat: TypeAlias = Literal["jpeg", "webp"]


class Corner(StrEnum):
    TOP_LEFT = "top-left"
    TOP_RIGHT = "top-right"
    BOTTOM_LEFT = "bottom-left"
    BOTTOM_RIGHT = "bottom-right"


LOGO_MAX_SIZE = 0.5
"""The widest a logo may be, as a fraction of the rendition's width."""
LOGO_MAX_MARGIN = 0.2
"""The largest margin between a logo and its corner, as a fraction of the rendition's width."""
LOGO_MAX_SIDE = 1024
"""A stored logo's longer side at most (no rendition shows it wider than LOGO_MAX_SIZE × 1600 px)."""


class LogoOverlay(msgspec.Struct, frozen=True, kw_only=True, tag="logo"):
    """A logo in a corner; `size` (its width) and `margin` are fractions of the rendition's width."""

    logo: bytes  # PNG (or any accepted type); its alpha is respected
    corner: Corner = Corner.BOTTOM_RIGHT
    size: float = 0.18
    margin: float = 0.03


class FrameOverlay(msgspec.Struct, frozen=True, kw_only=True, tag="frame"):
    """A coloured frame; `width` is a fraction of the rendition's shorter side."""

    color: str  # "#rrggbb"
    width: float = 0.02


Overlay: TypeAlias = LogoOverlay | FrameOverlay


class Rendition(msgspec.Struct, frozen=True, kw_only=True):
    """One encoded output of one spec."""

    name: str
    format: RenditionFormat
    width: int
    height: int
    data: bytes
    mime: str


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

# KeyError: Pillow's JPEG plugin on a JPEG signature followed by zeros (it looks up an 'MPO' it never read)
# JPEG cannot encode a side longer than 65 535 pixels, and every kept image is re-encoded as JPEG or PNG.
MAX_SIDE = 65_500

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


def _open(data: bytes, *, max_pixels: int, what: str = "image") -> Image.Image:
    """Open (header only) and refuse anything we will not decode: wrong type, too many pixels."""
    if not data:
        raise Invalid(f"The {what} file is empty.")
    kind = sniff(data[:SNIFF_BYTES])
    if kind is None:
        accepted = "JPEG, PNG, WebP, GIF" + (" or HEIC" if heic_supported() else "")
        raise Invalid(f"The {what} is not a supported image type ({accepted}).")
    try:
        image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMAT[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(f"The {what} has too many pixels to be processed safely.") from exc
    except _BROKEN as exc:
        raise Invalid(f"The {what} is damaged or truncated and cannot be read.") from exc
    width, height = image.size
    # Pillow's own threshold only warns; we refuse at it too, without touching global warning filters.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if max(width, height) > MAX_SIDE:
        image.close()
        raise Invalid(
            f"The {what} is {width}×{height} pixels; no side may be longer than {MAX_SIDE:,} pixels.",
            extra={"width": width, "height": height, "max_side": MAX_SIDE},
        )
    if width <= 0 or height <= 0 or width * height > limit:
        image.close()
        raise Invalid(
            f"The {what} is {width}×{height} pixels ({width * height:,}); the limit is {limit:,} pixels.",
            extra={"width": width, "height": height, "max_pixels": limit},
        )
    return image


def _decode(image: Image.Image, *, what: str = "image") -> Image.Image:
    """Decode the first frame, oriented, in sRGB, as RGB or RGBA."""
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(f"The {what} has too many pixels to be processed safely.") from exc
    except _BROKEN as exc:
        raise Invalid(f"The {what} is damaged or truncated and cannot be read.") from exc
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


def _flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
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
    source = _open(data, max_pixels=max_pixels)
    source_type = sniff(data[:SNIFF_BYTES])
    assert source_type is not None  # _open refused anything else
    with source:
        image = _decode(source)
    if max_side is not None and max(image.size) > max_side:
        image = _fit(image, max_side)
    has_alpha = image.mode == "RGBA"
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=False, compress_level=6)
        master_type = ImageType.PNG
    else:
        image.save(out, "JPEG", quality=MASTER_JPEG_QUALITY, optimize=True)
        master_type = ImageType.JPEG
    preview = _fit(image, 256)
    return IngestedImage(
        data=out.getvalue(),
        image_type=master_type,
        source_type=source_type,
        width=image.width,
        height=image.height,
        has_alpha=has_alpha,
        phash=str(imagehash.phash(_flatten(preview))),
        placeholder=_placeholder(preview),
    )


def phash_distance(a: str, b: str) -> int:
    """How many bits two perceptual hashes (hex, as from `ingest`) differ by; ValueError if not comparable."""
    if len(a) != len(b):
        raise ValueError("perceptual hashes of different lengths cannot be compared")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _fit(image: Image.Image, longest: int) -> Image.Image:
    scale = min(1.0, longest / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _placeholder(preview: Image.Image) -> Placeholder:
    small = _flatten(_fit(preview, 64))
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


# --- renditions ----------------------------------------------------------------------------------


def crop_box(
    width: int, height: int, target_width: int, target_height: int, focal_x: float = 0.5, focal_y: float = 0.5
) -> tuple[float, float, float, float]:
    """The largest box of the target's aspect inside width×height, centred on the focal point (0..1)
    as nearly as the edges allow: (left, top, right, bottom), never outside the image."""
    scale = min(width / target_width, height / target_height)
    box_width, box_height = min(float(width), target_width * scale), min(float(height), target_height * scale)
    left = max(0.0, min(focal_x * width - box_width / 2, width - box_width))
    top = max(0.0, min(focal_y * height - box_height / 2, height - box_height))
    return (left, top, left + box_width, top + box_height)


def make_renditions(
    master: bytes,
    *,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    overlay: Overlay | None = None,
    formats: Sequence[RenditionFormat] = ("jpeg", "webp"),
    specs: Sequence[RenditionSpec] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[Rendition]:
    """Every spec (default: RENDITION_SPECS) in every format, cropped around the focal point.

    Output sizes are exact (a small master is scaled up). The overlay goes on every `branded` spec.
    Results come in spec order, then format order. Invalid for a bad master, focal point or overlay.

    Speed: a JPEG master is decoded at the smallest DCT scale (1, 1/2, 1/4, 1/8) that still covers
    each output, once per scale in use, and that decoded image is shared by every spec that needs it;
    decoding, resizing and encoding run on threads (Pillow releases the GIL in all three).
    """
    if not (0.0 <= focal_x <= 1.0 and 0.0 <= focal_y <= 1.0):
        raise Invalid("The focal point must lie within the image (coordinates between 0 and 1).")
    unknown = set(formats) - {"jpeg", "webp"}
    if unknown or not formats:
        raise Invalid(f"Renditions can be made as jpeg or webp, not {sorted(unknown) or 'nothing'}.")
    chosen = list(RENDITION_SPECS.values() if specs is None else specs)
    brand = _prepare_overlay(overlay, max_pixels=max_pixels)

    with _open(master, max_pixels=max_pixels, what="master image") as header:
        size, is_jpeg = header.size, header.format in ("JPEG", "MPO")
    groups: dict[int, list[int]] = {}
    for index, spec in enumerate(chosen):
        groups.setdefault(_dct_scale(size, spec) if is_jpeg else 1, []).append(index)

    def decode(scale: int) -> Image.Image:
        with _open(master, max_pixels=max_pixels, what="master image") as source:
            if scale > 1:
                source.draft(None, (math.ceil(size[0] / scale), math.ceil(size[1] / scale)))
            return _decode(source, what="master image")

    def render(image: Image.Image, spec: RenditionSpec) -> Image.Image:
        out_size, box = _geometry(image.size, spec, focal_x, focal_y)
        resized = image.resize(out_size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        return brand(resized) if spec.branded else resized

    results: dict[tuple[int, int], Rendition] = {}
    workers = max(1, min(os.cpu_count() or 1, len(chosen) * len(formats)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="renditions") as pool:
        decoding = {pool.submit(decode, scale): members for scale, members in sorted(groups.items())}
        resizing: dict[Future[Image.Image], int] = {}
        encoding: dict[Future[Rendition], tuple[int, int]] = {}
        pending: set[Future[Any]] = set(decoding)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                if future in decoding:
                    image = future.result()
                    for index in sorted(decoding.pop(future), key=lambda i: -_area(size, chosen[i])):
                        resized_future = pool.submit(render, image, chosen[index])
                        resizing[resized_future] = index
                        pending.add(resized_future)
                elif future in resizing:
                    index = resizing.pop(future)
                    resized = future.result()
                    for f_index, fmt in enumerate(formats):
                        encoded_future = pool.submit(_encode, chosen[index].name, resized, fmt)
                        encoding[encoded_future] = (index, f_index)
                        pending.add(encoded_future)
                else:
                    results[encoding.pop(future)] = future.result()
    return [results[key] for key in sorted(results)]


def _geometry(
    size: tuple[int, int], spec: RenditionSpec, focal_x: float, focal_y: float
) -> tuple[tuple[int, int], tuple[float, float, float, float]]:
    width, height = size
    if spec.height is None:
        return (spec.width, max(1, round(height * spec.width / width))), (
            0.0,
            0.0,
            float(width),
            float(height),
        )
    box = crop_box(width, height, spec.width, spec.height, focal_x, focal_y)
    return (spec.width, spec.height), box


def _area(size: tuple[int, int], spec: RenditionSpec) -> int:
    (width, height), _ = _geometry(size, spec, 0.5, 0.5)
    return width * height


def _dct_scale(size: tuple[int, int], spec: RenditionSpec) -> int:
    """The largest JPEG decode reduction (8, 4, 2 or 1) that keeps this spec a downscale."""
    (out_width, out_height), (left, top, right, bottom) = _geometry(size, spec, 0.5, 0.5)
    needed = max(out_width / (right - left), out_height / (bottom - top))
    return next((scale for scale in (8, 4, 2) if needed * scale <= 1.0), 1)


def _encode(name: str, image: Image.Image, fmt: RenditionFormat) -> Rendition:
    out = io.BytesIO()
    if fmt == "jpeg":
        _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return Rendition(
        name=name,
        format=fmt,
        width=image.width,
        height=image.height,
        data=out.getvalue(),
        mime=f"image/{fmt}",
    )


def _prepare_overlay(overlay: Overlay | None, *, max_pixels: int) -> Callable[[Image.Image], Image.Image]:
    """Validate the overlay once and return what applies it to one resized rendition."""
    if overlay is None:
        return lambda image: image
    if isinstance(overlay, FrameOverlay):
        color = _parse_color(overlay.color)
        if not 0.0 < overlay.width <= 0.25:
            raise Invalid("A frame's width must be a fraction of the shorter side between 0 and 0.25.")
        return functools.partial(_draw_frame, color=color, fraction=overlay.width)
    if not (0.0 < overlay.size <= LOGO_MAX_SIZE and 0.0 <= overlay.margin <= LOGO_MAX_MARGIN):
        raise Invalid(
            f"A logo's size must be between 0 and {LOGO_MAX_SIZE} of the width,"
            f" and its margin at most {LOGO_MAX_MARGIN}."
        )
    source = _open(overlay.logo, max_pixels=max_pixels, what="logo")
    with source:
        logo = _decode(source, what="logo").convert("RGBA")
    return functools.partial(_place_logo, logo=logo, overlay=overlay)


def _parse_color(value: str) -> tuple[int, int, int]:
    text = value.removeprefix("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise Invalid(f"{value!r} is not a colour of the form #rrggbb.")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def _draw_frame(image: Image.Image, *, color: tuple[int, int, int], fraction: float) -> Image.Image:
    thickness = max(1, round(fraction * min(image.size)))
    fill = color if image.mode == "RGB" else (*color, 255)
    ImageDraw.Draw(image).rectangle((0, 0, image.width - 1, image.height - 1), outline=fill, width=thickness)
    return image


def _place_logo(image: Image.Image, *, logo: Image.Image, overlay: LogoOverlay) -> Image.Image:
    logo_width = max(1, round(overlay.size * image.width))
    logo_height = max(1, round(logo.height * logo_width / logo.width))
    scaled = logo.resize((logo_width, logo_height), Image.Resampling.LANCZOS)
    margin = round(overlay.margin * image.width)
    left = (
        margin
        if overlay.corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT)
        else image.width - logo_width - margin
    )
    top = (
        margin
        if overlay.corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT)
        else image.height - logo_height - margin
    )
    if image.mode == "RGBA":
        image.alpha_composite(scaled, (left, top))
    else:
        image.paste(scaled, (left, top), mask=scaled)
    return image
