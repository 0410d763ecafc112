"""What a screen shows of a visit: the page, or its live block after a change.

The same block of the same template answers a page load, a poll and every
action, so the three can never drift apart. The room's shared state comes
from the board snapshot of the current version; only what is personal (your
own ideas, your dots and votes, your conflicts) is worked out per screen.
"""
import uuid
from collections import Counter

import segno
from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from kerne.models import Visit, utcnow
from kerne.processes.evaluation import MIN_ANSWERS
from kerne.web import sqlite
from kerne.web.extensions import db
from kerne.web.links import absolute
from kerne.workshop import editing, evaluation, room, visits
from kerne.workshop.fields import FIELDS
from kerne.workshop.forms import DotsSettingForm, EvaluationForm, IdeaForm, TaskForm
from kerne.workshop.live import Actor
from kerne.workshop.snapshot import Board, board_of, recent, room_activity

TEMPLATES = {
    "participant": "workshop/participant.html",
    "console": "workshop/console.html",
    "projector": "workshop/projector.html",
}


def new_edit_id() -> str:
    """An id for a facilitator's one-click change (the room's majority): sent twice, it is saved once."""
    return uuid.uuid4().hex


def value_of(subject: str, field: str, row) -> str:
    """A field's value as its live input shows it."""
    return FIELDS[subject][field].read(row)


def _join_panel(board: Board) -> dict:
    """The projector's way in: QR code, short address and code. The QR code is drawn once per code and language."""
    link = absolute("join.join", code=board.visit.join_code)
    drawn, key = recent("qr_codes"), (link, str(get_locale()))
    qr = drawn.get(key)
    if qr is None:
        qr = Markup(segno.make(link, error="m").svg_inline(scale=8, border=2, omitsize=True,
                                                            title=_("QR-kode til at deltage")))
        drawn.put(key, qr)
    return {"join_qr": qr, "join_short": absolute("join.enter_code").split("://", 1)[1]}


def _personal(board: Board, actor: Actor, audience: str, forms: dict) -> dict:
    """What differs between a phone and the console in the same room at the same version."""
    step = board.step
    if board.visit.status == "closed" and audience == "participant":
        return {"answered": evaluation.has_answered(actor.participant_id), "min_answers": MIN_ANSWERS,
                "evaluation_form": forms.get("evaluation_form") or EvaluationForm(formdata=None)}
    if board.visit.status == "closed" or step is None:
        return {}
    if step.activity in ("ideas", "vote"):
        ideas = board.ideas
        if audience == "participant":  # a participant still sees their own hidden ideas, marked as hidden
            ideas = tuple(i for i in ideas if not i.hidden or actor.wrote(i))
        mine = board.dots.get(actor.participant_id, {})
        return {
            "ideas": ideas,
            "my_dots": mine,
            "dots_left": board.visit.dots_per_participant - sum(mine.values()),
            "idea_form": forms.get("idea_form") or IdeaForm(formdata=None),
            "dots_form": forms.get("dots_form") or DotsSettingForm(obj=board.visit, formdata=None),
        }
    if step.activity in ("tasks", "decide", "actions"):
        return {
            "task_form": forms.get("task_form") or TaskForm(formdata=None),
            "my_votes": board.task_votes.get(actor.participant_id, {}),
        }
    return {}


def _focus(board: Board) -> dict:
    """On the decide and actions steps: the task in front of the room, its neighbours and its votes."""
    step = board.step
    if board.visit.status != "open" or step is None or step.activity not in room.FOCUS_ACTIVITIES:
        return {}
    tasks = room.focusable(board.tasks, step.activity)
    focus = room.in_focus(tasks, board.visit.focus_task_id, step.activity)
    if focus is None:
        return {"focus": None, "focus_tasks": tasks}
    before, after = room.neighbours(tasks, focus)
    counts = board.vote_counts.get(focus.id, {})
    return {"focus": focus, "focus_tasks": tasks, "focus_before": before, "focus_after": after,
            "focus_counts": counts, "focus_majority": room.majority(counts)}


def _stage(board: Board, context: dict) -> dict:
    """What the projector shows: the join screen, a step, or the closed visit's poster.

    The console shows the same in small, so this is worked out for both.
    """
    visit, step = board.visit, board.step
    if visit.status == "closed":
        scene = "closed"
    elif visit.status != "open" or step is None:
        scene = "planned"
    else:
        scene = "join" if visit.code_shown else "step"
    stage = {"scene": scene}
    if context.get("join_code_works"):
        stage.update(_join_panel(board))
    if scene == "step" and step.activity in ("ideas", "vote"):
        stage["ideas"] = tuple(i for i in board.ideas if not i.hidden)
        if step.activity == "vote" and visit.results_shown:
            stage["ranked"] = sorted(stage["ideas"], key=lambda idea: (-idea.dots, idea.id))
    if scene == "closed":
        stage["decisions"] = Counter(t.decision for t in board.tasks if room.decided(t))
    return stage


