"""The fields people co-edit during a visit, and how each is read, checked and merged."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from kerne.models import DECISIONS, DRAFT_PARTS, CoreTaskDraft, Idea, WorkTask

SUBJECTS = {"draft": CoreTaskDraft, "idea": Idea, "task": WorkTask}


@dataclass(frozen=True)
class FieldSpec:
    subject: str
    name: str
    kind: str  # text, choice or date
    max_length: int
    required: bool = False
    choices: tuple[str, ...] = ()
    choose: str = ""  # what a refused choice is told; empty: the forms' shared "Vælg en af mulighederne."

    @property
    def mergeable(self) -> bool:
        return self.kind == "text"

    def read(self, obj) -> str:
        """The field's value as the text a phone sends and receives."""
        value = getattr(obj, self.name)
        if self.kind == "date":
            return value.isoformat() if value else ""
        return value or ""

    def write(self, obj, text: str) -> None:
        if self.kind == "date":
            setattr(obj, self.name, date.fromisoformat(text) if text else None)
        else:
            setattr(obj, self.name, text)


DRAFT_FIELDS = {part: FieldSpec("draft", part, "text", 1000) for part in DRAFT_PARTS}
# Merged ideas hold two texts, so an idea may grow beyond the 280 characters a new one gets.
IDEA_FIELDS = {"text": FieldSpec("idea", "text", "text", 600, required=True)}
TASK_FIELDS = {
    "title": FieldSpec("task", "title", "text", 200, required=True),
    "rationale": FieldSpec("task", "rationale", "text", 500),
    "owner": FieldSpec("task", "owner", "text", 120),
    # "Ikke besluttet" is where a task starts, never a choice: the console's select shows "Vælg …" instead.
    "decision": FieldSpec("task", "decision", "choice", 12, choices=tuple(d for d in DECISIONS if d != "undecided"),
                          choose=_l("Vælg en beslutning: udvikle, fastholde eller afvikle.")),
    "deadline": FieldSpec("task", "deadline", "date", 10),
    "follow_up_on": FieldSpec("task", "follow_up_on", "date", 10),
}
FIELDS = {"draft": DRAFT_FIELDS, "idea": IDEA_FIELDS, "task": TASK_FIELDS}
