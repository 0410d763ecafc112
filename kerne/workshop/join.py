"""Joining a visit from a phone: by typing the short code or scanning the QR code.

A code that does not let anyone in – unknown, of a closed visit, or expired –
gets one and the same answer, so guessing tells nothing about which codes
existed. Failed codes are rate-limited per address; one browser is one
participant of a visit, however often it joins.
"""
import secrets

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from kerne.models import Participant, Visit, utcnow
from kerne.web.extensions import db, limiter
from kerne.workshop import identity
from kerne.workshop.forms import JoinCodeForm, JoinForm
from kerne.workshop.live import bump, lock_visit
from kerne.workshop.visits import code_works, find_by_code

bp = Blueprint("join", __name__, url_prefix="/j")
NOT_JOINABLE = 404


def _code_failed(_response) -> bool:
    return g.get("code_failed", False)


def _joined_anew(_response) -> bool:
    return g.get("joined_anew", False)


def _visit_of_link() -> Visit | None:
    """The visit the code in the link names, read once per request (the limit asks before the view)."""
    if "link_visit" not in g:
        code = (request.view_args or {}).get("code")
        g.link_visit = find_by_code(code.upper()) if code else None
    return g.link_visit


def _already_in() -> bool:
    """This browser opens the link of a visit it joined: it is only sent on to the visit.

    A room often shares one address (the workplace's Wi-Fi), so a few mistyped codes
    would otherwise turn away phones that are in already. Knowing the code and holding
    a join cookie for its visit both, it learns nothing by guessing.
    """
    visit = _visit_of_link()
    return visit is not None and identity.participant_id(visit.public_id) is not None


# Both ways in share one count of codes that did not work.
failed_codes = limiter.shared_limit(lambda: current_app.config["JOIN_FAILURE_LIMIT"], scope="join-code",
                                    deduct_when=_code_failed, exempt_when=_already_in)


def _joinable(visit: Visit | None) -> Visit | None:
    """The visit if its code lets new phones in now, else None (counted against the limit)."""
    if visit is not None and code_works(visit, current_app.config["JOIN_CODE_HOURS"], utcnow()):
        return visit
    g.code_failed = True
    return None


def _not_joinable(form: JoinCodeForm):
    form.code.errors = [_("Koden virker ikke. Tjek koden på skærmen – når en workshop er slut, virker dens kode ikke længere.")]
    return render_template("workshop/join/code.html", form=form), NOT_JOINABLE


@bp.route("", methods=["GET", "POST"])
@failed_codes
def enter_code():
    """Type the short code shown on the projector."""
    form = JoinCodeForm()
    if form.validate_on_submit():
        visit = _joinable(find_by_code(form.code.data))
        if visit is not None:
            return redirect(url_for(".join", code=visit.join_code))
        return _not_joinable(form)
    return render_template("workshop/join/code.html", form=form), 422 if form.errors else 200


def _browser_key() -> str:
    """A random key this browser keeps in its session: it names the browser, not the person."""
    return session.setdefault("browser", secrets.token_hex(16))


@bp.route("/<code>", methods=["GET", "POST"])
@failed_codes
@limiter.limit(lambda: current_app.config["JOIN_LIMIT"], methods=["POST"], deduct_when=_joined_anew)
def join(code):
    """Join the visit, optionally with a name; a phone that joined before keeps its identity."""
    visit = _visit_of_link()
    if _already_in():
        return redirect(url_for("workshop.page", public_id=visit.public_id))  # it knows the visit already
    visit = _joinable(visit)
    if visit is None:
        return _not_joinable(JoinCodeForm(formdata=None, code=code))
    browser = _browser_key()
    form = JoinForm(display_name=identity.earlier_name(visit))  # a phone from visit 1 keeps its name
    if not form.validate_on_submit():
        return render_template("workshop/join/name.html", form=form, visit=visit), 422 if form.errors else 200
    visit = lock_visit(visit.id)
    participant = db.session.scalar(
        select(Participant).where(Participant.visit_id == visit.id, Participant.browser_key == browser))
    if participant is None:  # a second tab or a double tap of this browser finds the one it made
        participant = Participant(visit_id=visit.id, display_name=form.display_name.data or None, browser_key=browser)
        db.session.add(participant)
        bump(visit)
        db.session.commit()
        g.joined_anew = True
    response = make_response(redirect(url_for("workshop.page", public_id=visit.public_id)))
    identity.remember(response, visit, participant)
    return response
