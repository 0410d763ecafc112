"""The visit as phones see it, and the changes anyone in the room can make.

A participant acts through their join cookie; a facilitator of the visit may
make the same changes from the console, signed in. Every change answers with
the live block of the actor's screen, or 204 when it changed nothing.
"""
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from kerne.models import PUBLIC_ID, Idea, Participant, PlaybookStep, Revision, Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop import editing, evaluation, ideas, identity, live, tasks
from kerne.workshop.board import answer_change, quiet_unchanged, render_live, render_page
from kerne.workshop.fields import DRAFT_FIELDS, IDEA_FIELDS, TASK_FIELDS, FieldSpec
from kerne.workshop.forms import (
    ConflictForm,
    DotsForm,
    EvaluationForm,
    IdeaForm,
    JoinForm,
    PositionForm,
    TaskForm,
    TaskVoteForm,
    field_save_form,
)
from kerne.workshop.live import Actor, bump, current_version, lock_visit, row_in

bp = Blueprint("workshop", __name__, url_prefix="/w/<public_id>")


class NotJoined(Exception):
    """This browser has not joined the visit (or its cookie was tampered with)."""


def _visit(public_id: str) -> Visit:
    visit = db.session.scalar(select(Visit).where(Visit.public_id == public_id)) \
        if PUBLIC_ID.fullmatch(public_id) else None
    if visit is None:
        abort(404)
    return visit


def _actor(public_id: str, visit_id: int) -> tuple[Actor, str]:
    """Who is acting, and on which screen: a facilitator's console or a phone.

    A phone is known by its signed cookie alone, which keeps a poll at one query.
    """
    if current_user.is_authenticated:
        visit = db.session.get(Visit, visit_id)
        if visit.process.is_facilitated_by(current_user):
            return Actor(user=current_user._get_current_object()), "console"
    participant_id = identity.participant_id(public_id)
    if participant_id is None:
        raise NotJoined
    return Actor(participant_id=participant_id), "participant"


def _locked(public_id: str) -> tuple[Visit, Actor, str]:
    """The visit locked for a change, and who is making it."""
    visit = _visit(public_id)
    actor, audience = _actor(public_id, visit.id)
    return lock_visit(visit.id), actor, audience


def _for_change(public_id: str) -> tuple[Visit, Actor, str]:
    """The visit locked for a change by someone allowed to make it while it is open."""
    visit, actor, audience = _locked(public_id)
    if visit.status != "open":
        abort(410)
    return visit, actor, audience


def _for_new(public_id: str, edit_id: str | None) -> tuple[Visit, Actor, str] | None:
    """As _for_change, for adding an idea or a task; None when the room already took this add.

    A phone sending it again after a lost answer is told it is saved, even if the visit closed since.
    """
    visit, actor, audience = _locked(public_id)
    if editing.already_saved(visit, edit_id):
        db.session.rollback()
        return None
    if visit.status != "open":
        abort(410)
    return visit, actor, audience


def _participant_only(actor: Actor) -> int:
    if actor.participant_id is None:
        abort(403)
    return actor.participant_id


@bp.errorhandler(NotJoined)
def not_joined(_error):
    # The page names its visit, so the phone shows the text it still holds for it.
    return render_template("workshop/join/not_joined.html", public_id=request.view_args["public_id"]), 403


@bp.get("")
def page(public_id):
    """The participant's page: the current step, following the room by itself."""
    visit = _visit(public_id)
    actor, audience = _actor(public_id, visit.id)
    if audience == "console":
        return redirect(url_for("facilitate.console", visit_id=visit.id))
    participant = db.session.get(Participant, actor.participant_id)
    return render_page(visit.id, actor, audience, participant=participant,
                       name_form=JoinForm(obj=participant, formdata=None))


@bp.get("/changes")
def changes(public_id):
    """204 while nothing changed since ``since``; else the live block.

    A phone's signed cookie answers for it without the session or the ORM, which
    keeps the unchanged poll at one read; anyone else is checked as the page checks.
    A phone waiting on a conflict says so (``waiting``); the console says which
    conflicts of participants gone quiet it shows (``quiet``), since those change
    with time and not with the version.
    """
    participant_id = identity.participant_id(public_id)
    if participant_id is None and not current_user.is_authenticated:
        raise NotJoined
    found = current_version(public_id)
    if found is None:
        abort(404)
    visit_id, version = found
    # A signed-in caller must facilitate the visit, whatever ``since`` says.
    checked = None if participant_id is not None else _actor(public_id, visit_id)
    since = request.args.get("since", type=int)
    if since is None:
        abort(400)
    if participant_id is not None and request.args.get("waiting"):
        live.seen(participant_id, every=current_app.config["PARTICIPANT_QUIET_SECONDS"] / 4)
    unchanged = version == since
    if unchanged and checked is not None and checked[1] == "console":
        unchanged = quiet_unchanged(visit_id, version, request.args.get("quiet", ""))
    if unchanged:
        return "", 204  # the hot path: a phone's cookie is signed for this visit
    actor, audience = checked or _actor(public_id, visit_id)
    return render_live(visit_id, actor, audience, version=version)


