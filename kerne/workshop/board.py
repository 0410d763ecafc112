"""What a screen shows of a visit: the page, or its live block after a change.

The same block of the same template answers a page load, a poll and every
action, so the three can never drift apart.
"""
import uuid
from collections import defaultdict

import segno
from flask import render_template, request, url_for
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy import func, select

from .. import sqlite
from ..extensions import db
from ..forms import DotsSettingForm, IdeaForm, JoinForm, TaskForm
from ..models import Participant, PlaybookStep, Visit
from . import ideas, tasks
from .editing import open_conflicts
from .fields import FIELDS
from .live import Actor
from .visits import core_task_of, current_step, steps_of

TEMPLATES = {
    "participant": "workshop/participant.html",
    "console": "workshop/console.html",
    "projector": "workshop/projector.html",
}
TOP_IDEAS_PER_TAG = 3


def new_edit_id() -> str:
    return uuid.uuid4().hex


def participant_count(visit: Visit) -> int:
    return db.session.scalar(select(func.count()).where(Participant.visit_id == visit.id))


def _ideas(visit: Visit, step: PlaybookStep, actor: Actor, audience: str, **forms) -> dict:
    rows = ideas.ideas_with_dots(visit, step, include_hidden=audience != "projector")
    if audience == "participant":  # a participant still sees their own hidden ideas, marked as hidden
        rows = [(i, n) for i, n in rows if not i.hidden or actor.wrote(i)]
    context = {"ideas": rows, "idea_form": forms.get("idea_form") or IdeaForm(edit_id=new_edit_id(), formdata=None)}
    if step.activity == "vote":
        mine = ideas.dots_by_idea(actor.participant, step) if actor.participant else {}
        context.update(
            my_dots=mine,
            dots_left=visit.dots_per_participant - sum(mine.values()),
            ranked=sorted(rows, key=lambda row: (-row[1], row[0].id)),
            dots_form=forms.get("dots_form") or DotsSettingForm(obj=visit, formdata=None),
        )
    return context


def _draft(visit: Visit, step: PlaybookStep, actor: Actor, audience: str, **forms) -> dict:
    top: dict[str, list] = defaultdict(list)
    for vote_step in (s for s in steps_of(visit) if s.activity == "vote"):
        for idea, dots in sorted(ideas.ideas_with_dots(visit, vote_step, False), key=lambda r: -r[1]):
            if idea.tag and dots and len(top[idea.tag]) < TOP_IDEAS_PER_TAG:
                top[idea.tag].append((idea, dots))
    return {"draft": visit.draft, "top_ideas": top}


def _tasks(visit: Visit, step: PlaybookStep, actor: Actor, audience: str, **forms) -> dict:
    context = {
        "tasks": tasks.tasks_of(visit),
        "removed_tasks": tasks.removed_tasks(visit) if audience == "console" and step.activity == "tasks" else [],
        "task_form": forms.get("task_form") or TaskForm(edit_id=new_edit_id(), formdata=None),
    }
    if step.activity == "decide":
        context.update(
            vote_counts=tasks.vote_counts(visit),
            my_votes=tasks.votes_of(visit, actor.participant) if actor.participant else {},
        )
    return context


LOADERS = {"ideas": _ideas, "vote": _ideas, "draft": _draft, "tasks": _tasks, "decide": _tasks, "actions": _tasks}


def value_of(subject: str, field: str, row) -> str:
    """A field's value as its live input shows it."""
    return FIELDS[subject][field].read(row)


def _join_panel(visit: Visit) -> dict:
    """The projector's way in: QR code, short address and code."""
    link = url_for("join.join", code=visit.join_code, _external=True)
    qr = segno.make(link, error="m").svg_inline(scale=8, border=2, omitsize=True, title=_("QR-kode til at deltage"))
    return {"join_qr": Markup(qr), "join_short": f"{request.host}{url_for('join.enter_code')}"}


def live_context(visit: Visit, actor: Actor, audience: str, **forms) -> dict:
    """Everything the live block needs; ``forms`` carries forms that failed validation."""
    steps = steps_of(visit)
    step = current_step(visit, steps)
    context = {
        "visit": visit,
        "process": visit.process,
        "steps": steps,
        "step": step,
        "actor": actor,
        "audience": audience,
        "core_task": core_task_of(visit.process),
        "conflicts": open_conflicts(visit, actor),
        "field_errors": forms.pop("field_errors", {}),
        "participant_count": participant_count(visit),
        "value_of": value_of,
    }
    if audience == "projector" and visit.status == "open":
        context.update(_join_panel(visit))
    if actor.participant is not None:
        context["name_form"] = forms.pop("name_form", None) or JoinForm(obj=actor.participant, formdata=None)
    if visit.status == "closed":
        context.update(_closed_summary(visit))
    elif step is not None:
        context.update(LOADERS[step.activity](visit, step, actor, audience, **forms))
    return context


def _closed_summary(visit: Visit) -> dict:
    return {"draft": visit.draft, "tasks": tasks.tasks_of(visit)}


def render_page(visit: Visit, actor: Actor, audience: str) -> str:
    return render_template(TEMPLATES[audience], **live_context(visit, actor, audience))


def answer_change(visit: Visit, actor: Actor, audience: str, changed: bool):
    """Commit and answer with the new live block, or 204 when nothing changed."""
    if not changed:
        db.session.rollback()
        return "", 204
    db.session.commit()
    sqlite.done_writing()
    return render_live(visit, actor, audience)


def render_live(visit: Visit, actor: Actor, audience: str, status: int = 200, **forms):
    """The live block, as the answer to a poll or an action."""
    html = render_block(TEMPLATES[audience], "live", **live_context(visit, actor, audience, **forms))
    return html, status
