"""Editing the playbook as plain data, and which language a step is read in. Pure: no Flask, no database.

The editor works on the steps of the newest version as a tuple of ``StepDraft``;
each change returns a new tuple, numbered again, which becomes the next version
only if ``problems`` finds nothing wrong with it.
"""
from dataclasses import dataclass, replace

VISITS = (1, 2)
# What a step says to the room; each is written in Danish (``title``) and may be in English (``title_en``).
WORDING = ("title", "purpose", "prompt")


@dataclass(frozen=True)
class StepDraft:
    visit_number: int
    title: str
    purpose: str
    prompt: str
    activity: str
    minutes: int
    position: int = 0
    title_en: str = ""
    purpose_en: str = ""
    prompt_en: str = ""


def worded(step, locale: str) -> dict[str, str]:
    """``step``'s title, purpose and prompt in ``locale``: the English ones when English is chosen and written,
    else the Danish the playbook is written in. ``step`` is anything with the WORDING fields in both."""
    if locale == "en":
        return {name: getattr(step, f"{name}_en").strip() or getattr(step, name) for name in WORDING}
    return {name: getattr(step, name) for name in WORDING}


def ordered(steps) -> tuple[StepDraft, ...]:
    """Steps by visit, in their order, numbered 1, 2, 3 … within each visit."""
    result = []
    for number in VISITS:
        of_visit = [s for s in steps if s.visit_number == number]
        result += [replace(s, position=n) for n, s in enumerate(of_visit, start=1)]
    return tuple(result)


def edit(steps, index: int, changed: StepDraft) -> tuple[StepDraft, ...]:
    """Step ``index`` replaced; moved to another visit it goes last there."""
    steps = list(steps)
    if steps[index].visit_number != changed.visit_number:
        steps.pop(index)
        steps.append(changed)
    else:
        steps[index] = changed
    return ordered(steps)


def move(steps, index: int, delta: int) -> tuple[StepDraft, ...]:
    """Step ``index`` moved ``delta`` places within its visit (it stops at either end)."""
    steps = list(steps)
    number = steps[index].visit_number
    places = [i for i, s in enumerate(steps) if s.visit_number == number]
    at = places.index(index)
    target = places[max(0, min(len(places) - 1, at + delta))]
    steps[index], steps[target] = steps[target], steps[index]
    return ordered(steps)


def add(steps, new: StepDraft) -> tuple[StepDraft, ...]:
    return ordered([*steps, new])


def retire(steps, index: int) -> tuple[StepDraft, ...]:
    return ordered([s for i, s in enumerate(steps) if i != index])


def retiring_problems(steps) -> list[list[str]]:
    """For each step, what taking it out would break (empty when it may go): the editor offers no
    "Udgår" that could only be refused, and says why instead."""
    return [problems(retire(steps, index)) for index in range(len(steps))]


def problems(steps) -> list[str]:
    """What keeps the steps from being a playbook a process can run through (codes)."""
    found = []
    for number in VISITS:
        if not any(s.visit_number == number for s in steps):
            found.append(f"visit{number}_empty")
    if not any(s.visit_number == 1 and s.activity == "draft" for s in steps):
        found.append("draft_missing")
    if not any(s.visit_number == 2 and s.activity == "decide" for s in steps):
        found.append("decide_missing")
    return found
