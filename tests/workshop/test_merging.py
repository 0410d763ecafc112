"""Three-way merging of co-written text: exact results for the cases a room produces."""
import pytest

from kerne.workshop.merging import (
    Merge,
    Outcome,
    merge_preferring_mine,
    merge_text,
    resolve_keeping_mine,
    resolve_save,
    tokens,
)


def test_tokens_split_words_spaces_and_punctuation():
    assert tokens("Vi skaber tryghed, for børn.") == ["Vi", " ", "skaber", " ", "tryghed", ",", " ", "for", " ", "børn", "."]


@pytest.mark.parametrize(
    ("base", "theirs", "mine", "expected"),
    [
        # different words changed
        ("Vi skaber læring for børn", "Vi understøtter læring for børn", "Vi skaber læring for børn og unge",
         "Vi understøtter læring for børn og unge"),
        # both append at the end: both kept, theirs first
        ("Tryghed for borgeren", "Tryghed for borgeren i eget hjem", "Tryghed for borgeren hver dag",
         "Tryghed for borgeren i eget hjem hver dag"),
        # both insert at the same place in the middle
        ("A B", "A X B", "A Y B", "A X Y B"),
        # one insertion already holds the other (a resend after more typing)
        ("abc", "abc def", "abc def ghi", "abc def ghi"),
        # start and end of an empty field
        ("", "hej", "med dig", "hej med dig"),
        # a word replaced on one side, punctuation on the other
        ("Borgere i eget hjem.", "Ældre borgere i eget hjem.", "Borgere i eget hjem, der har brug for hjælp.",
         "Ældre borgere i eget hjem, der har brug for hjælp."),
        # one side deletes, the other edits elsewhere
        ("Vi hjælper altid alle borgere", "Vi hjælper alle borgere", "Vi hjælper altid alle borgere i kommunen",
         "Vi hjælper alle borgere i kommunen"),
        # words added right before or after a word the other side changed: both changes
        ("Borgerne er trygge.", "Borgerne er meget trygge.", "Borgerne er sikre.", "Borgerne er meget sikre."),
        ("Borgerne er glade.", "Borgerne er glade og raske.", "Borgerne er sikre.", "Borgerne er sikre og raske."),
        ("Borgerne er glade.", "Borgerne er sikre.", "Borgerne er glade og raske.", "Borgerne er sikre og raske."),
    ],
)
def test_clean_merges(base, theirs, mine, expected):
    assert merge_text(base, theirs, mine) == Merge(expected, True)


def test_same_word_changed_differently_is_a_conflict_that_keeps_theirs():
    assert merge_text("Vi hjælper borgerne", "Vi støtter borgerne", "Vi bærer borgerne") == Merge("Vi støtter borgerne", False)


def test_identical_changes_are_not_a_conflict():
    assert merge_text("a b", "a c", "a c") == Merge("a c", True)


@pytest.mark.parametrize(
    ("base", "current", "mine", "mergeable", "expected"),
    [
        ("x", "x", "x", True, Outcome("unchanged", "x")),
        ("x", "y", "x", True, Outcome("unchanged", "y")),  # nothing typed since base
        ("x", "y", "y", True, Outcome("unchanged", "y")),  # someone already wrote the same
        ("x", "x", "z", True, Outcome("applied", "z")),
        ("a b", "a b c", "d a b", True, Outcome("merged", "d a b c")),
        ("a b", "a c", "a d", True, Outcome("conflict", "a c")),
        ("undecided", "keep", "develop", False, Outcome("conflict", "keep")),
        ("undecided", "undecided", "develop", False, Outcome("applied", "develop")),
        ("", "2026-12-01", "2026-12-01", False, Outcome("unchanged", "2026-12-01")),
    ],
)
def test_resolve_save(base, current, mine, mergeable, expected):
    assert resolve_save(base, current, mine, mergeable=mergeable) == expected


def test_a_merge_too_long_for_the_field_is_a_conflict_not_a_cut():
    assert resolve_save("ab", "ab cd", "xy ab", mergeable=True, max_length=7) == Outcome("conflict", "ab cd")
    assert resolve_save("ab", "ab cd", "xy ab", mergeable=True, max_length=8) == Outcome("merged", "xy ab cd")


def test_long_texts_with_repeated_words_merge_word_by_word():
    base = " ".join(["og"] * 150)
    theirs = "start " + base
    mine = base + " slut"
    assert merge_text(base, theirs, mine) == Merge(f"start {base} slut", True)


@pytest.mark.parametrize(
    ("base", "theirs", "mine", "expected"),
    [
        # The clashing word becomes the author's; the sentence added since stays.
        ("Borgerne er trygge.", "Borgerne er glade. Hver dag.", "Borgerne er sikre.", "Borgerne er sikre. Hver dag."),
        # The author's own later word (in theirs now) stays too.
        ("Borgerne er trygge.", "Alle borgerne er glade.", "Borgerne er sikre.", "Alle borgerne er sikre."),
        # Nothing clashes: the same as a clean merge.
        ("a b c", "a B c", "a b C", "a B C"),
        # Both inserted at one place: both kept, as in a clean merge.
        ("a c", "a x c", "a y c", "a x y c"),
    ],
)
def test_choosing_my_version_merges_from_the_conflicts_base(base, theirs, mine, expected):
    assert merge_preferring_mine(base, theirs, mine) == expected


# ---- choosing one's own version, later ------------------------------------------------------------------------

BASE, THEN, MINE = "Borgerne er trygge.", "Borgerne er glade.", "Borgerne er sikre."
# Nearly a full draft field (1000 characters): 980 of them before the clashing word.
LONG = "a " * 490


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        # nothing written since: the author's word, as if chosen at once
        (THEN, "Borgerne er sikre."),
        # a word added since right after the clashing word stays
        ("Borgerne er glade og raske.", "Borgerne er sikre og raske."),
        # ... and right before it
        ("Borgerne er meget glade.", "Borgerne er meget sikre."),
        # words added elsewhere since stay, at both ends
        ("Alle borgerne er glade. Hver dag.", "Alle borgerne er sikre. Hver dag."),
        ("Borgerne er glade, lykkelige.", "Borgerne er sikre, lykkelige."),
        # the clashing word changed again since: no silent choice, the author edits the current text
        ("Borgerne er lykkelige.", None),
        ("Borgerne er meget lykkelige.", None),
    ],
)
def test_choosing_my_version_later_keeps_every_edit_made_since(current, expected):
    assert resolve_keeping_mine(BASE, THEN, MINE, current, 1000) == expected


def test_choosing_my_version_later_near_the_fields_length_limit():
    # within the limit: the later words stay, exactly
    assert resolve_keeping_mine(LONG + "trygge.", LONG + "glade.", LONG + "sikre.", LONG + "glade og raske.", 1000) == (
        LONG + "sikre og raske.")
    # the author's words and the later ones together would not fit (1005 > 1000): neither is cut, nor dropped
    assert resolve_keeping_mine(LONG + "trygge.", LONG + "glade.", LONG + "sikre og trygge.", LONG + "glade og raske.",
                                1000) is None
    # a limit met exactly is met
    assert resolve_keeping_mine("ab", "ac", "ad", "ac e", 4) == "ad e"
    assert resolve_keeping_mine("ab", "ac", "ad", "ac e", 3) is None
