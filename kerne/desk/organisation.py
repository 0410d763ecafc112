"""The organisation tree: areas › departments › workplaces, kept by the coordinator."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kerne.desk.forms import UnitForm
from kerne.desk.imports import from_upload, import_org
from kerne.models import Ambassador, OrgUnit, Process, ProcessRequest
from kerne.web.extensions import db
from kerne.web.vocabulary import ORG_KIND_LABELS

bp = Blueprint("organisation", __name__, url_prefix="/org")
PARENT_KIND = {"department": "area", "workplace": "department"}



def _areas() -> list[OrgUnit]:
    """The areas, their departments and workplaces loaded with them (one query a level)."""
    query = select(OrgUnit).where(OrgUnit.kind == "area").order_by(OrgUnit.name)
    return list(db.session.scalars(query.options(selectinload(OrgUnit.children).selectinload(OrgUnit.children))))


def _form(unit: OrgUnit | None = None) -> UnitForm:
    form = UnitForm(obj=unit)
    form.parent.choices = [("", "–")] + [
        (u.id, f"{ORG_KIND_LABELS[u.kind]}: {u.name}")
        for u in db.session.scalars(select(OrgUnit).where(OrgUnit.kind != "workplace").order_by(OrgUnit.kind, OrgUnit.name))
    ]
    if unit is not None and request.method == "GET":
        form.parent.data = unit.parent_id
    return form


def _check_parent(form: UnitForm) -> bool:
    wanted = PARENT_KIND.get(form.kind.data)
    parent = db.session.get(OrgUnit, form.parent.data) if form.parent.data else None
    if wanted is None and parent is not None:
        form.parent.errors = [_("Et område hører ikke under noget.")]
    elif wanted is not None and (parent is None or parent.kind != wanted):
        form.parent.errors = [_("Vælg %(kind)s, som enheden hører under.", kind=ORG_KIND_LABELS[wanted].lower())]
    return not form.parent.errors


def _page(form: UnitForm, status: int = 200, editing: OrgUnit | None = None, problems=()):
    return render_template("desk/organisation.html", areas=_areas(), form=form, editing=editing,
                           problems=problems), status


@bp.route("", methods=["GET", "POST"])
def tree():
    """The tree, and a form to add a unit."""
    form = _form()
    if form.validate_on_submit() and _check_parent(form):
        db.session.add(OrgUnit(name=form.name.data, kind=form.kind.data, parent_id=form.parent.data))
        db.session.commit()
        flash(_("%(name)s er oprettet.", name=form.name.data), "info")
        return redirect(url_for(".tree"))
    return _page(form, 422 if form.errors else 200)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
def edit(unit_id):
    """Rename a unit or move it."""
    unit = db.session.get(OrgUnit, unit_id) or abort(404)
    form = _form(unit)
    if form.validate_on_submit() and _check_parent(form):
        if form.kind.data != unit.kind and (unit.children or _in_use(unit)):
            form.kind.errors = [_("Typen kan ikke ændres, mens enheden er i brug.")]
        else:
            unit.name, unit.kind, unit.parent_id = form.name.data, form.kind.data, form.parent.data
            db.session.commit()
            flash(_("%(name)s er gemt.", name=unit.name), "info")
            return redirect(url_for(".tree"))
    return _page(form, 422 if form.errors else 200, editing=unit)


def _in_use(unit: OrgUnit) -> bool:
    return any(
        db.session.scalar(select(func.count()).where(column == unit.id))
        for column in (Ambassador.workplace_id, Process.workplace_id, ProcessRequest.workplace_id)
    )


@bp.post("/<int:unit_id>/delete")
def delete(unit_id):
    """Remove a unit nobody and nothing refers to."""
    unit = db.session.get(OrgUnit, unit_id) or abort(404)
    if unit.children or _in_use(unit):
        abort(409, _("%(name)s kan ikke slettes: der hører enheder, ambassadører eller forløb til.", name=unit.name))
    db.session.delete(unit)
    db.session.commit()
    flash(_("%(name)s er slettet.", name=unit.name), "info")
    return redirect(url_for(".tree"))


@bp.post("/import")
def import_csv():
    """Import areas, departments and workplaces from a CSV file (id,name,kind,parent)."""
    count, problems = from_upload(request.files.get("file"), import_org)
    if problems:
        return _page(_form(), 422, problems=problems)
    flash(ngettext("%(num)s enhed er importeret.", "%(num)s enheder er importeret.", count), "info")
    return redirect(url_for(".tree"))
