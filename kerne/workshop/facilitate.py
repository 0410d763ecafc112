"""The facilitators' console and the projector view, and what only facilitators may do.

Both ambassadors of the pair may drive the console at once: every control
names the state it wants (go to step 3, hide idea 7), so two clicks on two
laptops, or one click sent twice, end in the same place.
"""
from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kerne.models import Idea, Visit, WorkTask, utcnow
from kerne.processes.state import facts_of, may_see, refuse_unless_allowed
from kerne.web.extensions import db
from kerne.web.forms import ToggleForm
from kerne.workshop import ideas, room, tasks, visits
from kerne.workshop.board import answer_change, render_live, render_page
from kerne.workshop.forms import DotsSettingForm, FocusForm, MergeForm, PositionForm, TimerLengthForm
from kerne.workshop.live import Actor, lock_visit, row_in, set_flag

bp = Blueprint("facilitate", __name__, url_prefix="/visits/<int:visit_id>")


def _visit(visit_id: int, *, for_change: bool = False) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_see(current_user, visit.process):
        abort(404)  # a visit outside what the person sees is one that does not exist: ids cannot be counted
    if not visit.process.is_facilitated_by(current_user):
        abort(403)
    return lock_visit(visit.id) if for_change else visit


def _actor() -> Actor:
    return Actor(user=current_user._get_current_object())


def _open_for_change(visit_id: int) -> Visit:
    visit = _visit(visit_id, for_change=True)
    if visit.status != "open":
        abort(410)
    return visit


def _saved(visit: Visit, changed: bool):
    return answer_change(visit.id, _actor(), "console", changed)


@bp.get("/console")
def console(visit_id):
    """The facilitator's console: steps, timer, moderation, closing."""
    return render_page(_visit(visit_id).id, _actor(), "console")


@bp.get("/projector")
def projector(visit_id):
    """The projector view: join QR code and the live board."""
    return render_page(_visit(visit_id).id, _actor(), "projector")


@bp.get("/projector/changes")
def projector_changes(visit_id):
    """204 while nothing changed since ``since``; else the projector's live block."""
    visit = _visit(visit_id)
    since = request.args.get("since", type=int)
    if since is None:
        abort(400)
    if visit.version == since:
        return "", 204
    return render_live(visit.id, _actor(), "projector", version=visit.version)


@bp.post("/open")
def open_visit(visit_id):
    """Open the visit: a join code appears and phones can join."""
    visit = _visit(visit_id, for_change=True)
    if visit.status == "planned":  # visit 2 waits for the locked core task; a cancelled process opens nothing
        refuse_unless_allowed(f"open_visit{visit.number}", facts_of(visit.process))
    if visits.open_visit(visit):
        db.session.commit()
    return redirect(url_for(".console", visit_id=visit.id))


@bp.post("/join-code")
def renew_join_code(visit_id):
    """Give the open visit a new join code, when the first has expired."""
    visit = _open_for_change(visit_id)
    return _saved(visit, visits.renew_join_code(visit))


@bp.post("/step")
def go_to_step(visit_id):
    """Show another step on every screen."""
    visit = _open_for_change(visit_id)
    form = PositionForm()
    if not form.validate() or form.position.data > len(visits.steps_of(visit)):
        abort(422)
    return _saved(visit, visits.go_to_step(visit, form.position.data))


@bp.post("/close")
def close(visit_id):
    """Close the visit: joining stops, the results stay with the process."""
    visit = _visit(visit_id, for_change=True)
    open_ends = visit.status == "open" and room.unsettled(visit.number, visit.draft, tasks.tasks_of(visit))
    if open_ends and request.form.get("confirm") != "unsettled":
        # The console warns and offers to finish first; a console from before the warning is asked again.
        if visit.number == 1:
            abort(409, _("Kerneopgaven er ikke formuleret og låst. Lås formuleringen, eller bekræft at besøget skal "
                         "afsluttes alligevel."))
        abort(409, _("Ikke alle opgaver er besluttet og sat i handleplanen. Gør det færdigt, eller bekræft at "
                     "besøget skal afsluttes alligevel."))
    return _saved(visit, visits.close_visit(visit))


