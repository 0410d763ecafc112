"""A visit's board at one version, read once and shared by every screen.

After each change every phone in the room asks for the board. Reading it once
per version (per worker process) and keeping it as plain, frozen data turns
thirty renders' worth of queries into one read. The version is in the key and
a board is never older than its version, so nothing stale is ever served:
whoever polls with an older ``since`` gets this board, whoever saved gets a
board that holds their save.
"""
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Integer, bindparam, func, select

from kerne.models import (
    Ambassador,
    CoreTaskDraft,
    DotVote,
    Idea,
    OrgUnit,
    Participant,
    PlaybookStep,
    Process,
    ProcessFacilitator,
    Revision,
    TaskVote,
    User,
    Visit,
    WorkTask,
)
from kerne.processes.playbook.rules import worded
from kerne.processes.playbook.versions import steps_query
from kerne.web.extensions import db
from kerne.workshop.live import Actor

TOP_IDEAS_PER_TAG = 3
KEEP_BOARDS = 512


@dataclass(frozen=True)
class VisitCard:
    id: int
    public_id: str
    number: int
    status: str
    version: int
    step_position: int
    dots_per_participant: int
    join_code: str | None
    join_code_issued_at: datetime | None
    timer_seconds: int | None
    timer_used: int
    timer_running_since: datetime | None
    results_shown: bool
    focus_task_id: int | None
    code_shown: bool


@dataclass(frozen=True)
class ProcessCard:
    id: int
    workplace: str
    facilitators: tuple[str, ...]


@dataclass(frozen=True)
class StepCard:
    id: int
    visit_number: int
    position: int
    title: str
    purpose: str
    prompt: str
    activity: str
    minutes: int
    title_en: str
    purpose_en: str
    prompt_en: str

    def in_language(self, locale: str) -> "StepCard":
        """The step with its title, purpose and prompt in ``locale`` (the Danish where no English is written)."""
        return replace(self, **worded(self, locale))


@dataclass(frozen=True)
class IdeaCard:
    id: int
    step_id: int
    text: str
    tag: str | None
    hidden: bool
    participant_name: str | None
    user_name: str | None
    participant_id: int | None
    user_id: int | None
    dots: int


@dataclass(frozen=True)
class DraftCard:
    id: int
    target_group: str
    effect: str
    approach: str
    ambition: str
    core_task: str
    locked_at: datetime | None

    def __getitem__(self, part: str) -> str:
        return getattr(self, part)


@dataclass(frozen=True)
class TaskCard:
    id: int
    position: int
    title: str
    decision: str
    rationale: str
    owner: str
    deadline: date | None
    follow_up_on: date | None


@dataclass(frozen=True)
class ConflictCard:
    id: int
    subject: str
    subject_id: int
    field: str
    value: str
    participant_id: int | None
    user_id: int | None
    created_at: datetime
    participant_name: str | None


@dataclass(frozen=True)
class Board:
    visit: VisitCard
    process: ProcessCard
    steps: tuple[StepCard, ...]
    participant_count: int
    core_task: DraftCard | None
    draft: DraftCard | None = None
    ideas: tuple[IdeaCard, ...] = ()
    top_ideas: dict = field(default_factory=dict)
    tasks: tuple[TaskCard, ...] = ()
    removed_tasks: tuple[TaskCard, ...] = ()
    vote_counts: dict = field(default_factory=dict)
    dots: dict = field(default_factory=dict)
    task_votes: dict = field(default_factory=dict)
    conflicts: tuple[ConflictCard, ...] = ()
    set_by: dict = field(default_factory=dict)

    @property
    def step(self) -> StepCard | None:
        if not self.steps:
            return None
        return self.steps[min(max(self.visit.step_position, 1), len(self.steps)) - 1]

    def in_language(self, locale: str) -> "Board":
        """The board with its steps worded in ``locale``: it is read once per version and shown in either language."""
        return replace(self, steps=tuple(step.in_language(locale) for step in self.steps))

    def conflicts_of(self, actor: Actor,
                     quiet: frozenset[int] = frozenset()) -> dict[tuple[str, int, str], list[ConflictCard]]:
        """The actor's conflicts still waiting for a choice, oldest first, by (subject, id, field),
        and those in ``quiet`` (a facilitator settles the conflicts of participants gone quiet).

        A fresh dict per screen: the template takes out what it shows beside a field
        and shows the rest on its own, so no open conflict is ever out of sight.
        """
        found: dict[tuple[str, int, str], list[ConflictCard]] = {}
        for conflict in self.conflicts:
            if actor.wrote(conflict) or conflict.id in quiet:
                found.setdefault((conflict.subject, conflict.subject_id, conflict.field), []).append(conflict)
        return found


