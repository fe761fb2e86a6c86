"""The data of images: an item's images with their renditions, an image's changes, and stored files."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.core.language import LanguageCode

RenditionsState = Literal["pending", "ready", "failed"]
Fraction = Annotated[float, Meta(ge=0, le=1)]
AltText = Annotated[str, Meta(min_length=1, max_length=1000)]

MAX_IMAGES_PER_ITEM = 10


class RenditionRead(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    format: str
    width: int
    height: int
    url: str


class PlaceholderRead(msgspec.Struct, frozen=True, kw_only=True):
    blurhash: str
    dominant_color: str


class AssetRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    position: int
    url: str
    content_type: str
    width: int
    height: int
    placeholder: PlaceholderRead
    focal_x: float
    focal_y: float
    alt_text: dict[str, str]
    renditions_state: RenditionsState
    renditions_reason: str | None
    renditions: list[RenditionRead]
    near_duplicate_of: UUID | None


class ImageUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    alt_text: dict[LanguageCode, AltText] | UnsetType = UNSET
    focal_x: Fraction | UnsetType = UNSET
    focal_y: Fraction | UnsetType = UNSET
    position: Annotated[int, Meta(ge=0, le=MAX_IMAGES_PER_ITEM - 1)] | UnsetType = UNSET


class AssetRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    public_id: UUID
    item_id: int | None
    storage_key: str
    content_type: str
    focal_x: float
    focal_y: float
    renditions_state: RenditionsState
    renditions_attempts: int
    alt_text: dict[str, str]


class StoredFile(msgspec.Struct, frozen=True, kw_only=True):
    """What serving a stored file needs, looked up by its key (never by a user-given name)."""

    content_type: str
    size_bytes: int
    etag: str
