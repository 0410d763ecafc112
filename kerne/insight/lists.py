"""The lists behind the dashboard's figures, and their exports: processes, work tasks and
follow-ups, workplaces, ambassadors. Each filters the same facts with the same predicates
as the figure that links to it (kerne.insight.statistics), within the person's scope, for the
period and unit the figure was for (kerne.insight.filters)."""
from datetime import date

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user

from kerne.desk.imports import AMBASSADOR_COLUMNS, registry_rows
from kerne.insight import exports, filters
from kerne.insight.facts import load
from kerne.insight.statistics import (
    COMMITMENT_STATES,
    LOAD_BUCKETS,
    PARTICIPATION_BUCKETS,
    Organisation,
    ambassador_filter,
    case_filter,
    commitments,
    counted,
    defined_workplaces,
    follow_up_of,
    task_filter,
    workplace_filter,
)
from kerne.models import Ambassador
from kerne.processes.lifecycle import STATES
from kerne.records import audit
from kerne.web.clock import today as today_
from kerne.web.scope import unit_filter

bp = Blueprint("lists", __name__)
SHOWN = 200


def _case_filters(day: date, organisation: Organisation) -> dict:
    return {
        "state": filters.one_of("state", STATES), "unit": filters.unit_among(organisation),
        "requested": filters.month("requested"), "completed": filters.month("completed"),
        "ambassador": filters.number("ambassador"), "visit": filters.number("visit"),
        "participants": filters.one_of("participants", [b[0] for b in PARTICIPATION_BUCKETS]),
        "core_task": filters.yes_no("core_task"),
        "held": filters.number("held"), "period": filters.period_in(day), "active": filters.flag("active"),
        "stalled": (day, current_app.config["STALLED_DAYS"]) if filters.flag("stalled") else None,
        "undated": filters.flag("undated"), "cancelled": filters.yes_no("cancelled"),
    }


def _cases(texts: bool = False):
    day = today_()
    world = load(current_user, day, texts=texts)
    with filters.read_together():
        wanted = _case_filters(day, world.organisation)
    cases = [c for c in world.cases if case_filter(c, world.organisation, **wanted)]
    cases.sort(key=lambda c: (c.requested_on, c.key), reverse=True)
    return world, wanted, cases


def _shown(world, wanted: dict) -> dict:
    """The filters in use, for the template: as the address names them (``filters``, for the export links)
    and as Danish chips, each with the list's address without it (``chips``)."""
    shown = _active(wanted)
    names = {"unit": {i: u.name for i, u in world.organisation.units.items()},
             "ambassador": {a.id: a.name for a in world.ambassadors}}
    return {"filters": shown, "chips": filters.chips(shown, names, today_())}


def _active(wanted: dict) -> dict:
    """The filters in use, as the address names them."""
    shown = {}
    for key, value in wanted.items():
        if key == "period" and value is not None:
            shown.update(filters.args(value))
        elif key in ("core_task", "cancelled") and value is not None:
            shown[key] = "yes" if value else "no"
        elif key == "stalled" and value is not None or value is True:
            shown[key] = 1
        elif value not in (None, "", False):
            shown[key] = value
    return shown


@bp.get("/processes")
def processes():
    """Processes, filtered as a figure of the dashboard links to them."""
    world, wanted, cases = _cases()
    return render_template("insight/processes.html", world=world, cases=cases[:SHOWN], count=len(cases),
                           limit=SHOWN, **_shown(world, wanted))


def _as_file(action: str, name: str, header: tuple[str, ...], rows) -> Response:
    """A list as a file in the asked format; the download is logged with its filters, for the lists name people
    (the pair, the workplace's contact, a task's owner)."""
    fmt = exports.asked_format()
    filtered = {key: value[:100] for key, value in list(request.args.items())[:12] if key != "format"}
    audit.record_reading(action, format=fmt, **filtered)
    return exports.answer(fmt, name, header, rows)


@bp.get("/exports/processes")
def export_processes():
    """The same list as a file: ``format`` csv (Excel), plain or xlsx."""
    world, _wanted, cases = _cases(texts=True)
    return _as_file("processes.export", "forloeb", exports.PROCESS_COLUMNS, exports.process_rows(world, cases))


