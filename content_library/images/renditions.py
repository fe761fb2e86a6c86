"""The image pipeline's second half: renditions, every named size in JPEG and WebP cropped around the
focal point, with the organisation's overlay (a logo in a corner, or a frame).

Pure and synchronous, like ingest: CPU-bound, so async callers run it in a thread.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import msgspec
from PIL import Image, ImageDraw

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from content_library.images.ingest import (
    DEFAULT_MAX_PIXELS,
    decode_image,
    flatten,
    open_image,
)

JPEG_QUALITY = 85
WEBP_QUALITY = 80
WEBP_METHOD = 4


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
        raise Invalid(
            lazy_gettext("The focal point must lie within the image (coordinates between 0 and 1).")
        )
    unknown = set(formats) - {"jpeg", "webp"}
    if unknown or not formats:
        raise Invalid(
            lazy_gettext(
                "Renditions can be made as jpeg or webp, not %(value)s.", value=sorted(unknown) or "nothing"
            )
        )
    chosen = list(RENDITION_SPECS.values() if specs is None else specs)
    brand = _prepare_overlay(overlay, max_pixels=max_pixels)

    with open_image(master, max_pixels=max_pixels, what="master image") as header:
        size, is_jpeg = header.size, header.format in ("JPEG", "MPO")
    groups: dict[int, list[int]] = {}
    for index, spec in enumerate(chosen):
        groups.setdefault(_dct_scale(size, spec) if is_jpeg else 1, []).append(index)

    def decode(scale: int) -> Image.Image:
        with open_image(master, max_pixels=max_pixels, what="master image") as source:
            if scale > 1:
                source.draft(None, (math.ceil(size[0] / scale), math.ceil(size[1] / scale)))
            return decode_image(source, what="master image")

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
        flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
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
            raise Invalid(
                lazy_gettext("A frame's width must be a fraction of the shorter side between 0 and 0.25.")
            )
        return functools.partial(_draw_frame, color=color, fraction=overlay.width)
    if not (0.0 < overlay.size <= LOGO_MAX_SIZE and 0.0 <= overlay.margin <= LOGO_MAX_MARGIN):
        raise Invalid(
            lazy_gettext(
                "A logo's size must be between 0 and %(LOGO_MAX_SIZE)s of the width, and its margin at most %(LOGO_MAX_MARGIN)s.",
                LOGO_MAX_SIZE=LOGO_MAX_SIZE,
                LOGO_MAX_MARGIN=LOGO_MAX_MARGIN,
            )
        )
    source = open_image(overlay.logo, max_pixels=max_pixels, what="logo")
    with source:
        logo = decode_image(source, what="logo").convert("RGBA")
    return functools.partial(_place_logo, logo=logo, overlay=overlay)


def _parse_color(value: str) -> tuple[int, int, int]:
    text = value.removeprefix("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise Invalid(lazy_gettext("%(value)s is not a colour of the form #rrggbb.", value=repr(value)))
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
