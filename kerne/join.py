"""Joining a visit from a phone: by typing the short code or scanning the QR code."""
from flask import Blueprint, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from .extensions import db
from .forms import JoinCodeForm, JoinForm
from .models import Participant, Visit
from .workshop import identity
from .workshop.live import bump, lock_visit
from .workshop.visits import find_by_code

bp = Blueprint("join", __name__, url_prefix="/j")


def _joinable(code: str) -> tuple[Visit | None, str | None, int]:
    """The open visit with this code, or why not and the status to answer with."""
    visit = find_by_code(code.upper())
    if visit is None:
        return None, _("Koden findes ikke. Tjek koden på skærmen og prøv igen."), 404
    if visit.status != "open":
        return None, _("Besøget med denne kode er afsluttet. Tak for jeres deltagelse!"), 410
    return visit, None, 200


@bp.route("", methods=["GET", "POST"])
def enter_code():
    """Type the short code shown on the projector."""
    form = JoinCodeForm()
    status = 200
    if form.validate_on_submit():
        visit, problem, status = _joinable(form.code.data)
        if visit is not None:
            return redirect(url_for(".join", code=visit.join_code))
        form.code.errors.append(problem)
    elif form.errors:
        status = 422
    return render_template("join/code.html", form=form), status


@bp.route("/<code>", methods=["GET", "POST"])
def join(code):
    """Join the visit, optionally with a name; a phone that joined before keeps its identity."""
    visit, problem, status = _joinable(code)
    if visit is None:
        form = JoinCodeForm(formdata=None, code=code)
        form.code.errors = [problem]
        return render_template("join/code.html", form=form), status
    if identity.participant_id(visit.public_id) is not None:
        return redirect(url_for("workshop.page", public_id=visit.public_id))
    form = JoinForm(display_name=identity.earlier_name(visit))  # a phone from visit 1 keeps its name
    if not form.validate_on_submit():
        return render_template("join/name.html", form=form, visit=visit), 422 if form.errors else 200
    visit = lock_visit(visit.id)
    participant = Participant(visit_id=visit.id, display_name=form.display_name.data or None)
    db.session.add(participant)
    bump(visit)
    db.session.commit()
    response = make_response(redirect(url_for("workshop.page", public_id=visit.public_id)))
    identity.remember(response, visit, participant)
    return response
