"""The page controllers, one module per page group; each gathers a Struct from the same services as the
API and hands it to its template."""

from __future__ import annotations

from advocacy.web.pages.account import ACCOUNT_PAGES
from advocacy.web.pages.accounts import ACCOUNTS_PAGES
from advocacy.web.pages.areas import AREA_PAGES
from advocacy.web.pages.boards import BOARDS_PAGES
from advocacy.web.pages.cards import CARD_PAGES
from advocacy.web.pages.challenges import CHALLENGES_PAGES
from advocacy.web.pages.compose import COMPOSE_PAGES
from advocacy.web.pages.feed import FEED_PAGES
from advocacy.web.pages.me import ME_PAGES
from advocacy.web.pages.points import POINTS_PAGES
from advocacy.web.pages.rewards import REWARDS_PAGES
from advocacy.web.pages.share_out import SHARE_OUT_PAGES
from advocacy.web.pages.shares import SHARES_PAGES
from advocacy.web.pages.start import START_PAGES
from advocacy.web.pages.suggestions import SUGGESTIONS_PAGES

WEB_HANDLERS = [
    *ACCOUNT_PAGES,
    *START_PAGES,
    *FEED_PAGES,
    *COMPOSE_PAGES,
    *SHARE_OUT_PAGES,
    *SHARES_PAGES,
    *POINTS_PAGES,
    *CARD_PAGES,
    *BOARDS_PAGES,
    *REWARDS_PAGES,
    *CHALLENGES_PAGES,
    *SUGGESTIONS_PAGES,
    *ME_PAGES,
    *ACCOUNTS_PAGES,
    *AREA_PAGES,
]
