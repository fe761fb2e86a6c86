"""Normalisation for term matching that defeats the usual evasions and keeps a map back to the text as typed.

Pipeline: fold (NFKD, marks and invisibles dropped, case fold, confusables to Latin, punctuation to space),
leet symbols, space squashing, single-letter runs collapsed (c.o.n.f.i), leet digits. Result: only letters,
digits and single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import cache

import regex
from confusable_homoglyphs.utils import load as _load_confusables

# Characters a fold may delete (everything else folds to at least one character): format controls,
# combining marks and the invisible fillers that are letters or symbols by category.
_DELETABLE = regex.compile(r"[\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]")
_LEET_SYMBOLS = "@$!|"
_SYMBOL_LETTER = {"@": "a", "$": "s", "!": "i", "|": "l"}
_DIGIT_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})

_MULTISPACE = re.compile(" {2,}")
_SYMBOL = re.compile(r"[@$!|]")
_SINGLE_RUN = re.compile(r"(?<!\S)\S(?: \S){2,}(?!\S)")
_LEET_TOKEN = re.compile(r"(?<!\S)(?=\S*?\d)(?=\S*?[^\W\d_])\S+")


@cache
def _confusables() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it imitates, from Unicode's confusables data."""
    table: dict[str, str] = {}
    for char, homoglyphs in _load_confusables("confusables.json").items():
        if len(char) != 1 or char.isascii():
            continue
        targets = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()]
        if targets:
            lower = [t for t in targets if t.islower()]
            table[char] = (lower or targets)[0]
    return table


def _fold_char(char: str) -> str:
    if _DELETABLE.match(char):
        return ""
    confusables = _confusables()
    out: list[str] = []
    for part in unicodedata.normalize("NFKD", char):
        part = confusables.get(part, part)
        for folded in unicodedata.normalize("NFKD", part.casefold()):
            folded = confusables.get(folded, folded)
            if unicodedata.category(folded) in ("Mn", "Me", "Cf"):
                continue
            out.append(folded if folded.isalnum() or folded in _LEET_SYMBOLS else " ")
    # Keeps the invariant the fast path relies on: only _DELETABLE characters vanish.
    return "".join(out) or " "


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled on first sight of each character (shared by the process)."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_FOLD = _FoldTable()


class _EditMap:
    """Where each character of a stage's output came from: edits (new_start, new_end, old_start, old_end)."""

    __slots__ = ("_edits", "_starts")

    def __init__(self, edits: list[tuple[int, int, int, int]]) -> None:
        self._edits = edits
        self._starts = [edit[0] for edit in edits]

    def char(self, position: int) -> tuple[int, int]:
        k = bisect_right(self._starts, position) - 1
        if k < 0:
            return position, position + 1
        new_start, new_end, old_start, old_end = self._edits[k]
        if position < new_end:
            return old_start, old_end
        low = old_end + position - new_end
        return low, low + 1

    def span(self, start: int, end: int, *, take_trailing_deletions: bool) -> tuple[int, int]:
        low = self.char(start)[0]
        high = self.char(end - 1)[1]
        if take_trailing_deletions:
            k = bisect_left(self._starts, end)
            while k < len(self._edits) and self._edits[k][0] == end == self._edits[k][1]:
                if self._edits[k][2] == high:
                    high = self._edits[k][3]
                k += 1
        return low, high


class Normalized:
    """A normalised text and the way back: `original_span` maps a span of `text` to the text as typed."""

    __slots__ = ("_maps", "_stages", "collapsed_runs", "text")

    def __init__(self, original: str) -> None:
        folded = original.translate(_FOLD)
        irregular = len(folded) != len(original) or _DELETABLE.search(original) is not None
        symbols = _SYMBOL.sub(_resolve_symbol, folded) if "@" in folded or "$" in folded or "!" in folded or "|" in folded else folded
        squashed = _MULTISPACE.sub(" ", symbols)
        runs: list[tuple[int, int]] = []
        collapsed = _SINGLE_RUN.sub(_collapser(runs), squashed)
        self.text: str = _LEET_TOKEN.sub(_leet_token, collapsed)
        self.collapsed_runs: list[tuple[int, int]] = runs
        self._stages = (original if irregular else None, symbols, squashed)
        self._maps: tuple[_EditMap | None, _EditMap | None, _EditMap | None] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as typed that produced `text[start:end]` (end > start)."""
        if self._maps is None:
            self._maps = self._build_maps()
        fold_map, squash_map, collapse_map = self._maps
        if collapse_map is not None:
            start, end = collapse_map.span(start, end, take_trailing_deletions=False)
        if squash_map is not None:
            start, end = squash_map.span(start, end, take_trailing_deletions=False)
        if fold_map is not None:
            start, end = fold_map.span(start, end, take_trailing_deletions=True)
        return start, end

    def _build_maps(self) -> tuple[_EditMap | None, _EditMap | None, _EditMap | None]:
        original, symbols, squashed = self._stages
        fold_map = None if original is None else _EditMap(_fold_edits(original))
        squash_edits: list[tuple[int, int, int, int]] = []
        removed = 0
        for match in _MULTISPACE.finditer(symbols):
            new = match.start() + 1 - removed
            squash_edits.append((new, new, match.start() + 1, match.end()))
            removed += match.end() - match.start() - 1
        collapse_edits: list[tuple[int, int, int, int]] = []
        removed = 0
        for match in _SINGLE_RUN.finditer(squashed):
            for space in range(match.start() + 1, match.end(), 2):
                new = space - removed
                collapse_edits.append((new, new, space, space + 1))
                removed += 1
        return (
            fold_map,
            _EditMap(squash_edits) if squash_edits else None,
            _EditMap(collapse_edits) if collapse_edits else None,
        )


def _fold_edits(original: str) -> list[tuple[int, int, int, int]]:
    edits: list[tuple[int, int, int, int]] = []
    new = 0
    for old, char in enumerate(original):
        width = len(_FOLD[ord(char)])
        if width != 1:
            edits.append((new, new + width, old, old + 1))
        new += width
    return edits


def _resolve_symbol(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    symbol = text[at]
    after = at + 1 < len(text) and text[at + 1].isalnum()
    before = at > 0 and text[at - 1].isalnum()
    # A leading "@" is a mention and a trailing "!" is punctuation; only letters in disguise are mapped.
    if after and (before or symbol != "@"):
        return _SYMBOL_LETTER[symbol]
    return " "


def _collapser(runs: list[tuple[int, int]]) -> Callable[[re.Match[str]], str]:
    removed = [0]

    def collapse(match: re.Match[str]) -> str:
        letters = match.group()[::2]
        start = match.start() - removed[0]
        runs.append((start, start + len(letters)))
        removed[0] += len(match.group()) - len(letters)
        return letters

    return collapse


def _leet_token(match: re.Match[str]) -> str:
    return match.group().translate(_DIGIT_LEET)


def normalize(text: str) -> Normalized:
    """Normalise `text` for term matching, keeping the way back to the original offsets."""
    return Normalized(text)


def normalize_term(term: str) -> str:
    """A charter term in the form `normalize` gives text, stripped of edge spaces."""
    return Normalized(term).text.strip()
