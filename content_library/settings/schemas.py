"""The data of the library's settings: what the organisation chose, and a change to it."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from content_library.images.renditions import LOGO_MAX_MARGIN, LOGO_MAX_SIZE, Corner
from content_library.schemas import Language

LogoSize = Annotated[float, Meta(gt=0, le=LOGO_MAX_SIZE)]
LogoMargin = Annotated[float, Meta(ge=0, le=LOGO_MAX_MARGIN)]


class LibrarySettings(msgspec.Struct, frozen=True, kw_only=True):
    """The content library's part of `organisation.settings` (unknown keys belong to other areas)."""

    default_language: Language | None = None
    # brand overlay on renditions: a logo in a corner when one is stored (it wins), else a frame when a
    # colour is set; the logo's storage key is set only by uploading it (never from a request body)
    brand_frame_color: str | None = None
    brand_frame_width: Annotated[float, Meta(gt=0, le=0.2)] = 0.02
    brand_logo_key: str | None = None
    brand_logo_corner: Corner = Corner.BOTTOM_RIGHT
    brand_logo_size: LogoSize = 0.18
    brand_logo_margin: LogoMargin = 0.03


class LibrarySettingsUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    default_language: Language | msgspec.UnsetType | None = msgspec.UNSET
    brand_frame_color: (
        Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")] | msgspec.UnsetType | None
    ) = msgspec.UNSET
    brand_frame_width: Annotated[float, msgspec.Meta(gt=0, le=0.2)] | msgspec.UnsetType = msgspec.UNSET
    brand_logo_corner: Corner | msgspec.UnsetType = msgspec.UNSET
    brand_logo_size: LogoSize | msgspec.UnsetType = msgspec.UNSET
    brand_logo_margin: LogoMargin | msgspec.UnsetType = msgspec.UNSET
