"""Process requests: a workplace leader asks for a process; the coordinator keeps the queue."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from kerne.desk.forms import RequestForm
from kerne.desk.imports import (
    already_waiting,
    answer_upload,
    import_requests,
    open_request,
    save_request,
    workplace_choices,
)
from kerne.models import Process, ProcessRequest
from kerne.processes import lifecycle
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.forms import ReasonForm
from kerne.web.scope import sees_everything, sees_unit, unit_filter
from kerne.web.vocabulary import REFUSALS

bp = Blueprint("requests", __name__, url_prefix="/requests")


def _visible():
    """The coordinator's whole queue; a leader's own requests and those of their units (kerne.web.scope)."""
    query = select(ProcessRequest).order_by(ProcessRequest.status, ProcessRequest.visit1_start)
    query = query.where(or_(unit_filter(current_user, ProcessRequest.workplace_id),
                            ProcessRequest.requested_by_id == current_user.id))
    loads = (selectinload(ProcessRequest.workplace),
             selectinload(ProcessRequest.process).selectinload(Process.facilitators))
    return list(db.session.scalars(query.options(*loads)))


@bp.get("")
def index():
    """The queue (the coordinator's), or the leader's own requests."""
    return render_template("desk/requests/index.html", requests=_visible())


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Request a process for a workplace."""
    form = RequestForm()
    form.workplace.choices = [c for c in workplace_choices() if sees_unit(current_user, c[0])]
    if not sees_everything(current_user):  # only the workplaces of their units are offered
        form.workplace.message = _("Vælg en arbejdsplads i de enheder, du er leder for.")
    if request.method == "GET":
        form.contact_name.data, form.contact_email.data = current_user.name, current_user.email
        if len(form.workplace.choices) == 1:
            form.workplace.data = form.workplace.choices[0][0]
    if form.validate_on_submit():
        waiting = open_request(form.workplace.data)
        if waiting is None:
            wanted = ProcessRequest(requested_by_id=current_user.id)
            save_request(wanted, form)
            audit.record("request.create", wanted, workplace=wanted.workplace_id)
            db.session.commit()
            flash(_("Anmodningen er sendt til koordinatoren."), "info")
            return redirect(url_for(".index"))
        form.workplace.errors = [already_waiting(waiting.workplace.name)]
    return render_template("desk/requests/new.html", form=form), 422 if form.errors else 200


@bp.post("/<int:request_id>/cancel")
def cancel(request_id):
    """Withdraw a request that is not planned yet, with a reason."""
    wanted = db.session.get(ProcessRequest, request_id) or abort(404)
    if not (sees_unit(current_user, wanted.workplace_id) or wanted.requested_by_id == current_user.id):
        abort(404)  # outside the person's units: as if it did not exist, so ids cannot be counted
    form = ReasonForm()
    reason = form.reason.data if form.validate() else ""
    code = lifecycle.refusal("cancel_request", lifecycle.ProcessFacts(request_status=wanted.status,
                                                                      has_process=wanted.process_id is not None),
                             reason=reason)
    if code is not None:
        abort(409 if code != "reason_missing" else 422, str(REFUSALS[code]))
    wanted.status, wanted.cancel_reason = "cancelled", reason
    audit.record("request.cancel", wanted, reason=reason)
    db.session.commit()
    flash(_("Anmodningen er trukket tilbage."), "info")
    return redirect(url_for(".index"))


@bp.post("/import")
def import_csv():
    """Import requests from a CSV file; a bad row stops the whole file."""
    return answer_upload(import_requests, lambda count: ngettext(
        "%(num)s anmodning er importeret.", "%(num)s anmodninger er importeret.", count))
