"""The front page: a way in for participants, and each staff role's overview; the coordinator's view of the
evaluations; the accessibility statement."""
from collections import Counter
from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.models import Process
from kerne.people.sign_in import safe_next
from kerne.processes.evaluation import MIN_ANSWERS
from kerne.processes.state import states_of
from kerne.processes.views import show
from kerne.web.extensions import db
from kerne.web.scope import unit_filter
from kerne.workshop import evaluation
from kerne.workshop.forms import JoinCodeForm
from kerne.workshop.visits import core_task_of, why_not_open

bp = Blueprint("home", __name__)
# When the accessibility statement was last reviewed against the pages; the law asks for once a year at least.
STATEMENT_REVIEWED = date(2026, 11, 28)


def _visible_processes() -> list[Process]:
    """The processes of the units the person sees (kerne.web.scope)."""
    query = select(Process).options(selectinload(Process.visits), selectinload(Process.facilitators),
                                    selectinload(Process.workplace))
    query = query.where(unit_filter(current_user, Process.workplace_id))
    return list(db.session.scalars(query.order_by(Process.id.desc())))


@bp.get("/")
def index():
    """Participants find the code field; staff see what their roles are for."""
    if not current_user.is_authenticated:
        return render_template("processes/welcome.html", form=JoinCodeForm(formdata=None))
    mine: list[Process] = []
    if current_user.ambassador is not None:
        mine = sorted(current_user.ambassador.processes, key=lambda p: p.id, reverse=True)
    everything = _visible_processes() if current_user.has_role("coordinator") or current_user.has_role("leader") else []
    shown = {p.id for p in mine} | {p.id for p in everything}
    states = states_of(Process.id.in_(shown)) if shown else {}  # the states every other page shows
    return render_template(
        "processes/home.html",
        mine=mine,
        processes=everything,
        states=states,
        state_counts=Counter(states[p.id] for p in everything),
        core_task_of=core_task_of,
        why_not_open=why_not_open,
    )


@bp.get("/evaluations")
def evaluations():
    """What the rooms said when their visits closed, per pair and per visit, as far as anonymity allows."""
    return render_template("processes/evaluations.html", pairs=evaluation.by_pair(), min_answers=MIN_ANSWERS)


@bp.get("/language/<lang>")
def language(lang):
    """Switch the interface language; remembered in a cookie for a year."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for(".index"))
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/processes/<int:process_id>")
def process(process_id):
    """A process and everything its visits produced (kerne.processes.views.show)."""
    return show(process_id)


@bp.get("/tilgaengelighed")
def accessibility():
    """The accessibility statement (tilgængelighedserklæring), as Danish public bodies publish one."""
    return render_template("web/accessibility.html", reviewed=STATEMENT_REVIEWED,
                           email=current_app.config["ACCESSIBILITY_EMAIL"],
                           phone=current_app.config["ACCESSIBILITY_PHONE"],
                           official=current_app.config["ACCESSIBILITY_STATEMENT_URL"])