def _cards(card_type, query, **params) -> tuple:
    """Run a query whose columns are named like ``card_type``'s fields."""
    return tuple(card_type(**row._mapping) for row in db.session.execute(query, params))


def _card(card_type, row):
    """A card from the columns of ``row`` named like its fields (the row may hold more)."""
    return card_type(**{f.name: getattr(row, f.name) for f in fields(card_type)})


def _columns(model, card_type, **renamed) -> list:
    return [getattr(model, f.name) for f in fields(card_type) if f.name not in renamed] + [
        column.label(name) for name, column in renamed.items()
    ]


# The board is read for every version of every busy room, so its queries are built once, here,
# with parameters: building a statement and its cache key costs about as much as running it.
VISIT_ID, PROCESS_ID = bindparam("visit_id"), bindparam("process_id")

_DOTS_PER_IDEA = (
    select(DotVote.idea_id, func.sum(DotVote.dots).label("dots"))
    .join(Idea, Idea.id == DotVote.idea_id)
    .where(Idea.visit_id == VISIT_ID)
    .group_by(DotVote.idea_id)
    .subquery()
)


def _idea_query(*conditions, dots, **extra):
    """Ideas of the visit not merged away, each with its dots and its author's name."""
    return (
        select(*_columns(Idea, IdeaCard, participant_name=Participant.display_name, user_name=User.name, dots=dots),
               *(column.label(name) for name, column in extra.items()))
        .outerjoin(Participant, Participant.id == Idea.participant_id)
        .outerjoin(User, User.id == Idea.user_id)
        .where(Idea.visit_id == VISIT_ID, Idea.merged_into_id.is_(None), *conditions)
    )


_STEP_IDEAS = (
    _idea_query(Idea.step_id == bindparam("step_id"), dots=func.coalesce(_DOTS_PER_IDEA.c.dots, 0))
    .outerjoin(_DOTS_PER_IDEA, _DOTS_PER_IDEA.c.idea_id == Idea.id)
    .order_by(Idea.id)
)
_STEP_DOTS = (
    select(DotVote.participant_id, DotVote.idea_id, DotVote.dots)
    .join(Idea, Idea.id == DotVote.idea_id)
    .where(Idea.visit_id == VISIT_ID, Idea.step_id == bindparam("step_id"))
)
# The visible, tagged ideas of the vote steps with dots, ranked per perspective: most dots first, then oldest.
_RANKED_IDEAS = (
    _idea_query(Idea.step_id.in_(bindparam("step_ids", expanding=True)), Idea.hidden.is_(False),
                Idea.tag.is_not(None), Idea.tag != "", _DOTS_PER_IDEA.c.dots > 0, dots=_DOTS_PER_IDEA.c.dots,
                rank=func.row_number().over(partition_by=Idea.tag, order_by=(_DOTS_PER_IDEA.c.dots.desc(), Idea.id)))
    .join(_DOTS_PER_IDEA, _DOTS_PER_IDEA.c.idea_id == Idea.id)
    .subquery()
)
_TOP_IDEAS = (
    select(*(_RANKED_IDEAS.c[f.name] for f in fields(IdeaCard)))
    .where(_RANKED_IDEAS.c.rank <= bindparam("per_tag"))
    .order_by(_RANKED_IDEAS.c.tag, _RANKED_IDEAS.c.rank)
)


