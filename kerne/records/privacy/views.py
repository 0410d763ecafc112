"""Personal data on request: the coordinator's list of everyone Kerne knows, with each person's
export and anonymisation, and every person's own export (*Min profil*)."""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.models import Ambassador, User
from kerne.records import audit
from kerne.records.forms import AnonymiseForm
from kerne.records.privacy import people
from kerne.records.privacy.people import Person
from kerne.web.extensions import db

bp = Blueprint("privacy", __name__)
KINDS = {"ambassador": Ambassador, "user": User}


def _person(kind: str, person_id: int) -> Person:
    model = KINDS.get(kind) or abort(404)
    row = db.session.get(model, person_id) or abort(404)
    return Person.of_ambassador(row) if kind == "ambassador" else Person.of_user(row)


def _everyone() -> list[tuple[str, int, Person]]:
    """Ambassadors (with their account, if any), then staff accounts that are no ambassador."""
    ambassadors = db.session.scalars(select(Ambassador).options(selectinload(Ambassador.user))
                                     .order_by(Ambassador.name))
    found = [("ambassador", a.id, Person.of_ambassador(a)) for a in ambassadors]
    staff = db.session.scalars(select(User).where(~User.ambassador.has()).order_by(User.name))
    return found + [("user", u.id, Person.of_user(u)) for u in staff]


def _answer(person: Person, fmt: str) -> Response:
    if fmt not in ("json", "csv"):
        abort(404)
    audit.record_reading("person.export", person.ambassador or person.user, format=fmt)
    name = "persondata"
    if fmt == "json":
        body = json.dumps(people.export(person), ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f"attachment; filename={name}.json"})
    return Response(people.export_csv(person), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


@bp.get("/people")
def index(status: int = 200, refused: tuple | None = None):
    """Everyone Kerne keeps data about: export it, or anonymise someone who has left."""
    return render_template("records/privacy.html", everyone=_everyone(), form=AnonymiseForm(),
                           refused=refused), status


@bp.get("/people/<kind>/<int:person_id>/data.<fmt>")
def export(kind, person_id, fmt):
    """Everything stored about one person, as JSON or CSV."""
    return _answer(_person(kind, person_id), fmt)


@bp.post("/people/<kind>/<int:person_id>/anonymise")
def anonymise(kind, person_id):
    """Anonymise a person who has left; the statistics keep counting their work."""
    person = _person(kind, person_id)
    form = AnonymiseForm()
    if not form.validate():
        return index(422, (kind, person_id, form.confirm.errors[0] if form.confirm.errors else _("Ugyldig forespørgsel.")))
    if person.anonymised:
        abort(409, _("%(name)s er allerede anonymiseret.", name=person.name))
    if person.user is not None and person.user.id == current_user.id:
        abort(409, _("Du kan ikke anonymisere dig selv. Bed en anden koordinator om det."))
    if person.ambassador is not None and person.ambassador.active:
        abort(409, _("%(name)s er stadig aktiv ambassadør. Fjern fluebenet ved Aktiv først.", name=person.name))
    people.anonymise(person)
    db.session.commit()
    flash(_("Personen er anonymiseret."), "info")
    return redirect(url_for(".index"))


@bp.get("/me/data.<fmt>")
def mine(fmt):
    """Everything stored about me, as JSON or CSV."""
    return _answer(Person.of_user(current_user._get_current_object()), fmt)
