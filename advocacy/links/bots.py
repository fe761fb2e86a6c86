"""Which user agents are people: link-preview crawlers (shown the Open Graph page), other bots (not
counted), and browsers. Other bots are recognised by `crawlerdetect` (a maintained pattern list); the
preview crawlers are named here because they get an answer of their own."""

from __future__ import annotations

from enum import Enum

from crawlerdetect import CrawlerDetect

# Substrings (lower case) of the user agents that fetch a link to draw its preview card.
PREVIEW_CRAWLERS = (
    "linkedinbot",
    "twitterbot",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "slackbot",
    "slack-imgproxy",
    "mastodon",
    "cardyb",  # Bluesky's card fetcher
    "bluesky",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "microsoftpreview",
    "pinterestbot",
    "redditbot",
    "embedly",
    "iframely",
    "googlechat",
    "vkshare",
    "xing-contenttabreceiver",
)


class Visitor(Enum):
    PERSON = "person"
    PREVIEW = "preview"
    BOT = "bot"


class BotFilter:
    """Classifies a user agent; results are cached per user-agent string (a few thousand distinct ones
    make up nearly all traffic), so the pattern list runs once per new agent."""

    def __init__(self, max_cached: int = 20_000) -> None:
        self._detector = CrawlerDetect()
        self._cache: dict[str, Visitor] = {}
        self._max = max_cached

    def classify(self, user_agent: str) -> Visitor:
        found = self._cache.get(user_agent)
        if found is not None:
            return found
        found = self._judge(user_agent)
        if len(self._cache) >= self._max:
            self._cache.clear()
        self._cache[user_agent] = found
        return found

    def _judge(self, user_agent: str) -> Visitor:
        lowered = user_agent.lower()
        if any(name in lowered for name in PREVIEW_CRAWLERS):
            return Visitor.PREVIEW
        if not user_agent.strip() or self._detector.isCrawler(user_agent):
            return Visitor.BOT
        return Visitor.BOT if "headless" in lowered else Visitor.PERSON