def _ideas(visit_id: int, step: StepCard) -> dict:
    dots: dict[int, dict[int, int]] = defaultdict(dict)
    for participant_id, idea_id, n in db.session.execute(_STEP_DOTS, {"visit_id": visit_id, "step_id": step.id}):
        dots[participant_id][idea_id] = n
    return {"ideas": _cards(IdeaCard, _STEP_IDEAS, visit_id=visit_id, step_id=step.id), "dots": dict(dots)}


def _top_ideas(visit_id: int, steps: tuple[StepCard, ...]) -> dict:
    """The ideas with most dots per perspective, as material for the draft."""
    top: dict[str, list] = defaultdict(list)
    vote_steps = [s.id for s in steps if s.activity == "vote"]
    for idea in _cards(IdeaCard, _TOP_IDEAS, visit_id=visit_id, step_ids=vote_steps, per_tag=TOP_IDEAS_PER_TAG):
        top[idea.tag].append(idea)
    return {"top_ideas": {tag: tuple(cards) for tag, cards in top.items()}}


_TASKS = (
    select(*_columns(WorkTask, TaskCard), WorkTask.removed)
    .where(WorkTask.visit_id == VISIT_ID)
    .order_by(WorkTask.position, WorkTask.id)
)
_TASK_VOTES = (
    select(TaskVote.participant_id, TaskVote.task_id, TaskVote.choice)
    .join(WorkTask, WorkTask.id == TaskVote.task_id)
    .where(WorkTask.visit_id == VISIT_ID)
)


def _tasks(visit_id: int, with_votes: bool) -> dict:
    rows = db.session.execute(_TASKS, {"visit_id": visit_id}).all()
    data = {
        "tasks": tuple(_card(TaskCard, r) for r in rows if not r.removed),
        "removed_tasks": tuple(_card(TaskCard, r) for r in rows if r.removed),
    }
    if with_votes:
        votes: dict[int, dict[int, str]] = defaultdict(dict)
        counts: dict[int, Counter] = defaultdict(Counter)
        for participant_id, task_id, choice in db.session.execute(_TASK_VOTES, {"visit_id": visit_id}):
            votes[participant_id][task_id] = choice
            counts[task_id][choice] += 1
        data.update(task_votes=dict(votes), vote_counts=dict(counts))
    return data


_DRAFTS = (
    select(*_columns(CoreTaskDraft, DraftCard), CoreTaskDraft.visit_id)
    .join(Visit, Visit.id == CoreTaskDraft.visit_id)
    .where(Visit.process_id == PROCESS_ID)
    .order_by(Visit.number)
)


def _drafts(process_id: int, visit_id: int) -> dict:
    """This visit's draft, and the process's core task: the locked wording if any, else the latest written."""
    cards = [(r.visit_id, _card(DraftCard, r)) for r in db.session.execute(_DRAFTS, {"process_id": process_id})]
    written = [card for _visit, card in cards if card.core_task]
    locked = [card for card in written if card.locked_at is not None]
    return {
        "draft": next((card for owner, card in cards if owner == visit_id), None),
        "core_task": (locked or written or [None])[-1],
    }


# The fields of a task the room records itself in the action plan; each phone shows who set them.
ROOM_RECORDED = ("owner", "deadline", "follow_up_on")
_SET_BY = (
    select(Revision.subject_id, Revision.field, Participant.display_name, User.name)
    .outerjoin(Participant, Participant.id == Revision.participant_id)
    .outerjoin(User, User.id == Revision.user_id)
    .where(Revision.visit_id == VISIT_ID, Revision.subject == "task", Revision.field.in_(ROOM_RECORDED),
           Revision.kind.not_in(("conflict", "refused")))
    .order_by(Revision.id)
)


def _set_by(visit_id: int) -> dict:
    """Who last set each task field the room records, by (task id, field): (participant name, user name)."""
    rows = db.session.execute(_SET_BY, {"visit_id": visit_id})
    return {(task_id, name): (participant, user) for task_id, name, participant, user in rows}


