"""Words and target groups as Danish is written. Pure: no Flask, no database.

Search reads a query word the way it was typed. A word with æ, ø or å, or with their old spellings ae,
oe and aa, is Danish: it is compared with the texts written the same way, ae as æ, oe as ø, aa as å
("aeldre" finds "ældre", "Aabenraa" finds "Åbenrå" and back again), and "så" never finds "sammen". A
word typed in plain letters, as on a keyboard without æ, ø and å, is compared with the texts' plain
letters: "born" finds "børn", "aldre" finds "ældre". Both compare Snowball's Danish stems, so "borgerne"
finds "borger"; the irregular forms the stemmer does not join are listed (barn/børn, mand/mænd …): a
query word finds every form of its word. A query word also finds the beginning of a word, as you type,
and inside a compound's start: "børn" finds "børnefamilier".

A free-text list of target groups is split only where the person split it, one group a line: a comma
belongs to the group's name ("Borgere, der søger ydelser" is one group).
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+")
_TOKENS = re.compile(r"(\w+)")
_STEMMER = snowballstemmer.stemmer("danish")
_DANISH_LETTERS = frozenset("æøå")
_OLD_SPELLINGS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
_PLAIN = (("æ", "a"), ("ø", "o"), ("å", "a"))
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


def _case(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


@lru_cache(maxsize=65536)
def danish(word: str) -> str:
    """A word as Danish writes it: case-folded, the old spellings ae, oe and aa read as æ, ø and å."""
    word = _case(word)
    for old, letter in _OLD_SPELLINGS:
        word = word.replace(old, letter)
    return word


@lru_cache(maxsize=65536)
def plain(word: str) -> str:
    """A word in plain letters, as typed without æ, ø and å: "børn" is "born", "ældre" is "aldre"."""
    word = danish(word)
    for letter, vowel in _PLAIN:
        word = word.replace(letter, vowel)
    return word


def _stem(word: str) -> str:
    return _STEMMER.stemWord(danish(word))  # the stemmer reads æ, ø and å


@lru_cache(maxsize=65536)
def danish_stem(word: str) -> str:
    return danish(_stem(word))


@lru_cache(maxsize=65536)
def plain_stem(word: str) -> str:
    return plain(_stem(word))


@dataclass(frozen=True)
class Indexed:
    """A text as search reads it: its words' stems and its words, written the Danish way and in plain letters."""

    danish_stems: frozenset[str]
    danish_text: str
    plain_stems: frozenset[str]
    plain_text: str


@lru_cache(maxsize=16384)
def index(text: str) -> Indexed:
    """``text`` for search (kept: the library reads the same texts each search)."""
    found = _WORD.findall(text)
    return Indexed(frozenset(map(danish_stem, found)), " ".join(map(danish, found)),
                   frozenset(map(plain_stem, found)), " ".join(map(plain, found)))


def _is_danish(word: str) -> bool:
    return bool(_DANISH_LETTERS & set(word)) or any(old in word for old, _letter in _OLD_SPELLINGS)


_IRREGULAR = {stem(form): group for stem in (danish_stem, plain_stem) for group in IRREGULAR for form in group}


@dataclass(frozen=True)
class _Wanted:
    """One query word: read the Danish way or in plain letters, its stems and the beginnings it matches."""

    is_danish: bool
    stems: frozenset[str]
    beginning: re.Pattern

    def found(self, text: Indexed) -> bool:
        stems, words = (text.danish_stems, text.danish_text) if self.is_danish else (text.plain_stems, text.plain_text)
        return not self.stems.isdisjoint(stems) or bool(self.beginning.search(words))

    def hit(self, word: str) -> bool:
        stem, written = (danish_stem, danish) if self.is_danish else (plain_stem, plain)
        return stem(word) in self.stems or bool(self.beginning.match(written(word)))


class Query:
    """What a search looks for: for each word typed, every stem and beginning it may match."""

    def __init__(self, text: str):
        self.wanted = [self._wanted(word) for word in _WORD.findall(_case(text))]

    @staticmethod
    def _wanted(word: str) -> _Wanted:
        is_danish = _is_danish(word)
        stem, written = (danish_stem, danish) if is_danish else (plain_stem, plain)
        forms = {word, *_IRREGULAR.get(stem(word), ())}
        beginnings = sorted({written(form) for form in forms}, key=len, reverse=True)
        return _Wanted(is_danish, frozenset(map(stem, forms)),
                       re.compile(r"\b(?:" + "|".join(map(re.escape, beginnings)) + ")"))

    def __bool__(self) -> bool:
        return bool(self.wanted)

    def found(self, text: Indexed) -> bool:
        """Every word of the query is the stem, or the beginning, of a word of ``text``."""
        return all(wanted.found(text) for wanted in self.wanted)

    def hit(self, word: str) -> bool:
        return any(wanted.hit(word) for wanted in self.wanted)

    def marked(self, text: str) -> list[tuple[str, bool]]:
        """``text`` in pieces, each with whether it is a word the query found (to be shown in <mark>)."""
        pieces: list[tuple[str, bool]] = []
        for index_, piece in enumerate(_TOKENS.split(text)):
            hit = index_ % 2 == 1 and bool(self.wanted) and self.hit(piece)
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
