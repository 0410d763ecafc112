"""The process page and what people do on it after the workshop: lock the core task, cancel
with a reason, complete the action plan, mark follow-ups, plan the follow-up meeting;
and the printed result and the A3 poster of the core task."""
import json
import uuid

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, desc, func, or_, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from kerne.desk import ics
from kerne.insight.library import conversations, terms
from kerne.insight.library import entries as library
from kerne.models import (
    DECISIONS,
    VISIT_ENDS,
    VISIT_STARTS,
    AuditEvent,
    Booking,
    DotVote,
    Idea,
    Mail,
    Process,
    WorkTask,
    utcnow,
)
from kerne.notices import compose
from kerne.processes import lifecycle, schedule, state
from kerne.processes.evaluation import MIN_ANSWERS
from kerne.processes.forms import CoreTaskWordingForm, FollowUpMarkForm, MeetingForm, TaskPlanForm, VisitTimeForm
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.forms import ReasonForm, ToggleForm, clock
from kerne.web.vocabulary import AUDIT_LABELS, DECISION_LABELS, FOLLOW_UP_MARK_LABELS
from kerne.workshop import editing, evaluation
from kerne.workshop import visits as workshop_visits
from kerne.workshop.fields import DRAFT_FIELDS
from kerne.workshop.live import Actor, bump, lock_visit
from kerne.workshop.visits import core_task_of

bp = Blueprint("processes", __name__, url_prefix="/processes/<int:process_id>")


def _posted(posted: bool) -> dict:
    """Read the request's form only for the form that was sent; the others show what is saved."""
    return {} if posted else {"formdata": None}


def _mark_form(task: WorkTask, posted: bool = False) -> FollowUpMarkForm:
    """A task not yet followed up starts at "Vælg …": "Gennemført" is recorded only when someone chooses it."""
    form = FollowUpMarkForm(prefix=f"mark-{task.id}", mark=task.follow_up_mark or "", note=task.follow_up_note,
                            **_posted(posted))
    form.mark.choices = [SelectChoice("", _("Vælg …"))] + [
        SelectChoice(k, label) for k, label in FOLLOW_UP_MARK_LABELS.items()]
    return form


def _plan_form(task: WorkTask, posted: bool = False) -> TaskPlanForm:
    """An undecided task's select starts at "Vælg …": a decision is only recorded when someone makes it."""
    form = TaskPlanForm(obj=task, prefix=f"plan-{task.id}", **_posted(posted))
    form.decision.choices = [SelectChoice("", _("Vælg …"))] + [
        SelectChoice(d, DECISION_LABELS[d]) for d in DECISIONS if d != "undecided"]
    if not posted and task.decision == "undecided":
        form.decision.data = ""
    return form


def _ideas(process: Process) -> list:
    """Visit 1's ideas as the room left them, with most dots first."""
    first = next((v for v in process.visits if v.number == 1), None)
    if first is None:
        return []
    dots = func.coalesce(func.sum(DotVote.dots), 0).label("dots")
    query = (select(Idea.text, Idea.tag, dots).outerjoin(DotVote, DotVote.idea_id == Idea.id)
             .where(Idea.visit_id == first.id, Idea.hidden.is_(False), Idea.merged_into_id.is_(None))
             .group_by(Idea.id, Idea.text, Idea.tag).order_by(desc("dots"), Idea.id))
    return db.session.execute(query).all()


def _describe(event: AuditEvent) -> str:
    """An audit event as a line of the activity log."""
    detail = json.loads(event.detail or "{}")
    text = str(AUDIT_LABELS.get(event.action, event.action))
    if detail.get("title"):
        text += f": »{detail['title']}«"
    if detail.get("mark"):
        text += f" – {FOLLOW_UP_MARK_LABELS.get(detail['mark'], detail['mark'])}"
    extra = detail.get("reason") or detail.get("note")
    return f"{text} ({extra})" if extra else text


