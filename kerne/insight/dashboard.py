"""The leaders' overview: the key figures and what needs action on one screen, the detail charts below,
for a period and a unit kept in the address; every figure from kerne.insight.statistics, scoped by
kerne.web.scope, and refreshed while open through the polling contract (204 while nothing changed).
And the status report for the MED committee, printed from the browser on A4."""
import hashlib
import threading
from collections import OrderedDict
from datetime import date
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import case, func, or_, select

from kerne.insight import charts, filters
from kerne.insight.facts import gc_paused, load
from kerne.insight.library import conversations
from kerne.insight.library import entries as library
from kerne.insight.statistics import Dashboard, compute, follow_up_of
from kerne.models import (
    Ambassador,
    Conversation,
    OrgUnit,
    Process,
    ProcessFacilitator,
    ProcessRequest,
    Visit,
)
from kerne.web.clock import local_date, today
from kerne.web.extensions import db
from kerne.web.scope import unit_filter, visible_unit_ids
from kerne.web.vocabulary import COMMITMENT_LABELS, DECISION_LABELS, STATE_LABELS

bp = Blueprint("reports", __name__)
REPORT_TASKS = 300  # the decisions listed in the report; the export has them all


def fingerprint(day: date) -> str:
    """A short digest of everything the figures of the person's scope are computed from, read in one
    statement of aggregates over their units alone (no row per process), so a change elsewhere in the
    organisation – or someone signing in – leaves their poll at 204: the processes, the visits' versions
    (bumped by every change in the room and to the tasks after it) and agreed days, the requests, the
    ambassadors and every process they facilitate, the talks across units, the tree, the day and the scope."""
    visible = visible_unit_ids(current_user)
    processes = unit_filter(current_user, Process.workplace_id)
    ambassadors = unit_filter(current_user, Ambassador.workplace_id)
    talks = or_(unit_filter(current_user, Conversation.from_unit_id), unit_filter(current_user, Conversation.to_unit_id))
    visits = select(func.coalesce(func.sum(Visit.version * 7 + Visit.sequence), 0) + func.count(Visit.id))
    parts = [
        select(func.count(Process.id) + 1000 * func.count(Process.cancelled_at)).where(processes),
        visits if visible is None else visits.join(Process, Process.id == Visit.process_id).where(processes),
        select(func.count(ProcessRequest.id) * 100 + func.coalesce(func.sum(func.length(ProcessRequest.status)), 0))
        .where(unit_filter(current_user, ProcessRequest.workplace_id)),
        select(func.coalesce(func.sum(Ambassador.workplace_id * 7 + Ambassador.capacity
                                      + case((Ambassador.active, 3), else_=0)), 0) + func.count(Ambassador.id))
        .where(ambassadors),
        select(func.count(Conversation.id) * 100 + func.coalesce(func.sum(func.length(Conversation.status)), 0))
        .where(talks),
        select(func.coalesce(func.sum(OrgUnit.id * 3 + func.coalesce(OrgUnit.parent_id, 0)
                                      + func.length(OrgUnit.name)), 0)).where(unit_filter(current_user, OrgUnit.id)),
    ]
    if visible is not None:  # the processes elsewhere that one's ambassadors facilitate (their commitments)
        parts.append(select(func.coalesce(func.sum(Visit.version), 0) + func.count(Visit.id)
                            + func.count(Process.cancelled_at))
                     .select_from(ProcessFacilitator).join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id)
                     .join(Process, Process.id == ProcessFacilitator.process_id)
                     .join(Visit, Visit.process_id == ProcessFacilitator.process_id).where(ambassadors))
    row = db.session.execute(select(*(part.scalar_subquery() for part in parts))).one()
    scope = "all" if visible is None else ",".join(map(str, sorted(visible)))
    text = f"{tuple(row)}|{day.isoformat()}|{scope}"
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


class Links:
    """The addresses of one list with filters: url_for and the period once per list, not once per bar
    (there are hundreds of them)."""

    def __init__(self, endpoint: str, **fixed):
        self.base = url_for(endpoint)
        self.fixed = [urlencode({k: v for k, v in fixed.items() if v is not None})] if any(fixed.values()) else []

    def __call__(self, **args) -> str:
        query = "&".join(self.fixed + [f"{k}={v if isinstance(v, int) else quote_plus(str(v))}"
                                       for k, v in args.items() if v is not None])
        return f"{self.base}?{query}" if query else self.base


