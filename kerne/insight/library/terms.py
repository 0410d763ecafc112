"""Words and target groups as Danish is written. Pure: no Flask, no database.

Search compares the *skeleton* of words: composed and case-folded, with æ and ae read as a, ø and oe
as o, å and aa as a, so "aeldre" finds "ældre", "born" and "boern" find "børn", "Aabenraa" finds
"Åbenrå" and back again; and it compares Snowball's Danish stems, so "borgerne" finds "borger". The
irregular forms the stemmer does not join are listed (barn/børn, mand/mænd …): a query word finds
every form of its word. A query word also finds the beginning of a word, as you type, and inside a
compound's start: "børn" finds "børnefamilier".

A free-text list of target groups is split only where the person split it, one group a line: a comma
belongs to the group's name ("Borgere, der søger ydelser" is one group).
"""
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+")
_TOKENS = re.compile(r"(\w+)")
_STEMMER = snowballstemmer.stemmer("danish")
_DIGRAPHS = (("æ", "a"), ("ø", "o"), ("å", "a"), ("ae", "a"), ("oe", "o"), ("aa", "a"))
_DANISH = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
# Forms of a word the stemmer does not join: the singular and the plural (and a few more) of Danish's
# irregular nouns. Each tuple is one word.
IRREGULAR = (
    ("barn", "børn"), ("mand", "mænd"), ("fod", "fødder"), ("hånd", "hænder"),
    ("bog", "bøger"), ("bonde", "bønder"), ("gås", "gæs"), ("ko", "køer"), ("tå", "tæer"), ("and", "ænder"),
    ("far", "fædre"), ("mor", "mødre"), ("bror", "brødre"), ("datter", "døtre"), ("nat", "nætter"),
    ("tand", "tænder"), ("stad", "stæder"), ("kraft", "kræfter"), ("øje", "øjne"), ("barnebarn", "børnebørn"),
    ("forælder", "forældre"),
)


def fold(text: str) -> str:
    """Text as the target-group vocabulary keys it: composed, case-folded, "aa" read as "å"."""
    return unicodedata.normalize("NFC", text).casefold().replace("aa", "å")


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A word as search compares it: case-folded, æ/ae, ø/oe and å/aa each one vowel."""
    word = unicodedata.normalize("NFC", word).casefold()
    for letters, vowel in _DIGRAPHS:
        word = word.replace(letters, vowel)
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The skeleton of a word's Danish stem (the stemmer reads æ, ø and å, so it stems before folding)."""
    return skeleton(_STEMMER.stemWord(unicodedata.normalize("NFC", word).casefold()))


@lru_cache(maxsize=16384)
def folded(text: str) -> str:
    """The skeleton of a whole text, for beginnings of words (kept: the library reads the same texts each search)."""
    return " ".join(skeleton(word) for word in _WORD.findall(text))


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """The stems of the words of ``text``."""
    return tuple(stem(word) for word in _WORD.findall(text))


_FORMS = {stem(form): group for group in IRREGULAR for form in group}


class Query:
    """What a search looks for: for each word typed, every stem and beginning it may match."""

    def __init__(self, text: str):
        self.wanted = [self._forms(word) for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold())]

    @staticmethod
    def _forms(word: str) -> tuple[frozenset[str], re.Pattern]:
        danish = word
        for letters, letter in _DANISH:
            danish = danish.replace(letters, letter)
        forms = {word, danish, *_FORMS.get(stem(word), ()), *_FORMS.get(stem(danish), ())}
        beginnings = sorted({skeleton(form) for form in forms}, key=len, reverse=True)
        return frozenset(stem(form) for form in forms), re.compile(r"\b(?:" + "|".join(map(re.escape, beginnings)) + ")")

    def __bool__(self) -> bool:
        return bool(self.wanted)

    def found(self, stems: set[str], text: str) -> bool:
        """Every word of the query is the stem, or the beginning, of a word of the entry (``stems`` and
        ``text`` are its ``words`` and its ``folded`` text)."""
        return all(not known.isdisjoint(stems) or beginning.search(text) for known, beginning in self.wanted)

    def hit(self, word: str) -> bool:
        return any(stem(word) in known or beginning.match(skeleton(word)) for known, beginning in self.wanted)

    def marked(self, text: str) -> list[tuple[str, bool]]:
        """``text`` in pieces, each with whether it is a word the query found (to be shown in <mark>)."""
        pieces: list[tuple[str, bool]] = []
        for index, piece in enumerate(_TOKENS.split(text)):
            hit = index % 2 == 1 and bool(self.wanted) and self.hit(piece)
            if pieces and not hit and not pieces[-1][1]:
                pieces[-1] = (pieces[-1][0] + piece, False)
            elif piece:
                pieces.append((piece, hit))
        return pieces


def key(label: str) -> str:
    """A free-text target group as the vocabulary looks it up: folded, single spaces, no end punctuation."""
    return " ".join(fold(label).strip(" .:-–").split())[:200]


def labels(text: str) -> list[str]:
    """The target groups of a list, one a line: "Ældre\\nBorgere, der søger ydelser" names two."""
    return [part.strip() for part in (text or "").splitlines() if part.strip(" .:-–")]


def groups_of(texts, aliases: dict[str, set[int]]) -> tuple[set[int], list[str]]:
    """The managed target groups the texts map onto, and the labels no alias maps yet."""
    groups, unmapped = set(), []
    for text in texts:
        whole = aliases.get(key(text or ""))
        if whole:  # a text mapped as it stands is not split
            groups |= whole
            continue
        for label in labels(text):
            mapped = aliases.get(key(label))
            if mapped:
                groups |= mapped
            else:
                unmapped.append(label)
    return groups, unmapped