def _activity(process: Process, tasks: list[WorkTask], request) -> list[tuple]:
    """What happened, newest first: the workshop's moments from the data, staff actions from the audit log."""
    moments = []
    if request is not None:
        moments.append((request.created_at, _("Anmodning fra %(name)s", name=request.contact_name), None))
    moments.append((process.created_at, _("Parret er bekræftet"), None))
    for visit in process.visits:
        if visit.opened_at:
            moments.append((visit.opened_at, _("Besøg %(n)s åbnet", n=visit.number), None))
        if visit.closed_at:
            moments.append((visit.closed_at, _("Besøg %(n)s afsluttet", n=visit.number), None))
        if visit.draft is not None and visit.draft.locked_at:
            moments.append((visit.draft.locked_at, _("Kerneopgaven er låst"), None))
    subjects = [("process", [process.id]), ("visit", [v.id for v in process.visits]),
                ("work_task", [t.id for t in tasks])]
    if request is not None:
        subjects.append(("process_request", [request.id]))
    # The staff actions that tell the process's story; the audit listener's column changes stay in the audit log.
    query = select(AuditEvent).where(AuditEvent.action.in_(AUDIT_LABELS), or_(*(
        (AuditEvent.subject_type == kind) & AuditEvent.subject_id.in_(ids) for kind, ids in subjects if ids)))
    for event in db.session.scalars(query.order_by(AuditEvent.id)):
        moments.append((event.created_at, _describe(event), event.user.name if event.user else None))
    return sorted(moments, key=lambda m: m[0], reverse=True)


def _sharing(process: Process, request) -> tuple[list, object]:
    """Who shares the process's target groups, anywhere in the organisation."""
    found, words = library.entries(current_user)
    own = next((e for e in found if e.process_id == process.id), None)
    if own is None:
        draft = core_task_of(process)
        groups, _unmapped = terms.groups_of([process.target_groups, request.target_groups if request else "",
                                             draft.target_group if draft else ""], words.aliases)
        own = library.Entry(process.id, process.workplace_id, "", "", None, "", None, {}, groups, [])
    return library.sharing(found, own), words


def show(process_id: int, status: int = 200, **forms):
    """The process page: timeline, pair, visits, core task, ideas, decisions, follow-up, activity."""
    process = state.visible_process(process_id)
    tasks = state.tasks_of(process)
    facts = state.facts_of(process)
    request = state.request_of(process)
    sharing, words = _sharing(process, request)
    speak_for = process.workplace_id if conversations.speaks_for(current_user, process.workplace_id) else None
    plan_forms = {t.id: forms.get(f"plan-{t.id}") or _plan_form(t) for t in tasks}
    mark_forms = {t.id: forms.get(f"mark-{t.id}") or _mark_form(t) for t in tasks}
    visit_forms = {v.number: forms.get(f"visit{v.number}") or _visit_time_form(v, request) for v in process.visits}
    meeting = forms.get("meeting") or MeetingForm(
        formdata=None, day=process.meeting_on, place=process.meeting_place,
        starts=process.meeting_starts.strftime("%H:%M") if process.meeting_starts else "",
        ends=process.meeting_ends.strftime("%H:%M") if process.meeting_ends else "")
    mails = db.session.scalars(select(Mail).where(Mail.process_id == process.id).order_by(Mail.id.desc())).all() \
        if current_user.has_role("coordinator") else []
    return render_template(
        "processes/process.html", process=process, facts=facts, state=lifecycle.state(facts),
        timeline=lifecycle.timeline(facts), request_=request, core_task=core_task_of(process), ideas=_ideas(process),
        tasks=tasks, task_facts={t.id: state.task_facts(t) for t in tasks}, refusal=lifecycle.refusal,
        plan_forms=plan_forms, mark_forms=mark_forms, meeting_form=meeting, cancel_form=forms.get("cancel") or
        ReasonForm(formdata=None), activity=_activity(process, tasks, request), sharing=sharing, words=words,
        speak_for=speak_for, target_groups=terms.labels(process.target_groups),
        may_cancel=state.may_cancel(current_user, process), may_lock=state.may_lock(current_user, process),
        mails=mails, wording_form=forms.get("wording") or _wording_form(process), visit_forms=visit_forms,
        when=schedule.when, evaluations=evaluation.summaries_of(process.visits)
        if state.may_read_evaluations(current_user, process) else None, min_answers=MIN_ANSWERS,
    ), status


def _visit_time_form(visit, request, posted: bool = False) -> VisitTimeForm:
    """A visit's day and time as agreed, else the start of its window at the request's time of day."""
    starts = visit.starts or (request.visit_starts if request else VISIT_STARTS)
    ends = visit.ends or (request.visit_ends if request else VISIT_ENDS)
    return VisitTimeForm(prefix=f"visit{visit.number}", day=visit.scheduled_on, starts=starts.strftime("%H:%M"),
                         ends=ends.strftime("%H:%M"), **_posted(posted))


