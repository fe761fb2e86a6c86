"""Every route of the content library's HTTP face, in the order the app registers them."""

from __future__ import annotations

from advocacy.content.campaigns.controllers import CampaignController
from advocacy.content.feed.controllers import FeedController
from advocacy.content.images.controllers import ImageController, MediaController
from advocacy.content.items.controllers import ContentItemController
from advocacy.content.settings.controllers import LibrarySettingsController
from advocacy.content.sources.controllers import PrefillController, SourceController
from advocacy.content.suggestions.controllers import SuggestionController

CONTENT_HANDLERS = [
    ContentItemController,
    PrefillController,
    ImageController,
    CampaignController,
    SuggestionController,
    SourceController,
    LibrarySettingsController,
    FeedController,
    MediaController,
]