_VISIT = (
    select(*_columns(Visit, VisitCard), Visit.playbook_id, Process.id.label("process_id"),
           OrgUnit.name.label("workplace"),
           select(func.count()).where(Participant.visit_id == Visit.id).scalar_subquery().label("participant_count"))
    .join(Process, Process.id == Visit.process_id)
    .join(OrgUnit, OrgUnit.id == Process.workplace_id)
    .where(Visit.id == VISIT_ID)
)
_FACILITATORS = (
    select(Ambassador.name)
    .join(ProcessFacilitator, ProcessFacilitator.ambassador_id == Ambassador.id)
    .where(ProcessFacilitator.process_id == PROCESS_ID)
    .order_by(Ambassador.name)
)
_STEPS = steps_query(bindparam("visit_number"), bindparam("playbook_id", type_=Integer),
                     _columns(PlaybookStep, StepCard))
_OPEN_CONFLICTS = (
    select(*_columns(Revision, ConflictCard, participant_name=Participant.display_name))
    .outerjoin(Participant, Participant.id == Revision.participant_id)
    .where(Revision.visit_id == VISIT_ID, Revision.kind == "conflict", Revision.resolved.is_(False))
    .order_by(Revision.id)
)


def read_board(visit_id: int) -> Board:
    """Read a visit's board from the database as it is now, in a handful of plain queries."""
    row = db.session.execute(_VISIT, {"visit_id": visit_id}).one()
    visit = _card(VisitCard, row)
    steps = _cards(StepCard, _STEPS, visit_number=visit.number, playbook_id=row.playbook_id)
    board = Board(
        visit=visit,
        process=ProcessCard(row.process_id, row.workplace,
                            tuple(db.session.scalars(_FACILITATORS, {"process_id": row.process_id}))),
        steps=steps,
        participant_count=row.participant_count,
        conflicts=_cards(ConflictCard, _OPEN_CONFLICTS, visit_id=visit_id),
        core_task=None,
    )
    data = _drafts(row.process_id, visit_id)
    step = board.step
    if visit.status == "closed":
        data.update(_tasks(visit_id, with_votes=False))
    elif step is not None and step.activity in ("ideas", "vote"):
        data.update(_ideas(visit_id, step))
    elif step is not None and step.activity == "draft":
        data.update(_top_ideas(visit_id, steps))
    elif step is not None and step.activity in ("tasks", "decide", "actions"):
        data.update(_tasks(visit_id, with_votes=step.activity == "decide"))
        if step.activity == "actions":
            data["set_by"] = _set_by(visit_id)
    if visit.number > 1 and "tasks" not in data:  # the console warns before visit 2 closes with tasks undecided
        data.update(_tasks(visit_id, with_votes=False))
    return replace(board, **data)


@dataclass(frozen=True)
class Activity:
    """Saves arriving from the room, as the console shows them: how many, and the latest."""

    saves: int
    last_at: datetime | None = None
    last_participant: str | None = None
    last_user: str | None = None


_LAST_SAVE = (
    select(func.count().over().label("saves"), Revision.created_at, Participant.display_name, User.name)
    .outerjoin(Participant, Participant.id == Revision.participant_id)
    .outerjoin(User, User.id == Revision.user_id)
    .where(Revision.visit_id == VISIT_ID)
    .order_by(Revision.id.desc())
    .limit(1)
)


def room_activity(visit_id: int) -> Activity:
    """Every save in the visit so far (ideas, tasks, words), and who saved last when."""
    row = db.session.execute(_LAST_SAVE, {"visit_id": visit_id}).first()
    return Activity(0) if row is None else Activity(*row)


class Recent:
    """The last ``size`` things kept by key (boards, shared blocks), by one app in one worker process."""

    def __init__(self, size: int = KEEP_BOARDS):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, key, item) -> None:
        with self.lock:
            self.items[key] = item
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def recent(name: str) -> Recent:
    """This app's Recent store called ``name``."""
    return current_app.extensions.setdefault(f"kerne.{name}", Recent())


def board_of(visit_id: int, version: int | None = None) -> Board:
    """The board at ``version`` (or newer) from this app's memory, else read now."""
    cache = recent("boards")
    board = cache.get((visit_id, version)) if version is not None else None
    if board is None:
        board = read_board(visit_id)
        cache.put((board.visit.id, board.visit.version), board)
    return board