def _wording_form(process: Process) -> CoreTaskWordingForm:
    """The core task's parts as visit 1 left them, to write to the end."""
    first = next((v for v in process.visits if v.number == 1), None)
    parts = {part: spec.read(first.draft) for part, spec in DRAFT_FIELDS.items()} if first and first.draft else {}
    return CoreTaskWordingForm(formdata=None, **parts)


def _task(process: Process, task_id: int) -> WorkTask:
    task = db.session.get(WorkTask, task_id)
    if task is None or task.removed or task.visit_id not in {v.id for v in process.visits}:
        abort(404)
    return task


def _task_form(process_id: int, task_id: int, make_form, prefix: str):
    """The process, one of its tasks and the form sent for it; a form with errors answers the page with them (422)."""
    process = state.visible_process(process_id)
    task = _task(process, task_id)
    form = make_form(task, posted=True)
    if not form.validate():
        abort(make_response(show(process_id, 422, **{f"{prefix}-{task.id}": form})))
    return process, task, form


def _visit_of(process: Process, task: WorkTask):
    """The visit a task was listed on: its version counts changes to its tasks after the visit too, so the
    dashboards polling their figures see them (kerne.insight.dashboard.fingerprint)."""
    return next(v for v in process.visits if v.id == task.visit_id)


def _back(process: Process, anchor: str = ""):
    return redirect(url_for("home.process", process_id=process.id) + anchor)


@bp.post("/cancel")
def cancel(process_id):
    """Cancel the process with a reason; the pair's booked days are freed."""
    process = state.visible_process(process_id, state.may_cancel)
    form = ReasonForm()
    if not form.validate():
        return show(process_id, 422, cancel=form)
    state.refuse_unless_allowed("cancel", state.facts_of(process), reason=form.reason.data)
    process.cancelled_at, process.cancel_reason = utcnow(), form.reason.data
    planned = [v.id for v in process.visits if v.status == "planned"]
    if planned:
        db.session.execute(delete(Booking).where(Booking.visit_id.in_(planned)))
    audit.record("process.cancel", process, reason=form.reason.data)
    db.session.commit()
    flash(_("Forløbet er aflyst."), "info")
    return _back(process)


@bp.post("/core-task/lock")
def lock_core_task(process_id):
    """Lock (or unlock) visit 1's core-task wording after the visit, when it was not locked in the room."""
    process = state.visible_process(process_id, state.may_lock)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    state.refuse_unless_allowed("lock_core_task" if form.on else "unlock_core_task", state.facts_of(process))
    first = next(v for v in process.visits if v.number == 1)
    workshop_visits.set_locked(first, form.on)
    audit.record("process.core_task_lock" if form.on else "process.core_task_unlock", process)
    db.session.commit()
    flash(_("Kerneopgaven er låst.") if form.on else _("Kerneopgaven er låst op."), "info")
    return _back(process)


@bp.post("/core-task")
def word_core_task(process_id):
    """The pair writes the core task's wording to the end after visit 1, and locks it."""
    process = state.visible_process(process_id, state.may_lock)
    form = CoreTaskWordingForm()
    if not form.validate():
        return show(process_id, 422, wording=form)
    state.refuse_unless_allowed("word_core_task", state.facts_of(process))
    first = lock_visit(next(v.id for v in process.visits if v.number == 1))
    actor = Actor(user=current_user._get_current_object())
    for part, spec in DRAFT_FIELDS.items():  # each part sent is a revision of its own, as if typed in the room
        if not form[part].raw_data:
            continue
        current, wanted = spec.read(first.draft), form[part].data or ""
        if wanted != current:
            editing.save_field(first, actor, spec, first.draft, current, wanted, uuid.uuid4().hex)
    workshop_visits.set_locked(first, True)
    audit.record("process.core_task_lock", process, wording=form.core_task.data)
    db.session.commit()
    flash(_("Kerneopgaven er skrevet færdig og låst."), "info")
    return _back(process)


@bp.post("/tasks/<int:task_id>/plan")
def plan_task(process_id, task_id):
    """Complete a task's action plan after visit 2: decision, owner, deadline, follow-up date."""
    process, task, form = _task_form(process_id, task_id, _plan_form, "plan")
    state.refuse_unless_allowed("plan_task", state.facts_of(process), state.task_facts(task))
    before = {k: getattr(task, k) for k in ("decision", "owner", "deadline", "follow_up_on")}
    task.decision = form.decision.data or task.decision  # "Vælg …" leaves the decision as it was
    task.owner, task.deadline, task.follow_up_on = form.owner.data, form.deadline.data, form.follow_up_on.data
    after = {k: getattr(task, k) for k in before}
    audit.record("work_task.plan", task, title=task.title, before=before, after=after)
    bump(_visit_of(process, task))
    db.session.commit()
    flash(_("Handleplanen for »%(title)s« er gemt.", title=task.title), "info")
    return _back(process, f"#task-{task.id}")


