"""The coordinator's planning pages: propose, adjust, confirm."""
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from kerne.desk.planning import runs
from kerne.desk.planning.explain import proof
from kerne.desk.planning.problem import build_problem, open_requests
from kerne.models import Ambassador, MatchChoice, MatchRun, ProcessRequest
from kerne.web.extensions import db
from kerne.web.forms import ToggleForm

bp = Blueprint("planning", __name__, url_prefix="/plan")



def _run(run_id: int) -> MatchRun:
    return db.session.get(MatchRun, run_id) or abort(404)


@bp.get("")
def index():
    """Open requests and earlier proposals; the button that asks for a new one."""
    latest = db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc()).limit(10)).all()
    requests = open_requests()
    return render_template("desk/planning/index.html", requests=requests, runs=latest,
                           locks=len(runs.locked_choices()), fingerprint=build_problem(requests).fingerprint())


@bp.post("/runs")
def propose():
    """Ask the engine for a plan; it works in the background."""
    run = runs.start(current_user.id)
    return redirect(url_for(".run", run_id=run.id))


def _context(run: MatchRun) -> dict:
    """The page's facts, the figures of the plan as it stands now (recomputed after every change) and
    what the engine's proof says about that plan."""
    summary = json.loads(run.result) if run.result else None
    context = {"run": run, "summary": summary, "out_of_date": runs.out_of_date_text(), "value": {}}
    if run.status == "done":
        found = runs.proposal(run)
        context.update(rows=found.rows, value=found.value, current=found.current)
    elif run.status == "confirmed":  # the pairs it made, with the figures it had when confirmed
        pairs = {}
        for choice in run.choices:
            pairs.setdefault(choice.request, []).append(choice.ambassador)
        context.update(pairs=pairs, value=runs.confirmed_value(summary))
    context["proof"] = proof(summary, context["value"]) if summary and context["value"] else []
    return context


@bp.get("/runs/<int:run_id>")
def run(run_id):
    """A proposal: progress while the engine works, then the pairs to adjust and confirm."""
    return render_template("desk/planning/run.html", **_context(_run(run_id)))


@bp.get("/runs/<int:run_id>/proposal")
def proposal(run_id):
    """The proposal block: 204 while the engine reports the progress the page already shows."""
    found = _run(run_id)
    if found.status == "running" and request.args.get("seen") == found.progress:
        return "", 204
    return render_block("desk/planning/run.html", "proposal", **_context(found))


def _request_of(run: MatchRun, request_id: int) -> ProcessRequest:
    wanted = db.session.get(ProcessRequest, request_id)
    if wanted is None or wanted.status != "open":
        abort(404)
    if run.status != "done":
        abort(409, _("Forslaget kan ikke længere ændres."))
    if run.fingerprint != build_problem(open_requests()).fingerprint():
        abort(409, runs.out_of_date_text())
    return wanted


@bp.post("/runs/<int:run_id>/requests/<int:request_id>/<int:slot>")
def choose(run_id, request_id, slot):
    """Put another ambassador in a slot (the change is locked); the rules it breaks are shown."""
    found = _run(run_id)
    wanted = _request_of(found, request_id)
    if slot not in (0, 1):
        abort(404)
    ambassador_id = request.form.get("ambassador", type=int)
    ambassador = db.session.get(Ambassador, ambassador_id) if ambassador_id else None
    if ambassador_id and ambassador is None:
        abort(422)
    try:
        runs.choose(found, wanted, slot, ambassador)
    except runs.CannotChoose as error:
        abort(422, error.message)
    db.session.commit()
    return render_block("desk/planning/run.html", "proposal", **_context(found))


@bp.post("/runs/<int:run_id>/requests/<int:request_id>/<int:slot>/lock")
def lock(run_id, request_id, slot):
    """Lock an ambassador in place, so the next proposal keeps them; or unlock."""
    found = _run(run_id)
    _request_of(found, request_id)
    form = ToggleForm()
    if not form.validate():
        abort(422)
    choice = db.session.get(MatchChoice, (run_id, request_id, slot)) or abort(404)
    if choice.locked == form.on:
        return "", 204
    choice.locked = form.on
    db.session.commit()
    return render_block("desk/planning/run.html", "proposal", **_context(found))


@bp.post("/runs/<int:run_id>/confirm")
def confirm(run_id):
    """Confirm the plan: the processes, their pairs, visits and bookings are created."""
    found = _run(run_id)
    if found.status != "done":
        abort(409, _("Forslaget kan ikke bekræftes nu."))
    try:
        count = runs.confirm(found)
    except runs.CannotConfirm as error:
        abort(409, error.message)
    flash(ngettext("Planen er bekræftet: %(num)d forløb er oprettet.", "Planen er bekræftet: %(num)d forløb er oprettet.",
                   count), "info")
    return redirect(url_for("requests.index"))
