"""The coordinator ties leader accounts to the org units they follow (with everything below),
or gives the top leadership and the MED committee the whole organisation (kerne.web.scope).

A workplace contact – the leader who requests processes for one workplace – is a
leader account tied to that workplace.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from kerne.insight.statistics import Organisation, Unit
from kerne.models import OrgUnit, User
from kerne.people.forms import LeaderUnitsForm
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.vocabulary import ORG_KIND_LABELS

bp = Blueprint("leaders", __name__, url_prefix="/leaders")


def _leaders() -> list[User]:
    query = select(User).where((" " + User.roles + " ").like("% leader %")).options(selectinload(User.units))
    return list(db.session.scalars(query.order_by(User.name)))


def unit_choices() -> list[SelectChoice]:
    """Every org unit, indented under its parent: what a leader may be given to follow."""
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.parent_id)).all()
    tree = Organisation([Unit(*row) for row in rows])
    return [SelectChoice(unit.id, "\u00a0\u00a0" * depth + f"{unit.name} ({ORG_KIND_LABELS[unit.kind].lower()})")
            for unit, depth in tree.walk()]


def chosen_units(form: LeaderUnitsForm) -> list[OrgUnit]:
    """The units ticked in ``form`` among those it offered (an id it did not offer is left out)."""
    known = {choice.value for choice in form.units.choices}
    wanted = [u for u in form.units.data or () if u in known]
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(wanted))))


@bp.get("")
def index():
    """Every leader and what they see."""
    return render_template("people/leaders.html", leaders=_leaders())


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id):
    """Tie a leader to units, or give them the whole organisation."""
    leader = db.session.get(User, user_id)
    if leader is None or not leader.has_role("leader"):
        abort(404)
    form = LeaderUnitsForm(obj=leader)
    form.units.choices = unit_choices()
    if not form.is_submitted():
        form.units.data = [u.id for u in leader.units]
    if form.validate_on_submit():
        before = sorted(u.name for u in leader.units), leader.sees_whole_organisation
        leader.units = chosen_units(form)
        leader.sees_whole_organisation = form.whole_organisation.data
        audit.record("leader.units", leader, before=before[0], whole_before=before[1],
                     after=sorted(u.name for u in leader.units), whole_after=leader.sees_whole_organisation)
        db.session.commit()
        flash(_("%(name)s ser nu det valgte.", name=leader.name), "info")
        return redirect(url_for(".index"))
    if not form.is_submitted():
        form.whole_organisation.data = leader.sees_whole_organisation
    return render_template("people/leader.html", leader=leader, form=form), 422 if form.errors else 200