@bp.post("/tasks/<int:task_id>/follow-up")
def mark_task(process_id, task_id):
    """Mark a decided task done, changed or dropped, with a note."""
    process, task, form = _task_form(process_id, task_id, _mark_form, "mark")
    state.refuse_unless_allowed("mark_task", state.facts_of(process), state.task_facts(task))
    if task.follow_up_mark is None:  # followed up now; a later correction does not move when that was
        task.followed_up_at, task.followed_up_by_id = utcnow(), current_user.id
    task.follow_up_mark, task.follow_up_note = form.mark.data, form.note.data or ""
    bump(_visit_of(process, task))
    audit.record("work_task.follow_up", task, title=task.title, mark=task.follow_up_mark, note=task.follow_up_note)
    db.session.commit()
    done = lifecycle.state(state.facts_of(process)) == "completed"
    flash(_("Forløbet er afsluttet: alle opgaver er fulgt op.") if done else
          _("Opfølgningen på »%(title)s« er gemt.", title=task.title), "info")
    return _back(process, "" if done else f"#task-{task.id}")


@bp.post("/visits/<int:number>/time")
def schedule_visit(process_id, number):
    """Fix a visit on the day and time the pair and the workplace agreed: the pair stays booked on that
    day alone, and the calendars move it (the feed, and a mail with the .ics to the pair and the contact)."""
    process = state.visible_process(process_id)
    visit = next((v for v in process.visits if v.number == number), None)
    if visit is None:
        abort(404)
    request_ = state.request_of(process)
    form = _visit_time_form(visit, request_, posted=True)
    if not form.validate():
        return show(process_id, 422, **{f"visit{number}": form})
    state.refuse_unless_allowed(f"schedule_visit{number}", state.facts_of(process))
    try:
        moved = schedule.schedule(process, visit, request_, form.day.data, clock(form.starts.data),
                                  clock(form.ends.data))
        if moved:
            audit.record("visit.schedule", visit, day=visit.scheduled_on, starts=form.starts.data, ends=form.ends.data)
            compose.visit_scheduled(process, visit, request_)
            db.session.commit()
    except (schedule.CannotSchedule, IntegrityError) as error:
        db.session.rollback()
        form.day.errors = [error.message if isinstance(error, schedule.CannotSchedule) else
                           _("En af jer er lige blevet sat på et andet besøg den dag. Vælg en anden dag.")]
        return show(process_id, 409, **{f"visit{number}": form})
    flash(_("Besøg %(n)s er %(when)s. Kalenderne er opdateret.", n=number, when=schedule.when(visit, request_))
          if moved else _("Besøget var allerede lagt sådan."), "info")
    return _back(process, "#visits")


@bp.post("/meeting")
def plan_meeting(process_id):
    """Plan (or move) the follow-up meeting; the pair and the workplace contact get it by e-mail with an .ics."""
    process = state.visible_process(process_id)
    form = MeetingForm()
    if not form.validate():
        return show(process_id, 422, meeting=form)
    state.refuse_unless_allowed("plan_meeting", state.facts_of(process))
    process.meeting_on, process.meeting_place = form.day.data, form.place.data or ""
    process.meeting_starts, process.meeting_ends = clock(form.starts.data), clock(form.ends.data)
    process.meeting_sequence += 1
    audit.record("process.meeting", process, day=process.meeting_on, starts=form.starts.data, ends=form.ends.data,
                 place=process.meeting_place)
    compose.meeting_planned(process, state.request_of(process))
    db.session.commit()
    flash(_("Opfølgningsmødet er planlagt, og der er sendt en invitation."), "info")
    return _back(process, "#meeting")


@bp.get("/meeting.ics")
def meeting_ics(process_id):
    """The follow-up meeting as a calendar file."""
    process = state.visible_process(process_id)
    if process.meeting_on is None:
        abort(404)
    return Response(ics.meeting_calendar(process), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=opfoelgningsmoede.ics"})


@bp.get("/poster")
def poster(process_id):
    """The core task as an A3 poster, for the wall of the workplace."""
    process = state.visible_process(process_id)
    core_task = core_task_of(process)
    if core_task is None:
        abort(404)
    return render_template("processes/poster.html", process=process, core_task=core_task)
