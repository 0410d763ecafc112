"""What the phones' evaluations of visits add up to, and what of them may be shown. Pure: no Flask, no database.

The anonymity rule is here and nowhere else: the answers of a room are shown – figures and texts –
only when at least MIN_ANSWERS phones answered. With fewer, nothing of them is shown, not even how
many: only that there are too few. A pair's figures pool the rooms that are shown on their own and no
others, so subtracting one room from a pair's total never gives a small room's answers away. Texts
are shown in alphabetical order, which tells nothing about who answered when.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

MIN_ANSWERS = 5
SCALE = (1, 2, 3, 4, 5)  # how useful the day was, from "not at all" to "very"


@dataclass(frozen=True)
class Answer:
    """One phone's answer: a score on SCALE and a text, each of them optional."""

    usefulness: int | None
    change: str


@dataclass(frozen=True)
class Summary:
    """What may be shown of a group of answers; nothing but ``shown`` False when they are too few."""

    shown: bool
    answers: int = 0
    scores: tuple[tuple[int, int], ...] = ()  # (score, how many gave it), for each score on SCALE
    mean: float | None = None  # of the answers that gave a score
    texts: tuple[str, ...] = ()


TOO_FEW = Summary(shown=False)


def enough(answers: list[Answer]) -> bool:
    """Whether a room's answers are many enough that showing them points at nobody."""
    return len(answers) >= MIN_ANSWERS


def summarise(answers: Iterable[Answer]) -> Summary:
    """The figures and texts of one room's answers, or TOO_FEW."""
    answers = list(answers)
    if not enough(answers):
        return TOO_FEW
    given = [a.usefulness for a in answers if a.usefulness is not None]
    return Summary(
        shown=True,
        answers=len(answers),
        scores=tuple((score, given.count(score)) for score in SCALE),
        mean=fmean(given) if given else None,
        texts=tuple(sorted((a.change for a in answers if a.change.strip()), key=str.casefold)),
    )


def pooled(rooms: Iterable[list[Answer]]) -> Summary:
    """Several rooms' answers together (a pair's visits), of the rooms that are shown on their own only."""
    return summarise(answer for room in rooms if enough(room) for answer in room)