@bp.post("/dots")
def dots(visit_id):
    """Set how many dots each participant may place."""
    visit = _open_for_change(visit_id)
    form = DotsSettingForm()
    if not form.validate():
        return render_live(visit.id, _actor(), "console", 422, dots_form=form)
    return _saved(visit, visits.set_dots_per_participant(visit, form.dots_per_participant.data))


@bp.post("/lock")
def lock(visit_id):
    """Lock or unlock the agreed core-task wording."""
    visit = _open_for_change(visit_id)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    return _saved(visit, visits.set_locked(visit, form.on))


def _toggle_visit(visit_id: int, flag: str):
    visit = _open_for_change(visit_id)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    return _saved(visit, set_flag(visit, visit, flag, form.on))


@bp.post("/results")
def reveal(visit_id):
    """Show the room's results (dots, votes on the task in focus) on every screen, or hide them again."""
    return _toggle_visit(visit_id, "results_shown")


@bp.post("/code")
def show_code(visit_id):
    """Bring the join code back full size on the projector, or back to its corner."""
    return _toggle_visit(visit_id, "code_shown")


def _step_minutes(visit: Visit) -> int:
    return visits.current_step(visit, visits.steps_of(visit)).minutes


@bp.post("/timer")
def run_timer(visit_id):
    """Start or pause the step's timer on every screen."""
    visit = _open_for_change(visit_id)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    return _saved(visit, visits.run_timer(visit, _step_minutes(visit), form.on, utcnow()))


@bp.post("/timer/length")
def lengthen_timer(visit_id):
    """Give the step more time: the form names the new total."""
    visit = _open_for_change(visit_id)
    form = TimerLengthForm()
    if not form.validate():
        abort(422)
    return _saved(visit, visits.lengthen_timer(visit, _step_minutes(visit), form.seconds.data))


@bp.post("/focus")
def focus(visit_id):
    """Put a task in front of the room on the decide and actions steps."""
    visit = _open_for_change(visit_id)
    form = FocusForm()
    if not form.validate():
        abort(422)
    task = row_in(visit, WorkTask, form.task.data)
    if task.removed:
        abort(422, _("Opgaven er fjernet fra listen."))
    return _saved(visit, visits.set_focus(visit, task))


def _toggle(visit_id: int, model, row_id: int, flag: str):
    visit = _open_for_change(visit_id)
    row = row_in(visit, model, row_id)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    return _saved(visit, set_flag(visit, row, flag, form.on))


@bp.post("/ideas/<int:idea_id>/hidden")
def hide_idea(visit_id, idea_id):
    """Hide an idea from the room, or show it again."""
    return _toggle(visit_id, Idea, idea_id, "hidden")


@bp.post("/ideas/<int:idea_id>/merge")
def merge_idea(visit_id, idea_id):
    """Merge an idea into another of the same step; texts and dots are kept."""
    visit = _open_for_change(visit_id)
    source = row_in(visit, Idea, idea_id)
    form = MergeForm()
    if not form.validate():
        abort(422)
    target = row_in(visit, Idea, form.into.data)
    if source.merged_into_id is not None:
        return "", 204
    if target.id == source.id or target.step_id != source.step_id or target.merged_into_id is not None:
        abort(422, _("Vælg en anden idé fra samme trin."))
    try:
        ideas.merge_ideas(visit, _actor(), source, target)
    except ideas.MergedTextTooLong:
        abort(422, _("De to idéer er tilsammen for lange. Forkort dem først."))
    return _saved(visit, True)


@bp.post("/tasks/<int:task_id>/removed")
def remove_task(visit_id, task_id):
    """Take a task off the list (a duplicate, say), or put it back."""
    return _toggle(visit_id, WorkTask, task_id, "removed")