@bp.post("/name")
def rename(public_id):
    """Change the name the participant is shown with."""
    visit, actor, _audience = _for_change(public_id)
    participant = db.session.get(Participant, _participant_only(actor))
    form = JoinForm()
    if form.validate():
        name = form.display_name.data or None
        if participant.display_name == name:
            return "", 204
        participant.display_name = name
        bump(visit)
        db.session.commit()
    html = render_block("workshop/participant.html", "identity", visit=visit, participant=participant, name_form=form)
    return html, 422 if form.errors else 200


@bp.post("/ideas")
def add_idea(public_id):
    """Add an idea to the step it was written in."""
    form = IdeaForm()
    changing = _for_new(public_id, form.edit_id.data)
    if changing is None:
        return "", 204
    visit, actor, audience = changing
    step = db.session.get(PlaybookStep, request.form.get("step", type=int) or 0)
    if (step is None or (step.playbook_id, step.visit_number) != (visit.playbook_id, visit.number)
            or step.activity not in ("ideas", "vote")):
        abort(400)
    if not form.validate():
        return render_live(visit.id, actor, audience, 422, idea_form=form)
    ideas.create_idea(visit, actor, step, form.text.data, form.tag.data, form.edit_id.data)
    return answer_change(visit.id, actor, audience, True)


def _save_field(public_id: str, spec: FieldSpec, model, row_id: int | None = None):
    visit, actor, audience = _locked(public_id)
    row = visit.draft if model is None else row_in(visit, model, row_id)
    if row is None:
        abort(404)
    _may_change(visit, actor, spec, row)
    form = field_save_form(spec)
    valid = form.validate()
    if editing.already_saved(visit, form.edit_id.data):
        # Sent again because its answer was lost: answer what became of it (a conflict, say), not
        # "no change" – and "saved" even if the part was locked, the idea merged or the visit closed since.
        db.session.rollback()
        return render_live(visit.id, actor, audience)
    refusal = _refusal(visit, actor, spec, row)
    if refusal is not None:
        # Too late for the field, but the words stay: in the history, for their author and the facilitators.
        if valid and editing.keep_refused(visit, actor, spec, row, form.value.data or "", form.edit_id.data):
            db.session.commit()
        abort(*refusal)
    if not valid:
        message = next(iter(form.errors.values()))[0]
        errors = {(spec.subject, row.id, spec.name): message}
        return render_live(visit.id, actor, audience, 422, field_errors=errors)
    outcome = editing.save_field(visit, actor, spec, row, form.base.data or "", form.value.data or "", form.edit_id.data)
    return answer_change(visit.id, actor, audience, outcome.kind != "unchanged")


def _may_change(visit: Visit, actor: Actor, spec: FieldSpec, row) -> None:
    """Who may change a field: an idea is its author's, a task's decision the facilitators'."""
    if actor.is_facilitator:
        return
    if spec.subject == "idea" and not actor.wrote(row):
        abort(403)
    if spec.subject == "task" and spec.name in FACILITATORS_DECIDE:
        abort(403, _("Beslutningen træffes af facilitatorerne. Stem på telefonen."))


# Phones vote; the decision for the room is recorded by the facilitators.
FACILITATORS_DECIDE = ("decision",)


def _refusal(visit: Visit, actor: Actor, spec: FieldSpec, row) -> tuple[int, str] | None:
    """Why a change can no longer be made (status and message), or None."""
    if visit.status != "open":
        return 410, _("Besøget er afsluttet. Din tekst er ikke gemt i feltet.")
    if spec.subject == "draft" and visit.draft.locked_at is not None:
        # Locked is agreed: the facilitators too unlock it on the console before they change a word.
        return 409, _("Formuleringen er låst af facilitatorerne.")
    if spec.subject == "idea" and row.merged_into_id is not None:
        return 409, _("Idéen blev lagt sammen med en anden, mens du skrev. Din tekst er ikke gemt i den.")
    return None


@bp.post("/ideas/<int:idea_id>")
def edit_idea(public_id, idea_id):
    """Save the text of an idea: its author's, or a facilitator's correction."""
    return _save_field(public_id, IDEA_FIELDS["text"], Idea, idea_id)


@bp.post("/ideas/<int:idea_id>/dots")
def place_dots(public_id, idea_id):
    """Put a number of one's dots on an idea."""
    visit, actor, audience = _for_change(public_id)
    idea = row_in(visit, Idea, idea_id)
    participant_id = _participant_only(actor)
    form = DotsForm()
    if not form.validate():
        abort(422)
    try:
        changed = ideas.set_dots(visit, participant_id, idea, form.dots.data)
    except ideas.NotEnoughDots:
        abort(422, _("Du har ikke flere prikker. Flyt en prik fra en anden idé."))
    except ideas.NotForDots:
        abort(422, _("Prikker sættes på idéerne i prioriteringen. Denne idé kan ikke få prikker."))
    return answer_change(visit.id, actor, audience, changed)