def _largest(bucket: str) -> int:
    """The largest count a chart's bucket holds ("0", "1", "1-5", "4+"): the number its label is worded for."""
    return int(bucket.rstrip("+").rsplit("-", 1)[-1])


def month_label(month: str) -> str:
    """"2026-06" as people read it: "jun. 2026"."""
    year, number = month.split("-")
    return format_date(date(int(year), int(number), 1), "MMM y")


def _charts(board: Dashboard, unit: int | None) -> dict[str, charts.Chart]:
    """Every chart of the dashboard, each bar and number linked to the list behind it."""
    period = filters.args(board.period)  # the lists of the processes under way in the period
    processes, during = Links("lists.processes"), Links("lists.processes", **period)
    # the workplaces with a core task by the period's end, as the coverage chart counts them
    workplaces, tasks = Links("lists.workplaces", **period), Links("lists.tasks", **period)
    ambassadors = Links("lists.ambassadors")
    states = [(s, str(STATE_LABELS[s])) for s in board.by_state]
    decisions = [(d, str(DECISION_LABELS[d])) for d in ("develop", "keep", "phase_out")]
    commitments = [(c, str(COMMITMENT_LABELS[c])) for c in ("met", "planned", "open")]

    def indent(depth: int, name: str) -> str:
        return "· " * depth + name

    units = [charts.Row(indent(r.depth, r.unit.name), during(unit=r.unit.id),
                        {s: (n, during(unit=r.unit.id, state=s)) for s, n in r.states.items()})
             for r in board.by_unit]
    months = [charts.Row(month_label(m), None, {"requested": (r, processes(requested=m, unit=unit)),
                                                "completed": (c, processes(completed=m, unit=unit))})
              for m, r, c in board.months]
    coverage = [charts.Row(indent(c.depth, c.unit.name), workplaces(unit=c.unit.id), {
        "defined": (c.defined, workplaces(unit=c.unit.id, core_task="yes")),
        "missing": (c.workplaces - c.defined, workplaces(unit=c.unit.id, core_task="no"))})
        for c in board.coverage]
    decided = [charts.Row(_("I alt"), tasks(unit=unit), {d: (n, tasks(decision=d, unit=unit))
                                                         for d, n in board.decisions.items()})]
    decided += [charts.Row(unit_.name, tasks(unit=unit_.id),
                           {d: (n, tasks(decision=d, unit=unit_.id)) for d, n in counts.items()})
                for unit_, counts in board.decisions_by_department]
    promised = [charts.Row(label, None, {s: (n, ambassadors(**{which: s}, unit=unit)) for s, n in counts.items()})
                for which, counts, label in (("own", board.own, _("Egen arbejdsplads")),
                                             ("other", board.other, _("Anden arbejdsplads")))]
    load_rows = [charts.Row(ngettext("%(bucket)s forløb", "%(bucket)s forløb", _largest(b), bucket=b), None,
                            {"ambassadors": (n, ambassadors(load=b, unit=unit))})
                 for b, n in board.load_buckets.items()]
    first, second = board.participation
    people = [charts.Row(ngettext("%(bucket)s deltager", "%(bucket)s deltagere", _largest(b), bucket=b), None, {
        "visit1": (first.buckets[b], during(visit=1, participants=b, unit=unit)),
        "visit2": (second.buckets[b], during(visit=2, participants=b, unit=unit))}) for b in first.buckets]
    return {
        "units": charts.hbars("chart-units", _("Forløb pr. område og afdeling"), units, states, unit_label=_("Enhed")),
        "months": charts.hbars("chart-months", _("Anmodet og afsluttet pr. måned"), months,
                               [("requested", _("Anmodet")), ("completed", _("Afsluttet"))], "group", _("Måned")),
        "coverage": charts.hbars("chart-coverage", _("Kerneopgave defineret, på organisationstræet"), coverage,
                                 [("defined", _("Defineret")), ("missing", _("Ikke endnu"))], unit_label=_("Enhed")),
        "decisions": charts.hbars("chart-decisions", _("Udvikle, fastholde og afvikle – i alt og pr. afdeling"),
                                  decided, decisions, unit_label=_("Afdeling")),
        "commitments": charts.hbars("chart-commitments", _("Forpligtelser: opfyldt, planlagt, åben"), promised,
                                    commitments, unit_label=_("Forpligtelse")),
        "load": charts.hbars("chart-load", _("Belastning: ambassadører efter antal forløb"), load_rows,
                             [("ambassadors", _("Ambassadører"))], unit_label=_("Forløb")),
        "participation": charts.hbars("chart-participation", _("Deltagere pr. besøg"), people,
                                      [("visit1", _("Besøg 1")), ("visit2", _("Besøg 2"))], "group", _("Deltagere")),
    }


