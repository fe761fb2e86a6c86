"""Normalisation for term matching that defeats the usual evasions and keeps a map back to the text as typed.

Fold (NFKD, marks and invisibles dropped, case fold, confusables to Latin, punctuation to space), then per
word: leet symbols and digits, and runs of single letters collapsed (c.o.n.f.i). Result: words of letters
or digits joined by single spaces.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

import regex
from confusable_homoglyphs.utils import load as _load_confusables

_LEET_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "l"}
# Currency and other signs typed for a letter (pr€ss, ¢lient): a letter only between two letters or digits.
_LETTER_SIGNS = {
    "€": "e", "£": "l", "¢": "c", "¥": "y", "©": "c", "®": "r", "§": "s", "†": "t", "₳": "a", "₿": "b",
    "₲": "g", "₦": "n", "₱": "p", "₽": "p", "₮": "t", "₩": "w",
}  # fmt: skip
_DIGIT_LEET = str.maketrans(
    {"0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)
# ASCII after case folding: letters and digits stay, leet symbols wait for their word, the rest separates words.
_ASCII = str.maketrans(
    {chr(c): (chr(c).lower() if chr(c).isalnum() or chr(c) in _LEET_SYMBOLS else " ") for c in range(128)}
)
_ASCII_BYTES_TARGET = "".join(chr(c).translate(_ASCII) for c in range(128)).encode("ascii")
_NON_SPACE = re.compile(r"\S+")
_SYMBOL = re.compile(r"[@$!|]")
_INVISIBLE_FILLERS = "\u115f\u1160\u3164\uffa0\u2800"
MIN_SPELLED_OUT = 3
_SPELLED_OUT = re.compile(rf" (\S(?: \S){{{MIN_SPELLED_OUT - 1},}})(?= )")
_CLASSES = str.maketrans(
    {chr(c): ("a" if chr(c).isalpha() else "0" if chr(c).isdigit() else " ") for c in range(128)}
)


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


# Letters in costume whose compatibility decomposition is not the letter alone (or is missing): small
# capitals (ᴍ), parenthesised (⒜), negative circled or squared (🅐 🅰) and regional indicator letters.
_COSTUME = re.compile(
    r"^(?:LATIN LETTER SMALL CAPITAL|PARENTHESIZED LATIN SMALL LETTER|REGIONAL INDICATOR SYMBOL LETTER"
    r"|NEGATIVE (?:CIRCLED|SQUARED) LATIN CAPITAL LETTER) ([A-Z])$"
)
_COSTUME_BLOCKS = ((0x0250, 0x02B0), (0x1D00, 0x1DC0), (0x2460, 0x2500), (0xA720, 0xA800), (0x1F100, 0x1F200))


@cache
def _costumes() -> dict[str, str]:
    """Character -> the Latin letter its Unicode name says it is."""
    table: dict[str, str] = {}
    for low, high in _COSTUME_BLOCKS:
        for code in range(low, high):
            match = _COSTUME.match(unicodedata.name(chr(code), ""))
            if match:
                table[chr(code)] = match.group(1).lower()
    return table


# Combining marks, format controls (zero-width, bidi) and invisible fillers: dropped by the fold.
_DELETABLE = regex.compile(r"[\p{Mn}\p{Me}\p{Cf}\u115f\u1160\u3164\uffa0\u2800]")


def _fold_char(char: str) -> str:
    if _DELETABLE.match(char):
        return ""
    if char in _LETTER_SIGNS:
        return char
    costume = _costumes().get(char)
    if costume is not None:
        return costume
    confusables = _confusables()
    decomposed = unicodedata.normalize("NFKD", char)
    # What a character decomposes to says what it is (ſ is an s, Ｉ an I); where that is no ASCII letter,
    # the character's own confusable comes before its decomposition's (ϲ imitates c, its ς imitates o).
    if char in confusables and not any(part.isascii() and part.isalnum() for part in decomposed):
        return confusables[char].lower()
    out: list[str] = []
    for part in decomposed:
        part = confusables.get(part, part)
        for folded in unicodedata.normalize("NFKD", part.casefold()):
            folded = confusables.get(folded, folded)
            if _DELETABLE.match(folded):
                continue
            out.append(folded if folded.isalnum() or folded in _LEET_SYMBOLS else " ")
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled on first sight of each character (shared by the process)."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_FOLD = _FoldTable()


class _NotAscii(Exception):
    pass


_RUNS: dict[str, str] = {}


def _fold_run(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: folds a run of non-ASCII characters, or gives up if the fold is not ASCII."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end]
    folded = _RUNS.get(run)
    if folded is None:
        folded = "".join([_FOLD[ord(char)] for char in run])
        if not folded.isascii():
            raise _NotAscii
        if len(_RUNS) < 100_000:
            _RUNS[run] = folded
    return folded, error.end


codecs.register_error("advocacy-charter-fold", _fold_run)


@cache
def _latin1() -> tuple[bytes, tuple[tuple[bytes, bytes], ...], bytes]:
    """Byte table folding Latin-1, the Latin-1 characters whose fold is longer (ß -> ss), and those not ASCII."""
    table = bytearray(_ASCII_BYTES_TARGET)
    longer: list[tuple[bytes, bytes]] = []
    foreign = bytearray()
    for code in range(128, 256):
        folded = _FOLD[code]
        if len(folded) == 1 and folded.isascii():
            table.append(ord(folded))
        else:
            table.append(code)
            if folded.isascii():
                longer.append((bytes([code]), folded.encode("ascii")))
            else:
                foreign.append(code)
    return bytes(table), tuple(longer), bytes(foreign)


def _fold(text: str) -> str:
    """`text.translate(_FOLD)`, through C codecs and byte tables when the result is ASCII (the usual case)."""
    if text.isascii():
        return text.translate(_ASCII)
    table, longer, foreign = _latin1()
    try:
        encoded = text.encode("latin-1", "advocacy-charter-fold")
    except _NotAscii:
        return text.translate(_FOLD)
    if any(code in encoded for code in foreign):
        return text.translate(_FOLD)
    encoded = encoded.translate(table)
    for code, folded in longer:
        if code in encoded:
            encoded = encoded.replace(code, folded)
    return encoded.decode("ascii")


def _split_word(word: str, start: int) -> list[tuple[int, str]]:
    """A word with digits or symbols: symbols inside it become letters, others split it; then digits -> letters."""
    chars = list(word)
    last = len(word) - 1
    for index, char in enumerate(word):
        if char in _LEET_SYMBOLS:
            after = index < last and word[index + 1].isalnum()
            before = index > 0 and word[index - 1].isalnum()
            # A leading "@" is a mention and a trailing "!" is punctuation, not letters in disguise.
            chars[index] = _LEET_SYMBOLS[char] if after and (before or char != "@") else " "
        elif char in _LETTER_SIGNS:
            inside = 0 < index < last and word[index - 1].isalnum() and word[index + 1].isalnum()
            chars[index] = _LETTER_SIGNS[char] if inside else " "
    pieces = []
    for match in _NON_SPACE.finditer("".join(chars)):
        piece = match.group()
        if not (piece.isalpha() or piece.isdigit()):
            piece = piece.translate(_DIGIT_LEET)
        pieces.append((start + match.start(), piece))
    return pieces


def _assemble(words: Iterable[tuple[int, str]]) -> tuple[list[str], list[list[int]], list[bool]]:
    """Output words, the folded index of each of their characters' first source, and which were collapsed."""
    out: list[str] = []
    sources: list[list[int]] = []
    collapsed: list[bool] = []
    singles: list[tuple[int, str]] = []

    def flush() -> None:
        if len(singles) >= MIN_SPELLED_OUT:
            joined = "".join(piece for _, piece in singles)
            if not (joined.isalpha() or joined.isdigit()):
                joined = joined.translate(_DIGIT_LEET)
            out.append(joined)
            sources.append([start for start, _ in singles])
            collapsed.append(True)
        else:
            for start, piece in singles:
                out.append(piece)
                sources.append([start])
                collapsed.append(False)
        singles.clear()

    for start, word in words:
        pieces = [(start, word)] if word.isalpha() or word.isdigit() else _split_word(word, start)
        for piece_start, piece in pieces:
            if len(piece) == 1:
                singles.append((piece_start, piece))
                continue
            if singles:
                flush()
            out.append(piece)
            sources.append([piece_start])
            collapsed.append(False)
    flush()
    return out, sources, collapsed


