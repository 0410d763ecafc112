"""The ambassador registry: the coordinator's list, search, import and export,
and each ambassador's own profile."""
import base64
import binascii

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from jinja2_fragments.flask import render_block

from kerne.desk.forms import AmbassadorForm, ImportConfirmForm, ProfileForm
from kerne.desk.imports import (
    AmbassadorImport,
    ImportProblems,
    apply_ambassadors,
    check_ambassadors,
    export_ambassadors,
    refused,
    save_ambassadors,
    set_unavailable,
    uploaded_data,
    workplace_choices,
)
from kerne.desk.planning.commitments import all_ambassadors, commitments_of, totals
from kerne.models import Ambassador, OrgUnit, Process, ProcessRequest
from kerne.people import invitations
from kerne.processes import schedule
from kerne.processes.state import states_of
from kerne.records import audit
from kerne.web.extensions import db

bp = Blueprint("registry", __name__)
MAX_SEARCH = 100


def _filters() -> dict:
    return {
        "q": request.args.get("q", "").strip()[:100],
        "department": request.args.get("department", type=int),
        "profession": request.args.get("profession", "").strip()[:80],
        "open": request.args.get("open") == "1",
    }


def _matching(ambassadors: list[Ambassador], filters: dict) -> list[Ambassador]:
    """The ambassadors the search and filters leave."""
    words = filters["q"].lower().split()
    found = []
    for ambassador in ambassadors:
        text = f"{ambassador.name} {ambassador.email} {ambassador.profession} {ambassador.workplace.name}".lower()
        if not all(word in text for word in words):
            continue
        if filters["department"] and ambassador.workplace.parent_id != filters["department"]:
            continue
        if filters["profession"] and ambassador.profession.lower() != filters["profession"].lower():
            continue
        if filters["open"] and commitments_of(ambassador).complete:
            continue
        found.append(ambassador)
    return found


@bp.get("/ambassadors")
def index():
    """The registry with search, filters and commitment totals."""
    everyone = all_ambassadors()
    filters = _filters()
    context = {
        "ambassadors": _matching(everyone, filters)[:MAX_SEARCH],
        "total": len(everyone),
        "filters": filters,
        "departments": db.session.scalars(db.select(OrgUnit).where(OrgUnit.kind == "department").order_by(OrgUnit.name)),
        "professions": sorted({a.profession for a in everyone}),
        "totals": totals(everyone),
        "commitments_of": commitments_of,
        "limit": MAX_SEARCH,
        "without_login": len(invitations.ambassadors_without_login()),
    }
    return render_template("desk/registry/index.html", **context)


@bp.get("/ambassadors/rows")
def rows():
    """The table's rows for the active search (a fragment, never in the history); the browser's address
    becomes the page's with the same filters, so a filtered list can be bookmarked and shared."""
    filters = _filters()
    html = render_block("desk/registry/index.html", "rows", ambassadors=_matching(all_ambassadors(), filters)[:MAX_SEARCH],
                        commitments_of=commitments_of, limit=MAX_SEARCH)
    return html, {"HX-Push-Url": url_for(".index", **_in_address(filters))}


def _in_address(filters: dict) -> dict:
    """The filters that are set, as the page's query string has them."""
    return {name: "1" if value is True else value for name, value in filters.items() if value}


def _form(ambassador: Ambassador | None = None) -> AmbassadorForm:
    form = AmbassadorForm(obj=ambassador)
    form.workplace.choices = workplace_choices()
    if ambassador is not None and request.method == "GET":
        form.workplace.data = ambassador.workplace_id
        form.unavailable.data = ambassador.unavailable_days
    return form


def _email_taken(form: AmbassadorForm, ambassador: Ambassador | None) -> bool:
    other = db.session.scalar(db.select(Ambassador).where(db.func.lower(Ambassador.email) == form.email.data.lower()))
    if other is not None and other is not ambassador:
        form.email.errors = [_("Der er allerede en ambassadør med denne e-mail.")]
        return True
    return False


@bp.route("/ambassadors/new", methods=["GET", "POST"])
def new():
    """Add an ambassador to the registry."""
    form = _form()
    if form.validate_on_submit() and not _email_taken(form, None):
        ambassador = Ambassador()
        save_ambassadors([(ambassador, form)])
        db.session.commit()
        flash(_("%(name)s er tilføjet.", name=ambassador.name), "info")
        return redirect(url_for(".index"))
    return render_template("desk/registry/edit.html", form=form, ambassador=None), 422 if form.errors else 200


@bp.route("/ambassadors/<int:ambassador_id>", methods=["GET", "POST"])
def edit(ambassador_id):
    """Correct an ambassador, and see their commitments and history."""
    ambassador = db.session.get(Ambassador, ambassador_id) or abort(404)
    form = _form(ambassador)
    if form.validate_on_submit() and not _email_taken(form, ambassador):
        save_ambassadors([(ambassador, form)])
        db.session.commit()
        flash(_("%(name)s er gemt.", name=ambassador.name), "info")
        return redirect(url_for(".index"))
    states = states_of(Process.id.in_([p.id for p in ambassador.processes])) if ambassador.processes else {}
    return render_template("desk/registry/edit.html", form=form, ambassador=ambassador, states=states,
                           commitments=commitments_of(ambassador)), 422 if form.errors else 200


