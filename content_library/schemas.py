"""The content domain's shared words: its names for the core's languages and networks, an item's statuses
and caption policies, the bounded text types its bodies use, and the campaign reference items carry."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.core.language import LanguageCode
from advocacy.core.networks import NetworkCode

# The content modules' names for advocacy.core's language and network codes.
Language = LanguageCode
Network = NetworkCode
Status = Literal["draft", "in_review", "approved", "archived"]
CaptionPolicy = Literal["locked", "editable", "free"]

Title = Annotated[str, Meta(min_length=1, max_length=200)]
Summary = Annotated[str, Meta(max_length=2000)]
CaptionBody = Annotated[str, Meta(min_length=1, max_length=5000)]
Url = Annotated[str, Meta(min_length=8, max_length=2000, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")]
Tag = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"^[^\s,#][^,]*$")]
Hashtag = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^#?[\w]+$")]
Location = Annotated[str, Meta(min_length=1, max_length=120)]
Comment = Annotated[str, Meta(max_length=2000)]
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
# A campaign as a body or a filter names it: its public id or its slug, either way everywhere.
CampaignKey = Annotated[
    str,
    Meta(
        pattern=r"^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[a-z0-9][a-z0-9-]{0,79})$",
        description="the campaign's public id or its slug",
        examples=["rentree-2026"],
    ),
]
Multiplier = Annotated[float, Meta(gt=0, le=100)]
Priority = Annotated[int, Meta(ge=-100, le=100)]


# The campaign an item or a feed entry names. It stays here, beside the vocabulary, because its OpenAPI
# component is published as content_library_schemas_CampaignRef (another CampaignRef exists in incentives).
class CampaignRef(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    slug: str
    name: str