def _has_symbol(folded: str) -> bool:
    return "@" in folded or "!" in folded or "$" in folded or "|" in folded


def _resolve_symbol(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    symbol = text[at]
    after = at + 1 < len(text) and text[at + 1].isalnum()
    before = at > 0 and text[at - 1].isalnum()
    return _LEET_SYMBOLS[symbol] if after and (before or symbol != "@") else " "


def _mixes(folded: str) -> bool:
    """Whether an ASCII folded text has a word mixing letters and digits (leetspeak, or "Q3")."""
    classes = folded.translate(_CLASSES)
    return "a0" in classes or "0a" in classes


def _resolve_odd_words(words: list[str]) -> list[str]:
    odd = [index for index, word in enumerate(words) if not (word.isalpha() or word.isdigit())]
    pieces: list[str] = []
    done = 0
    for index in odd:
        pieces += words[done:index]
        pieces += [piece for _, piece in _split_word(words[index], 0)]
        done = index + 1
    return pieces + words[done:] if odd else words


def _collapser(runs: list[tuple[int, int]]) -> Callable[[re.Match[str]], str]:
    """Joins a run of one-character words, noting where the joined word lands in the output."""
    removed = [0]

    def collapse(match: re.Match[str]) -> str:
        joined = match.group(1).replace(" ", "")
        if not (joined.isalpha() or joined.isdigit()):
            joined = joined.translate(_DIGIT_LEET)
        # Output positions are one behind the padded input's, less what earlier runs removed.
        start = match.start(1) - 1 - removed[0]
        runs.append((start, start + len(joined)))
        removed[0] += len(match.group(1)) - len(joined)
        return f" {joined}"

    return collapse


class Normalized:
    """A normalised text and the way back: `original_span` maps a span of `text` to the text as typed."""

    __slots__ = ("_folded", "_original", "_origins", "_positions", "collapsed_runs", "text")

    def __init__(self, original: str) -> None:
        self._original = original
        folded = _fold(original)
        self._folded = folded
        if not folded.isascii():
            words = _resolve_odd_words(folded.split())
        else:
            # Same decisions as _split_word, taken on the whole string: symbols are rare, words are many.
            resolved = _SYMBOL.sub(_resolve_symbol, folded) if _has_symbol(folded) else folded
            words = resolved.split()
            if _mixes(resolved):
                words = _resolve_odd_words(words)
        self.collapsed_runs: list[tuple[int, int]] = []
        text = " ".join(words)
        if _SPELLED_OUT.search(f" {text} ") is not None:
            text = _SPELLED_OUT.sub(_collapser(self.collapsed_runs), f" {text} ")[1:-1]
        self.text: str = text
        self._positions: list[int] | None = None
        self._origins: list[int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as typed that produced `text[start:end]` (end > start)."""
        positions = self._folded_positions()
        low, high = positions[start], positions[end - 1] + 1
        if self._original.isascii():
            return low, high
        origins = self._fold_origins()
        low, high = origins[low], origins[high - 1] + 1
        original = self._original
        # Marks and invisibles right after the last character belong to it (e + U+0301).
        while high < len(original) and not _FOLD[ord(original[high])]:
            high += 1
        return low, high

    def _folded_positions(self) -> list[int]:
        if self._positions is None:
            out, sources, _collapsed = _assemble(
                (m.start(), m.group()) for m in _NON_SPACE.finditer(self._folded)
            )
            positions: list[int] = []
            for word, starts in zip(out, sources, strict=True):
                if positions:
                    positions.append(positions[-1] + 1)
                positions.extend(starts if len(starts) > 1 else range(starts[0], starts[0] + len(word)))
            self._positions = positions
        return self._positions

    def _fold_origins(self) -> list[int]:
        if self._origins is None:
            origins: list[int] = []
            for index, char in enumerate(self._original):
                origins.extend([index] * len(_FOLD[ord(char)]))
            self._origins = origins
        return self._origins


def normalize(text: str) -> Normalized:
    """Normalise `text` for term matching, keeping the way back to the original offsets."""
    return Normalized(text)


def normalize_term(term: str) -> str:
    """A charter term in the form `normalize` gives text."""
    return Normalized(term).text