@bp.post("/ambassadors/<int:ambassador_id>/calendar-secret")
def rotate_calendar_secret(ambassador_id):
    """Give the ambassador a new calendar feed address; the old one stops working at once."""
    ambassador = db.session.get(Ambassador, ambassador_id) or abort(404)
    ambassador.rotate_calendar_token()
    audit.record("ambassador.calendar_secret", ambassador)
    db.session.commit()
    flash(_("%(name)s har fået en ny kalenderadresse. Den gamle virker ikke længere.", name=ambassador.name), "info")
    return redirect(url_for(".edit", ambassador_id=ambassador.id))


@bp.post("/ambassadors/<int:ambassador_id>/login")
def give_login(ambassador_id):
    """Give the ambassador a login and invite them by mail, in one click (kerne.people.invitations)."""
    ambassador = db.session.get(Ambassador, ambassador_id) or abort(404)
    if ambassador.user is not None:
        abort(409, _("%(name)s har allerede et login.", name=ambassador.name))
    if not ambassador.active:
        abort(409, _("%(name)s er ikke aktiv. Sæt flueben ved Aktiv først.", name=ambassador.name))
    given = invitations.give_ambassador_login(ambassador)
    if given == "taken":
        abort(409, _("Loginet med %(email)s hører allerede til en anden ambassadør.", email=ambassador.email))
    if given == "invited":
        flash(_("%(name)s har fået et login. Invitationen er sendt til %(email)s.", name=ambassador.name,
                email=ambassador.email), "info")
    else:
        flash(_("Loginet med %(email)s hører nu også til ambassadøren %(name)s.", email=ambassador.email,
                name=ambassador.name), "info")
    db.session.commit()
    return redirect(url_for(".edit", ambassador_id=ambassador.id))


@bp.post("/ambassadors/invitations")
def invite_all():
    """Give every active ambassador without a login one, and invite each by mail."""
    invited = [invitations.give_ambassador_login(a) for a in invitations.ambassadors_without_login()].count("invited")
    db.session.commit()
    flash(ngettext("%(num)s ambassadør er inviteret.", "%(num)s ambassadører er inviteret.", invited), "info")
    return redirect(url_for(".index"))


@bp.get("/ambassadors.csv")
def export():
    """The registry as CSV: for Excel in Danish (default) or plain (``?format=plain``)."""
    excel = request.args.get("format") != "plain"
    audit.record_reading("registry.export", format="csv" if excel else "plain")
    return Response(export_ambassadors(excel=excel), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ambassadoerer.csv"})


@bp.post("/ambassadors/import")
def import_csv():
    """Check an ambassador file and show what it would change; nothing is written before confirmation."""
    try:
        data = uploaded_data(request.files.get("file"))
        checked = check_ambassadors(data)
    except ImportProblems as error:
        return refused(error.problems, url_for(".index"))
    return _preview(checked, ImportConfirmForm(formdata=None, file_data=base64.b64encode(data).decode(),
                                               digest=checked.digest))


def _preview(checked: AmbassadorImport, form: ImportConfirmForm, status: int = 200, changed_since: bool = False):
    return render_template("desk/registry/import_preview.html", checked=checked, form=form,
                           changed_since=changed_since), status


@bp.post("/ambassadors/import/confirm")
def import_confirm():
    """Apply the file the coordinator saw the preview of, if the registry has not changed since;
    a new id for someone already registered needs an explicit yes."""
    form = ImportConfirmForm()
    try:
        data = base64.b64decode(form.file_data.data or "", validate=True) if form.validate() else None
    except binascii.Error:
        data = None
    if not data:
        abort(400)
    try:
        checked = check_ambassadors(data)
    except ImportProblems as error:
        return refused(error.problems, url_for(".index"))
    form.digest.data = checked.digest
    if form.digest.raw_data != [checked.digest]:
        return _preview(checked, form, 409, changed_since=True)
    if checked.of_kind("rekeyed") and not form.rekey.data:
        form.rekey.errors = [_("Sæt kryds, hvis de skal have det nye id.")]
        return _preview(checked, form, 422)
    count = apply_ambassadors(checked)
    flash(ngettext("%(num)s ambassadør er importeret.", "%(num)s ambassadører er importeret.", count), "info")
    return redirect(url_for(".index"))


@bp.route("/me", methods=["GET", "POST"])
def me():
    """The ambassador's own profile: commitments, visits, calendar, and what they may correct."""
    ambassador = current_user.ambassador
    if ambassador is None:
        return render_template("desk/registry/me.html", ambassador=None)
    form = ProfileForm(obj=ambassador)
    if request.method == "GET":
        form.unavailable.data = ambassador.unavailable_days
    if form.validate_on_submit():
        ambassador.phone = form.phone.data or None
        ambassador.profession = form.profession.data
        set_unavailable(ambassador, form.unavailable.data)
        db.session.commit()
        flash(_("Din profil er gemt."), "info")
        return redirect(url_for(".me"))
    visits = sorted((v for p in ambassador.processes for v in p.visits if v.scheduled_on),
                    key=lambda v: v.scheduled_on)
    requests = {r.process_id: r for r in db.session.scalars(db.select(ProcessRequest).where(
        ProcessRequest.process_id.in_([p.id for p in ambassador.processes])))}
    return render_template("desk/registry/me.html", ambassador=ambassador, form=form, visits=visits, when=schedule.when,
                           requests=requests, commitments=commitments_of(ambassador)), 422 if form.errors else 200
