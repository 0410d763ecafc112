"""Process requests: a workplace leader asks for a process; the coordinator keeps the queue."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .auth import role_required
from .extensions import db
from .forms import RequestForm
from .imports import answer_upload, import_requests, save_request, workplace_choices
from .models import Process, ProcessRequest

bp = Blueprint("requests", __name__, url_prefix="/requests")


def _visible():
    query = select(ProcessRequest).order_by(ProcessRequest.status, ProcessRequest.visit1_start)
    if not current_user.has_role("coordinator"):
        query = query.where(ProcessRequest.requested_by_id == current_user.id)
    loads = (selectinload(ProcessRequest.workplace),
             selectinload(ProcessRequest.process).selectinload(Process.facilitators))
    return list(db.session.scalars(query.options(*loads)))


@bp.get("")
@role_required("coordinator", "leader")
def index():
    """The queue (the coordinator's), or the leader's own requests."""
    return render_template("requests/index.html", requests=_visible())


@bp.route("/new", methods=["GET", "POST"])
@role_required("coordinator", "leader")
def new():
    """Request a process for a workplace."""
    form = RequestForm()
    form.workplace.choices = workplace_choices()
    if request.method == "GET":
        form.contact_name.data, form.contact_email.data = current_user.name, current_user.email
    if form.validate_on_submit():
        wanted = ProcessRequest(requested_by_id=current_user.id)
        save_request(wanted, form)
        db.session.commit()
        flash(_("Anmodningen er sendt til koordinatoren."), "info")
        return redirect(url_for(".index"))
    return render_template("requests/new.html", form=form), 422 if form.errors else 200


@bp.post("/<int:request_id>/cancel")
@role_required("coordinator", "leader")
def cancel(request_id):
    """Withdraw a request that is not planned yet."""
    wanted = db.session.get(ProcessRequest, request_id) or abort(404)
    if not (current_user.has_role("coordinator") or wanted.requested_by_id == current_user.id):
        abort(403)
    if wanted.status != "open":
        abort(409, _("Anmodningen er allerede planlagt og kan ikke trækkes tilbage her."))
    wanted.status = "cancelled"
    db.session.commit()
    flash(_("Anmodningen er trukket tilbage."), "info")
    return redirect(url_for(".index"))


@bp.post("/import")
@role_required("coordinator")
def import_csv():
    """Import requests from a CSV file; a bad row stops the whole file."""
    return answer_upload(import_requests, _("%(count)s anmodninger er importeret."))