def live_context(board: Board, actor: Actor, audience: str, **forms) -> dict:
    """Everything the live block needs; ``forms`` carries forms that failed validation
    (and ``unmerged``, a conflict whose author's version could not be merged in)."""
    board = board.in_language(str(get_locale()))
    step = board.step
    context = {
        "board": board,
        "visit": board.visit,
        "process": board.process,
        "steps": board.steps,
        "step": step,
        "draft": board.draft,
        "tasks": board.tasks,
        "core_task": board.core_task,
        "actor": actor,
        "audience": audience,
        "field_errors": forms.pop("field_errors", {}),
        "unmerged": forms.pop("unmerged", None),
        "value_of": value_of,
        "timer": room.Timer.of(board.visit, step.minutes) if step is not None else None,
        "clock": room.clock,
        **_focus(board),
    }
    if audience != "projector":
        context.update(_personal(board, actor, audience, forms))
    quiet = quiet_of(board) if audience == "console" else frozenset()
    context.update(conflicts=board.conflicts_of(actor, quiet), quiet=quiet)
    if audience == "console":
        context.update(_cockpit(board, step))
    if audience in ("console", "projector") and board.visit.status == "open":
        context["join_code_works"] = visits.code_works(board.visit, current_app.config["JOIN_CODE_HOURS"], utcnow())
    if audience in ("console", "projector"):
        context["stage"] = _stage(board, context)
    return context


def _cockpit(board: Board, step) -> dict:
    """What only the console shows: what closing would leave open, where each activity is, the room's activity."""
    cockpit = {
        "unsettled": room.unsettled(board.visit.number, board.draft, board.tasks),
        "step_of": {s.activity: s.position for s in reversed(board.steps)},
        "activity": room_activity(board.visit.id),
        "new_edit_id": new_edit_id,
    }
    if board.visit.status == "closed":
        cockpit["next_visit"] = visits.next_visit(board.process.id, board.visit.number)
        cockpit["next_refusal"] = cockpit["next_visit"] and visits.why_not_open(cockpit["next_visit"])
    elif board.visit.status == "planned":
        cockpit["planned_visit"] = db.session.get(Visit, board.visit.id)
        cockpit["open_refusal"] = visits.why_not_open(cockpit["planned_visit"])
    elif step is not None:
        # The step's own action first (lock the wording, decide the tasks); then moving on.
        locked = board.draft is not None and board.draft.locked_at is not None
        undecided = any(not room.decided(t) for t in board.tasks)
        cockpit["next_is_primary"] = not ((step.activity == "draft" and not locked)
                                          or (step.activity == "decide" and undecided))
    return cockpit


def quiet_of(board: Board) -> frozenset[int]:
    """The board's open conflicts whose authors have gone quiet by now: the console settles them."""
    return editing.quiet_conflicts(board.conflicts, utcnow(), current_app.config["PARTICIPANT_QUIET_SECONDS"])


def quiet_unchanged(visit_id: int, version: int, shown: str) -> bool:
    """Whether the console shows (``shown``, the ids as its poll sends them) the quiet conflicts of now."""
    return shown == ",".join(map(str, sorted(quiet_of(board_of(visit_id, version)))))


def render_page(visit_id: int, actor: Actor, audience: str, **extra) -> str:
    return render_template(TEMPLATES[audience], **live_context(board_of(visit_id), actor, audience), **extra)


def render_live(visit_id: int, actor: Actor, audience: str, status: int = 200, version: int | None = None, **forms):
    """The live block, as the answer to a poll or an action."""
    board = board_of(visit_id, version)
    context = live_context(board, actor, audience, **forms)
    key = _shared_block(board, audience, context, forms)
    if key is None:
        return render_block(TEMPLATES[audience], "live", **context), status
    blocks = recent("blocks")
    html = blocks.get(key)
    if html is None:
        html = render_block(TEMPLATES[audience], "live", **context)
        blocks.put(key, html)
    return html, status


# While the room co-writes, phones poll fast (static/kerne.js) and every save changes the
# block; on that step a participant's block holds nothing of their own unless they have an
# open conflict, so it is rendered once per version, language and worker, not once per phone.
SHARED_ACTIVITIES = ("draft",)


def _shared_block(board: Board, audience: str, context: dict, forms: dict) -> tuple | None:
    """The key of the block every participant sees alike at this version, or None if it is personal."""
    step = board.step
    if (audience != "participant" or forms or context["conflicts"] or board.visit.status != "open"
            or step is None or step.activity not in SHARED_ACTIVITIES):
        return None
    return board.visit.id, board.visit.version, str(get_locale())


def answer_change(visit_id: int, actor: Actor, audience: str, changed: bool):
    """Commit and answer with the new live block, or 204 when nothing changed."""
    if not changed:
        db.session.rollback()
        return "", 204
    db.session.commit()
    sqlite.done_writing()
    return render_live(visit_id, actor, audience)