@bp.post("/draft/<part>")
def save_draft(public_id, part):
    """Save one part of the core-task wording, merged with what others saved meanwhile."""
    if part not in DRAFT_FIELDS:
        abort(404)
    return _save_field(public_id, DRAFT_FIELDS[part], None)


@bp.get("/draft/<part>/history")
def draft_history(public_id, part):
    """Every saved version of one part of the wording, to read or restore."""
    if part not in DRAFT_FIELDS:
        abort(404)
    visit = _visit(public_id)
    actor, audience = _actor(public_id, visit.id)
    if visit.draft is None:
        abort(404)
    revisions = editing.history(visit, DRAFT_FIELDS[part], visit.draft, actor)
    return render_template(
        "workshop/history.html", visit=visit, part=part, revisions=revisions, audience=audience,
        current=DRAFT_FIELDS[part].read(visit.draft),
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore(public_id, revision_id):
    """Make an earlier version current again; the current one stays in the history."""
    visit, actor, _audience = _for_change(public_id)
    revision = row_in(visit, Revision, revision_id)
    if not editing.may_see(actor, revision):
        abort(404)
    spec, row = editing.spec_of(revision), editing.subject_of(revision)
    _may_change(visit, actor, spec, row)
    refusal = _refusal(visit, actor, spec, row)
    if refusal is not None:
        abort(*refusal)
    editing.restore(visit, actor, revision)
    db.session.commit()
    if revision.subject == "draft":
        return redirect(url_for(".draft_history", public_id=public_id, part=revision.field))
    return redirect(url_for(".page", public_id=public_id))  # ideas and tasks have no history page of their own


@bp.post("/conflicts/<int:revision_id>")
def resolve_conflict(public_id, revision_id):
    """Choose between one's own text and the others' after a clash."""
    visit, actor, audience = _for_change(public_id)
    conflict = row_in(visit, Revision, revision_id)
    form = ConflictForm()
    quiet_after = current_app.config["PARTICIPANT_QUIET_SECONDS"]
    if conflict.kind != "conflict" or not editing.may_settle(actor, conflict, utcnow(), quiet_after):
        abort(404)
    if not form.validate():
        abort(400)
    if conflict.resolved:
        return "", 204
    if not editing.resolve_conflict(visit, actor, conflict, form.keep.data):
        db.session.rollback()
        return render_live(visit.id, actor, audience, unmerged=conflict.id)
    return answer_change(visit.id, actor, audience, True)


@bp.post("/tasks")
def add_task(public_id):
    """Add a work task to the list."""
    form = TaskForm()
    changing = _for_new(public_id, form.edit_id.data)
    if changing is None:
        return "", 204
    visit, actor, audience = changing
    if not form.validate():
        return render_live(visit.id, actor, audience, 422, task_form=form)
    tasks.add_task(visit, actor, form.title.data, form.edit_id.data)
    return answer_change(visit.id, actor, audience, True)


@bp.post("/tasks/<int:task_id>/position")
def move_task(public_id, task_id):
    """Move a task to another place in the list."""
    visit, actor, audience = _for_change(public_id)
    task = row_in(visit, WorkTask, task_id)
    form = PositionForm()
    if not form.validate():
        abort(422)
    return answer_change(visit.id, actor, audience, tasks.move_task(visit, task, form.position.data))


@bp.post("/tasks/<int:task_id>/vote")
def vote_task(public_id, task_id):
    """Vote develop, keep or phase out for a task."""
    visit, actor, audience = _for_change(public_id)
    task = row_in(visit, WorkTask, task_id)
    participant_id = _participant_only(actor)
    form = TaskVoteForm()
    if not form.validate():
        abort(422)
    return answer_change(visit.id, actor, audience, tasks.vote(visit, participant_id, task, form.choice.data))


@bp.post("/tasks/<int:task_id>/<field>")
def save_task(public_id, task_id, field):
    """Save one field of a task; a concurrent change is merged or shown, never overwritten."""
    if field not in TASK_FIELDS:
        abort(404)
    return _save_field(public_id, TASK_FIELDS[field], WorkTask, task_id)


@bp.post("/evaluation")
def evaluate(public_id):
    """Answer the two questions of the closed visit: once per phone, anonymously (kerne.workshop.evaluation)."""
    visit = _visit(public_id)
    actor, audience = _actor(public_id, visit.id)
    participant_id = _participant_only(actor)
    visit = lock_visit(visit.id)
    if visit.status != "closed":
        abort(409, _("Evalueringen kan besvares, når besøget er afsluttet."))
    form = EvaluationForm()
    if not form.validate():
        return render_live(visit.id, actor, audience, 422, evaluation_form=form)
    try:
        evaluation.answer(visit, participant_id, form.usefulness.data, form.change.data or "")
    except evaluation.AlreadyAnswered:
        abort(409, _("Du har allerede svaret på evalueringen. Tak for det!"))
    return answer_change(visit.id, actor, audience, True)
