"""Length as each network counts it (X weighted per twitter-text v3, URLs as 23 on X and Mastodon, graphemes on
Bluesky and Mastodon, code points elsewhere), hashtag and mention counting, and the built-in limits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import regex

from advocacy.charter.rules import Network, NetworkLimit

DEFAULT_LIMITS: dict[Network, NetworkLimit] = {
    Network.LINKEDIN: NetworkLimit(max_length=3000),
    Network.X: NetworkLimit(max_length=280),
    Network.FACEBOOK: NetworkLimit(max_length=63_206),
    Network.INSTAGRAM: NetworkLimit(max_length=2200, max_hashtags=30, max_mentions=20),
    Network.MASTODON: NetworkLimit(max_length=500),
    Network.BLUESKY: NetworkLimit(max_length=300),
}

URL_LENGTH = 23
# Top-level domains recognised in bare links ("acme.com/x", "bit.ly/y"); a scheme or "www." needs none.
_TLDS = (
    "com|net|org|info|biz|io|co|ai|app|dev|me|ly|gl|gd|to|tv|cc|so|sh|fm|am|link|page|site|online|"
    "fr|be|ch|ca|uk|de|es|it|nl|eu|lu|us|pt|pl|se|no|dk|fi|ie|at|jp|cn|in|br|au|nz|ru|xyz|tech|news|blog|"
    "cloud|store|shop|social|bsky|internal|local|corp|lan|intra"
)
URL_PATTERN = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")\b"
    r"(?::\d{1,5})?(?:/[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?])?/?(?![\w@-])",
    re.IGNORECASE,
)
_SCHEME_URL = re.compile(r"\bhttps?://[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]", re.IGNORECASE)
HASHTAG_PATTERN = re.compile(r"(?<![\w#&])#(?!\d+\b)\w+")
MENTION_PATTERN = re.compile(
    r"(?<![\w@./])@\w+(?:\.\w+)*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?(?![\w@])"
)
_REMOTE_MENTION = re.compile(r"(?<![\w@./])(@\w+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_X_LIGHT = regex.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3")
_GRAPHEME = regex.compile(r"\X")


def limit_for(network: Network, overrides: dict[Network, NetworkLimit]) -> NetworkLimit:
    return overrides.get(network) or DEFAULT_LIMITS[network]


def hashtags(text: str) -> list[tuple[int, int]]:
    """Spans of the hashtags in `text`."""
    return [m.span() for m in HASHTAG_PATTERN.finditer(text)] if "#" in text else []


def mentions(text: str) -> list[tuple[int, int]]:
    """Spans of the @mentions in `text` (local @name, Mastodon @name@server, Bluesky @handle.domain)."""
    return [m.span() for m in MENTION_PATTERN.finditer(text)] if "@" in text else []


def length(text: str, network: Network) -> int:
    """The length of `text` in the unit `network` counts against its limit."""
    if network is Network.X:
        return _x_weight(text)
    if network is Network.MASTODON:
        return _mastodon_length(text)
    if network is Network.BLUESKY:
        return _graphemes(text)
    return len(text)


def overflow_start(text: str, network: Network, max_length: int) -> int:
    """The index in `text` of the first character beyond `max_length`, or len(text) if it fits."""
    total = 0
    for start, _end, weight in _units(text, network):
        total += weight
        if total > max_length:
            return start
    return len(text)


def _graphemes(text: str) -> int:
    if text.isascii() and "\r\n" not in text:
        return len(text)
    return len(_GRAPHEME.findall(text))


def _mastodon_length(text: str) -> int:
    fixed = 0
    if "://" in text:
        urls = _SCHEME_URL.findall(text)
        fixed = URL_LENGTH * len(urls)
        text = _SCHEME_URL.sub("", text)
    if "@" in text:
        text = _REMOTE_MENTION.sub(r"\1", text)
    return fixed + _graphemes(text)


def _x_weight(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    urls = URL_PATTERN.findall(text) if "." in text else []
    if urls:
        text = URL_PATTERN.sub(" ", text)
    weight = URL_LENGTH * 100 * len(urls) - 100 * len(urls)
    if text.isascii():
        return (weight + 100 * len(text)) // 100
    for grapheme in _GRAPHEME.findall(text):
        weight += _x_grapheme_weight(grapheme)
    # twitter-text counts weighted units of 1/100 and rounds down.
    return weight // 100


def _x_grapheme_weight(grapheme: str) -> int:
    if _EMOJI.search(grapheme):
        return 200
    light = len(_X_LIGHT.findall(grapheme))
    return 100 * light + 200 * (len(grapheme) - light)


def _units(text: str, network: Network) -> Iterator[tuple[int, int, int]]:
    """(start, end, length) of each counted unit of `text`, in order; used only to locate an overflow."""
    pattern = URL_PATTERN if network is Network.X else _SCHEME_URL if network is Network.MASTODON else None
    skip: list[tuple[int, int, int]] = []
    if pattern is not None:
        skip = [(m.start(), m.end(), URL_LENGTH) for m in pattern.finditer(text)]
    if network is Network.MASTODON:
        skip += [(m.start(1) + len(m.group(1)), m.end(), 0) for m in _REMOTE_MENTION.finditer(text)]
        skip.sort()
    per_grapheme = network in (Network.X, Network.MASTODON, Network.BLUESKY)
    position = 0
    for start, end, weight in [*skip, (len(text), len(text), 0)]:
        if start < position:
            continue
        piece = text[position:start]
        if per_grapheme:
            offset = position
            for grapheme in _GRAPHEME.findall(piece):
                unit = _x_grapheme_weight(grapheme) // 100 if network is Network.X else 1
                yield offset, offset + len(grapheme), unit
                offset += len(grapheme)
        else:
            for index in range(position, start):
                yield index, index + 1, 1
        if end > start:
            yield start, end, weight
        position = end
