"""Three-way merging of co-written text, and what a save does to a field.

Pure: no Flask, no database. The texts are short (a sentence or a few), so
they are merged word by word rather than line by line, with merge3 doing the
alignment. Two people inserting at the same place is not a conflict: both
insertions are kept, theirs first; nor is one adding words right next to words
the other changed. Only when both changed the same words differently is the
merge unclean; the caller then keeps both versions.
"""
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import partial
from typing import Literal

from merge3 import Merge3

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# autojunk would treat frequent tokens (spaces) as noise in longer texts.
_MATCHER = partial(SequenceMatcher, autojunk=False)


def tokens(text: str) -> list[str]:
    """Words, runs of whitespace and single punctuation marks, in order."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Merge:
    text: str
    clean: bool


def merge_text(base: str, theirs: str, mine: str) -> Merge:
    """Combine the changes base→theirs and base→mine.

    When unclean, ``text`` is ``theirs``: the saved text stays as it is and
    the caller keeps ``mine`` aside for the author to choose.
    """
    if mine == base or theirs == mine:
        return Merge(theirs, True)
    if theirs == base:
        return Merge(mine, True)
    merged = _merge(base, theirs, mine, on_clash=lambda _theirs, _mine: None)
    return Merge(theirs, False) if merged is None else Merge("".join(merged), True)


def merge_preferring_mine(base: str, theirs: str, mine: str) -> str:
    """Like merge_text, but where both changed the same words, ``mine`` wins.

    For an author who, after a clash, chooses their own version: their words
    replace the clashing ones, and every other change made since stays.
    """
    return "".join(_merge(base, theirs, mine, on_clash=lambda _theirs, mine_part: list(mine_part)))


def resolve_keeping_mine(base: str, then: str, mine: str, current: str, max_length: int) -> str | None:
    """The field's text when the author of a clash chooses their own version, later.

    ``mine`` started from ``base`` and clashed with ``then``, what the field held at
    the time; it holds ``current`` now. The author's words replace the clashing ones
    as if chosen at once, and every change made since (anyone's) stays. None when a
    later change touched those same words, or the result would be longer than the
    field may hold: the author then edits the current text; no one's words are dropped.
    """
    merge = merge_text(then, current, merge_preferring_mine(base, then, mine))
    if not merge.clean or len(merge.text) > max_length:
        return None
    return merge.text


def _merge(base: str, theirs: str, mine: str, on_clash) -> list[str] | None:
    """The merged tokens; where both changed the same words, ``on_clash(theirs, mine)`` decides (None: unclean)."""
    merged: list[str] = []
    regions = Merge3(tokens(base), tokens(theirs), tokens(mine), sequence_matcher=_MATCHER)
    for group in regions.merge_groups():
        if group[0] != "conflict":
            merged.extend(group[1])
            continue
        _, base_part, theirs_part, mine_part = group
        if not base_part:
            chosen = _both_insertions(list(theirs_part), list(mine_part))
        else:
            chosen = _added_beside(list(base_part), list(theirs_part), list(mine_part)) or on_clash(theirs_part, mine_part)
        if chosen is None:
            return None
        merged.extend(chosen)
    return merged


def _added_beside(base: list[str], theirs: list[str], mine: list[str]) -> list[str] | None:
    """One side only added words right before or after the words the other changed: both changes, or None."""
    n = len(base)
    for added, changed in ((theirs, mine), (mine, theirs)):
        if base in (changed[:n], changed[-n:]):
            continue  # the other side added words too: a clash for the caller
        if len(added) > n and added[:n] == base:
            return changed + added[n:]
        if len(added) > n and added[-n:] == base:
            return added[:-n] + changed
    return None


def _both_insertions(theirs: list[str], mine: list[str]) -> list[str]:
    """Two insertions at one place: keep both, unless one already holds the other."""
    shorter, longer = sorted((theirs, mine), key=len)
    if longer[: len(shorter)] == shorter or longer[len(longer) - len(shorter):] == shorter:
        return longer
    if theirs and mine and not theirs[-1].isspace() and not mine[0].isspace():
        return theirs + [" "] + mine
    return theirs + mine


@dataclass(frozen=True)
class Outcome:
    """What saving ``mine`` over a field does.

    unchanged: nothing to store; applied: ``value`` replaces the field as typed;
    merged: ``value`` is the clean merge of the others' change and ``mine``;
    conflict: the field keeps ``value`` (theirs) and ``mine`` must be kept aside.
    """

    kind: Literal["unchanged", "applied", "merged", "conflict"]
    value: str


def resolve_save(base: str, current: str, mine: str, *, mergeable: bool, max_length: int | None = None) -> Outcome:
    """Decide a save that started from ``base`` while the field now holds ``current``.

    Text fields are ``mergeable``; choices and dates are not, so a concurrent
    change to them is a conflict unless both chose the same. A merge longer
    than the field may hold is a conflict too: nobody's words are cut off.
    """
    if mine == current or mine == base:
        return Outcome("unchanged", current)
    if base == current:
        return Outcome("applied", mine)
    if not mergeable:
        return Outcome("conflict", current)
    merge = merge_text(base, current, mine)
    if not merge.clean or (max_length is not None and len(merge.text) > max_length):
        return Outcome("conflict", current)
    return Outcome("merged", merge.text)