class FigureCache:
    """The figures of recent fingerprints, kept by one app in one worker process (like the workshop's
    boards): the same figures are worked out once, however many leaders of the same scope look or poll.
    The fingerprint changes with the data, so nothing stale is ever served."""

    def __init__(self, size: int = 64):
        self.size, self.lock = size, threading.Lock()
        self.figures: OrderedDict[tuple, tuple] = OrderedDict()

    def get(self, key: tuple):
        with self.lock:
            found = self.figures.get(key)
            if found is not None:
                self.figures.move_to_end(key)
            return found

    def put(self, key: tuple, figures: tuple) -> None:
        with self.lock:
            self.figures[key] = figures
            while len(self.figures) > self.size:
                self.figures.popitem(last=False)


def _compute(world, day: date):
    """The filter as the address has it, and the figures for it."""
    form, period, unit = filters.read(world.organisation, day)
    board = compute(world.units, world.cases, world.ambassadors, day, period, unit, world.conversations,
                    current_app.config["STALLED_DAYS"])
    return form, board, unit


def _context(day: date) -> tuple[dict, int]:
    version = fingerprint(day)
    cache = current_app.extensions.setdefault("kerne.figures", FigureCache())
    key = (version, str(get_locale()), *(request.args.get(k, "") for k in ("period", "start", "end", "unit")))
    figures = cache.get(key)
    if figures is None:
        with gc_paused():  # one pause for reading and computing: the collector runs once, not between them
            world = load(current_user, day, task_rows=False)
            form, board, unit = _compute(world, day)
            figures = (world.organisation, board, unit, _charts(board, unit))
        cache.put(key, figures)
    organisation, board, unit, drawn = figures
    form, _period, _unit = filters.read(organisation, day)
    kept = filters.args(board.period, unit)
    return {"board": board, "version": version, "charts": drawn, "form": form, "kept": kept,
            "now": {"unit": unit} if unit else {}, "unit_name": organisation.units[unit].name if unit else None,
            "poll_ms": current_app.config["DASHBOARD_POLL_MS"],
            "stalled_days": current_app.config["STALLED_DAYS"]}, 422 if form.errors else 200


@bp.get("/dashboard")
def dashboard():
    """The key figures and what needs action, for the period and unit chosen; the detail charts below."""
    context, status = _context(today())
    return render_template("insight/dashboard.html", **context), status


@bp.get("/dashboard/changes")
def changes():
    """204 while the figures are as the page shows them (``since``); else the figures block."""
    day = today()
    if request.args.get("since") == fingerprint(day):
        return "", 204
    context, status = _context(day)
    return render_block("insight/dashboard.html", "figures", **context), status


@bp.get("/dashboard/report")
def report():
    """The status report for the MED committee: key figures, charts, the locked core tasks, the decisions
    and the talks across units of a period and a unit, on A4 from the browser's print."""
    day = today()
    with gc_paused():
        world = load(current_user, day, texts=True)
        form, board, unit = _compute(world, day)
    organisation = world.organisation.below(unit) if unit else world.organisation
    found, words = library.entries(current_user)
    core_tasks = [e for e in found if e.visible and e.workplace_id in organisation.units
                  and e.locked_on <= board.period.end]
    tasks = [t for t in world.tasks if (c := world.case_of(t.process_id)) and c.state != "cancelled"
             and c.workplace_id in organisation.units and c.in_period(board.period)]
    talks = [t for t in db.session.scalars(conversations.visible(current_user))
             if board.period.holds(local_date(t.proposed_at))
             and (t.from_unit_id in organisation.units or t.to_unit_id in organisation.units)]
    return render_template("insight/report.html", board=board, charts=_charts(board, unit), form=form, world=world,
                           core_tasks=core_tasks, words=words, tasks=tasks[:REPORT_TASKS], more=len(tasks) - REPORT_TASKS,
                           talks=talks, follow_up_of=follow_up_of, today=day,
                           unit_name=organisation.units[unit].name if unit else None,
                           kept=filters.args(board.period, unit)), 422 if form.errors else 200
