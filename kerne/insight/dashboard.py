"""The leaders' dashboard: every figure from kerne.insight.statistics, scoped by kerne.web.scope, and
refreshed while open through the polling contract (204 while nothing changed)."""
import hashlib
import threading
from collections import OrderedDict
from datetime import date
from functools import partial
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import func, select

from kerne.insight import charts
from kerne.insight.facts import gc_paused, load
from kerne.insight.statistics import Dashboard, compute
from kerne.models import Ambassador, AuditEvent, OrgUnit, Process, ProcessRequest, Visit
from kerne.web.extensions import db
from kerne.web.scope import visible_unit_ids
from kerne.web.vocabulary import COMMITMENT_LABELS, DECISION_LABELS, STATE_LABELS

bp = Blueprint("reports", __name__)


def fingerprint(today: date) -> str:
    """A short digest of everything the figures are computed from, read in one statement of
    aggregates (no row per process): the workshop's versions, the audit log (every staff
    change after the workshop is logged), requests, processes, ambassadors and the tree, the
    day (due and overdue change with it) and whose scope it is."""
    row = db.session.execute(select(
        select(func.max(AuditEvent.id)).scalar_subquery(),
        select(func.coalesce(func.sum(Visit.version), 0), ).scalar_subquery(),
        select(func.count(Visit.id)).scalar_subquery(),
        select(func.count(ProcessRequest.id)).scalar_subquery(),
        select(func.max(ProcessRequest.id)).scalar_subquery(),
        select(func.count(Process.id)).scalar_subquery(),
        select(func.count(Process.cancelled_at)).scalar_subquery(),
        select(func.coalesce(func.sum(Ambassador.workplace_id * 7 + Ambassador.capacity), 0)).scalar_subquery(),
        select(func.count(Ambassador.id)).scalar_subquery(),
        select(func.coalesce(func.sum(OrgUnit.id * 3 + func.coalesce(OrgUnit.parent_id, 0)
                                      + func.length(OrgUnit.name)), 0)).scalar_subquery(),
    )).one()
    visible = visible_unit_ids(current_user)
    scope = "all" if visible is None else ",".join(map(str, sorted(visible)))
    text = f"{tuple(row)}|{today.isoformat()}|{scope}"
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def _link(base: str, **args) -> str:
    """A list's address with a filter: url_for once per list, not once per bar (hundreds of them)."""
    return f"{base}?{urlencode(args)}" if args else base


def _largest(bucket: str) -> int:
    """The largest count a chart's bucket holds ("0", "1", "1-5", "4+"): the number its label is worded for."""
    return int(bucket.rstrip("+").rsplit("-", 1)[-1])


def _charts(board: Dashboard) -> dict[str, charts.Chart]:
    """Every chart of the dashboard, each bar and number linked to the list behind it."""
    processes = partial(_link, url_for("lists.processes"))
    workplaces = partial(_link, url_for("lists.workplaces"))
    tasks = partial(_link, url_for("lists.tasks"))
    ambassadors = partial(_link, url_for("lists.ambassadors"))
    states = [(s, str(STATE_LABELS[s])) for s in board.by_state]
    decisions = [(d, str(DECISION_LABELS[d])) for d in ("develop", "keep", "phase_out")]
    commitments = [(c, str(COMMITMENT_LABELS[c])) for c in ("met", "planned", "open")]

    def indent(depth: int, name: str) -> str:
        return ("· " if depth else "") + name

    units = [charts.Row(indent(r.depth, r.unit.name), processes(unit=r.unit.id),
                        {s: (n, processes(state=s, unit=r.unit.id)) for s, n in r.states.items()})
             for r in board.by_unit]
    months = [charts.Row(m, None, {"requested": (r, processes(requested=m)), "completed": (c, processes(completed=m))})
              for m, r, c in board.months]
    coverage = [charts.Row(indent(c.depth, c.unit.name), workplaces(unit=c.unit.id), {
        "defined": (c.defined, workplaces(unit=c.unit.id, core_task="yes")),
        "missing": (c.workplaces - c.defined, workplaces(unit=c.unit.id, core_task="no"))})
        for c in board.coverage]
    decided = [charts.Row(_("I alt"), tasks(), {d: (n, tasks(decision=d)) for d, n in board.decisions.items()})]
    decided += [charts.Row(unit.name, tasks(unit=unit.id),
                           {d: (n, tasks(decision=d, unit=unit.id)) for d, n in counts.items()})
                for unit, counts in board.decisions_by_department]
    promised = [charts.Row(label, None, {s: (n, ambassadors(**{which: s})) for s, n in counts.items()})
                for which, counts, label in (("own", board.own, _("Egen arbejdsplads")),
                                             ("other", board.other, _("Anden arbejdsplads")))]
    load_rows = [charts.Row(ngettext("%(bucket)s forløb", "%(bucket)s forløb", _largest(b), bucket=b), None,
                            {"ambassadors": (n, ambassadors(load=b))})
                 for b, n in board.load_buckets.items()]
    first, second = board.participation
    people = [charts.Row(ngettext("%(bucket)s deltager", "%(bucket)s deltagere", _largest(b), bucket=b), None, {
        "visit1": (first.buckets[b], processes(visit=1, participants=b)),
        "visit2": (second.buckets[b], processes(visit=2, participants=b))}) for b in first.buckets]
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


def _context(today: date) -> dict:
    version = fingerprint(today)
    cache = current_app.extensions.setdefault("kerne.figures", FigureCache())
    key = (version, str(get_locale()))
    figures = cache.get(key)
    if figures is None:
        with gc_paused():  # one pause for reading and computing: the collector runs once, not between them
            world = load(current_user, today, task_rows=False)
            board = compute(world.units, world.cases, world.ambassadors, today)
            figures = (board, _charts(board))
        cache.put(key, figures)
    board, drawn = figures
    return {"board": board, "version": version, "charts": drawn, "poll_ms": current_app.config["DASHBOARD_POLL_MS"]}


@bp.get("/dashboard")
def dashboard():
    """Processes by state, over time and on the tree; decisions and follow-ups; ambassadors; participation."""
    return render_template("insight/dashboard.html", **_context(date.today()))


@bp.get("/dashboard/changes")
def changes():
    """204 while the figures are as the page shows them (``since``); else the figures block."""
    today = date.today()
    if request.args.get("since") == fingerprint(today):
        return "", 204
    return render_block("insight/dashboard.html", "figures", **_context(today))
