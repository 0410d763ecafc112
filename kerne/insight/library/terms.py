"""Words and target groups as Danish is written. Pure: no Flask, no database.

Search folds case and the old spelling "aa" into "å" (Aabenraa finds Åbenrå),
keeps æ, ø and å as letters of their own, and compares Snowball's Danish stems,
so "borgerne" finds "borger" and "ældreplejen" finds "ældrepleje". A query word
may be the beginning of a word (as-you-type search).
"""
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+")
_SPLIT = re.compile(r"[,;/\n]+")
_STEMMER = snowballstemmer.stemmer("danish")


def fold(text: str) -> str:
    """Text as search compares it: composed, case-folded, "aa" read as "å"."""
    return unicodedata.normalize("NFC", text).casefold().replace("aa", "å")


@lru_cache(maxsize=16384)
def folded(text: str) -> str:
    """``fold`` for the library's entries, kept like ``words``."""
    return fold(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """The stems of the words of ``text`` (kept for texts seen before: the library reads the same
    core tasks on every search)."""
    return tuple(stem(word) for word in _WORD.findall(fold(text)))


def query_words(query: str) -> list[str]:
    """A search's words, folded as typed: each matches a stem or the beginning of a word (see ``found``)."""
    return [word for word in _WORD.findall(fold(query))]


def found(query: list[str], stems: set[str], text: str) -> bool:
    """Every query word is the stem, or the beginning, of a word of the entry.

    ``stems`` are the entry's stems; ``text`` its folded text, for beginnings of words.
    """
    for word in query:
        if stem(word) in stems:
            continue
        if not re.search(r"\b" + re.escape(word), text):
            return False
    return True


def key(label: str) -> str:
    """A free-text target group as the vocabulary looks it up: folded, single spaces, no end punctuation."""
    return " ".join(fold(label).strip(" .:-–").split())[:200]


def labels(text: str) -> list[str]:
    """The target groups named in a free text: "Ældre; pårørende, frivillige" names three."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip(" .:-–")]


def groups_of(texts, aliases: dict[str, set[int]]) -> tuple[set[int], list[str]]:
    """The managed target groups the texts map onto, and the labels no alias maps yet."""
    groups, unmapped = set(), []
    for text in texts:
        whole = aliases.get(key(text or ""))
        if whole:  # a text mapped as it stands ("Ældre borgere, der bor i eget hjem") is not split
            groups |= whole
            continue
        for label in labels(text):
            mapped = aliases.get(key(label))
            if mapped:
                groups |= mapped
            else:
                unmapped.append(label)
    return groups, unmapped