def _tasks():
    today = today_()
    world = load(current_user, today, texts=True)
    with filters.read_together():
        wanted = {"decision": filters.one_of("decision", ("develop", "keep", "phase_out")),
                  "unit": filters.unit_among(world.organisation),
                  "follow_up": filters.one_of("follow_up", ("overdue", "due", "later", "done")),
                  "period": filters.period_in(today)}
    found = [t for t in world.tasks if t.facts.decided
             and task_filter(t.facts, world.case_of(t.process_id), world.organisation, today, **wanted)]
    found.sort(key=lambda t: (t.facts.follow_up_on or date.max, t.process_id, t.id))
    return world, wanted, found, today


@bp.get("/tasks")
def tasks():
    """Decided work tasks with their action plan and follow-up, filtered like the figures."""
    world, wanted, found, today = _tasks()
    return render_template("insight/tasks.html", world=world, tasks=found[:SHOWN], count=len(found), today=today,
                           follow_up_of=follow_up_of, limit=SHOWN, **_shown(world, wanted))


@bp.get("/exports/tasks")
def export_tasks():
    world, _wanted, found, today = _tasks()
    return _as_file("tasks.export", "arbejdsopgaver", exports.TASK_COLUMNS, exports.task_rows(world, found, today))


@bp.get("/follow-up")
def follow_up():
    """What is overdue and due: for the pair their processes, for leaders their units."""
    today = today_()
    world = load(current_user, today, texts=True, own=True)
    groups = {"overdue": [], "due": []}
    for task in world.tasks:
        where = follow_up_of(task.facts, world.case_of(task.process_id), today)
        if where in groups:
            groups[where].append(task)
    for found in groups.values():
        found.sort(key=lambda t: (t.facts.follow_up_on, t.process_id, t.id))
    return render_template("insight/follow_up.html", world=world, groups=groups, today=today)


@bp.get("/workplaces")
def workplaces():
    """Workplaces with (or without) a defined core task, on the tree."""
    day = today_()
    world = load(current_user, day)
    with filters.read_together():
        wanted = {"unit": filters.unit_among(world.organisation), "core_task": filters.yes_no("core_task")}
        period = filters.period_in(day)
    defined = defined_workplaces(world.cases, period)  # by the period's end, as the figure counts them
    found = [w for w in world.organisation.workplaces if workplace_filter(w, world.organisation, defined, **wanted)]
    return render_template("insight/workplaces.html", world=world, workplaces=found, defined=defined,
                           **_shown(world, {**wanted, "period": period}))


def _ambassadors():
    world = load(current_user, today_())
    with filters.read_together():
        wanted = {"own": filters.one_of("own", COMMITMENT_STATES), "other": filters.one_of("other", COMMITMENT_STATES),
                  "unit": filters.unit_among(world.organisation), "load": filters.one_of("load", LOAD_BUCKETS),
                  "lacking": filters.flag("lacking")}
    # Within a unit, the load counts the processes there (as the dashboard's chart for that unit does).
    organisation = world.organisation if wanted["unit"] is None else world.organisation.below(wanted["unit"])
    found = [a for a in world.ambassadors if ambassador_filter(a, organisation, **wanted)]
    return world, organisation, wanted, found


@bp.get("/dashboard/ambassadors")
def ambassadors():
    """The ambassadors of one's units: commitments, and the processes they facilitate there."""
    world, organisation, wanted, found = _ambassadors()
    return render_template("insight/ambassadors.html", world=world, ambassadors=found, **_shown(world, wanted),
                           unit=wanted["unit"],
                           commitments=commitments, counted=lambda a: counted(a, organisation))


@bp.get("/exports/ambassadors")
def export_ambassadors():
    world, organisation, _wanted, found = _ambassadors()
    return _as_file("ambassadors.export", "ambassadoerer", exports.AMBASSADOR_LOAD_COLUMNS,
                    exports.ambassador_rows(world, found, organisation))


@bp.get("/exports/registry")
def export_registry():
    """The registry in its import format, for the ambassadors of one's units (all, for the coordinator)."""
    fmt = exports.asked_format()
    audit.record_reading("registry.export", format=fmt)
    return exports.answer(fmt, "register", AMBASSADOR_COLUMNS,
                          registry_rows(unit_filter(current_user, Ambassador.workplace_id)))
