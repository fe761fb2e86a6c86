"""Length as each network counts it (X weighted per twitter-text v3, URLs as 23 on X and Mastodon, graphemes on
Bluesky and Mastodon, code points elsewhere), hashtag and mention counting, and the built-in limits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import regex

from advocacy.charter.rules import NetworkLimit
from advocacy.core.networks import Network

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
    "cloud|store|shop|social|bsky"
)
URL_PATTERN = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")(?![\w-]|\.[\w-])"
    r"(?::\d{1,5})?(?:/[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?])?/?(?![\w@-])",
    re.IGNORECASE,
)
_SCHEME_URL = re.compile(r"\bhttps?://[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]", re.IGNORECASE)
HASHTAG_PATTERN = re.compile(r"(?<![\w#&])#(?!\d+\b)\w+")
MENTION_PATTERN = re.compile(r"(?<![\w@./])@\w+(?:\.\w+)*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?(?![\w@])")
_REMOTE_MENTION = re.compile(r"(?<![\w@./])(@\w+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_X_LIGHT = regex.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_X_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_EMOJI_SEQUENCE = regex.compile(
    r"\p{Regional_Indicator}{2}|[0-9#*]\ufe0f?\u20e3"
    r"|\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?(?:\u200d\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?)*"
)
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3")
_GRAPHEME = regex.compile(r"\X")
# Blocks holding every character that can join a grapheme cluster (marks, joiners, selectors, emoji
# modifiers, regional indicators, jamo, scripts with spacing marks): without one, each code point is a grapheme.
_MAY_EXTEND = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0600-\u0605\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0700-\u08ff\u0900-\u0fff\u1000-\u109f\u1100-\u11ff\u135d-\u135f\u1700-\u18af"
    "\u1920-\u1aff\u1b00-\u1cff\u1dc0-\u1dff\u200b-\u200f\u2028-\u202e\u2060-\u206f\u20d0-\u20ff"
    "\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-\u302f\u3099\u309a\ua66f-\ua6ff\ua800-\uabff"
    "\ud7b0-\ud7ff\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\uff9e\uff9f\U00010000-\U0001efff"
    "\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff\U000e0000-\U000e0fff]"
)
_PICTOGRAPH_OR_KEYCAP = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u20e3\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u24c2\u25aa-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001ffff]"
)
_EXTENDS = regex.compile(
    r"[\p{M}\p{Cf}\p{Emoji_Modifier}\p{Regional_Indicator}\p{Hangul_Syllable_Type=V}\p{Hangul_Syllable_Type=T}\r]"
)


def limit_for(network: Network, overrides: dict[Network, NetworkLimit]) -> NetworkLimit:
    return overrides.get(network) or DEFAULT_LIMITS[network]


_URL_HINT = re.compile(r"\.[A-Za-z]")
_URL_STOP = re.compile(r"[\s<>\"'()\[\]{}]")


def urls(text: str) -> Iterator[re.Match[str]]:
    """The URLs in `text` (with a scheme, "www." or a known top-level domain), in order."""
    # Every URL holds a dot followed by a letter: only the words around such dots are examined.
    done = 0
    for hint in _URL_HINT.finditer(text):
        if hint.start() < done:
            continue
        start = hint.start()
        while start > done and not _URL_STOP.match(text, start - 1):
            start -= 1
        stop = _URL_STOP.search(text, hint.end())
        done = stop.start() if stop else len(text)
        yield from URL_PATTERN.finditer(text, start, done)


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
    if _MAY_EXTEND.search(text) is None:
        return len(text) - text.count("\r\n")
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
    found = [m.span() for m in urls(text)]
    if found:
        text = "".join(
            text[start:end]
            for start, end in zip(
                [0] + [e for _, e in found], [s for s, _ in found] + [len(text)], strict=True
            )
        )
    weight = URL_LENGTH * 100 * len(found)
    if text.isascii():
        return (weight + 100 * len(text)) // 100
    heavy = len(_X_HEAVY.findall(text))
    weight += 100 * len(text) + 100 * heavy
    # An emoji sequence counts 2 whatever its code points (twitter-text); the sum above counted each one.
    emoji_sequences = _EMOJI_SEQUENCE.findall(text) if _PICTOGRAPH_OR_KEYCAP.search(text) else []
    for emoji in emoji_sequences:
        weight += 200 - 100 * len(emoji) - 100 * len(_X_HEAVY.findall(emoji))
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
        found = urls(text) if network is Network.X else pattern.finditer(text)
        skip = [(m.start(), m.end(), URL_LENGTH) for m in found]
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
