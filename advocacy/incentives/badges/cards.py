"""The shareable recognition card: a 1200×627 PNG drawn with Pillow (pure and synchronous: call it from a
thread). Text is set in Roboto from the `xstatic-roboto-fontface` package, which covers Latin Extended
(Inès, Zoë, Łukasz, Ça); Pillow's bundled font has no accented letters."""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import xstatic.pkg.roboto_fontface as roboto
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 627
DEFAULT_COLOURS = ("#1F3A93", "#F5B700", "#FFFFFF")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def colours_from_settings(org: dict[str, Any]) -> tuple[str, str, str]:
    """(primary, accent, text) from organisation settings `incentives.colours`, each a #RRGGBB."""
    raw = (org.get("incentives") or {}).get("colours") or org.get("colours") or {}
    chosen = []
    for name, default in zip(("primary", "accent", "text"), DEFAULT_COLOURS, strict=True):
        value = raw.get(name) if isinstance(raw, dict) else None
        chosen.append(value if isinstance(value, str) and _HEX.match(value) else default)
    return chosen[0], chosen[1], chosen[2]


def card_period(period: str, awarded_at: datetime) -> str:
    """What the card says of when: the recognition period ("2026-11"), or the day a lifetime badge came."""
    return period or awarded_at.strftime("%Y-%m-%d")


_FONTS = Path(roboto.BASE_DIR) / "fonts" / "roboto"


@cache
def card_font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_FONTS / ("Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf")), size)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int, *, bold: bool = False
) -> ImageFont.FreeTypeFont:
    """The largest font size <= size at which text fits max_width."""
    while size > 12:
        font = card_font(size, bold=bold)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 4
    return card_font(12, bold=bold)


def render_card(
    *,
    display_name: str,
    badge: str,
    period: str,
    organisation: str,
    colours: tuple[str, str, str],
    language: str,
) -> bytes:
    primary, accent, text = colours
    image = Image.new("RGB", (WIDTH, HEIGHT), primary)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=accent)
    # a medal: ring in the accent colour with the badge's initial
    cx, cy, r = 210, 300, 130
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=accent)
    draw.ellipse((cx - r + 18, cy - r + 18, cx + r - 18, cy + r - 18), fill=primary)
    initial = (badge.strip()[:1] or "★").upper()
    draw.text((cx, cy), initial, font=card_font(120, bold=True), fill=accent, anchor="mm")
    left, max_width = 400, WIDTH - 400 - 60
    headline = "Bravo" if language == "fr" else "Congratulations"
    draw.text((left, 110), headline, font=_fit(draw, headline, 44, max_width), fill=accent)
    draw.text((left, 175), display_name, font=_fit(draw, display_name, 72, max_width, bold=True), fill=text)
    draw.text((left, 285), badge, font=_fit(draw, badge, 56, max_width), fill=text)
    draw.text((left, 370), period, font=_fit(draw, period, 40, max_width), fill=accent)
    if organisation:
        draw.text((left, 500), organisation, font=_fit(draw, organisation, 32, max_width), fill=text)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
