"""The coordinator's playbook editor: word, reorder, add and retire steps.

Every change saves a new version of the whole playbook; visits already opened
keep the version they were run with. Each form names the version it was made
on, so an edit made on an older page is refused instead of undoing another's.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from kerne.models import ACTIVITIES, Playbook, Visit
from kerne.processes.forms import BaseVersionForm, StepForm
from kerne.processes.playbook import rules, versions
from kerne.web.extensions import db
from kerne.web.vocabulary import ACTIVITY_LABELS, PLAYBOOK_PROBLEMS

bp = Blueprint("playbook", __name__, url_prefix="/playbook")


def _step_form(**kwargs) -> StepForm:
    form = StepForm(**kwargs)
    form.activity.choices = [SelectChoice(a, ACTIVITY_LABELS[a]) for a in ACTIVITIES]
    return form


def _index_of(steps, step_id: int) -> int:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index
    abort(409, _("Trinnet findes ikke i den nyeste drejebog. Genindlæs siden."))


def _save(form, change, note: str):
    """Apply ``change`` to the newest steps and save the result as the next version."""
    version, steps = versions.newest()
    if str(version) != form.base.data:
        abort(409, _("Drejebogen er ændret imens. Genindlæs siden og prøv igen."))
    changed = change(steps, versions.as_drafts(steps))
    wrong = rules.problems(changed)
    if wrong:
        abort(409, " ".join(str(PLAYBOOK_PROBLEMS[code]) for code in wrong))
    versions.save(changed, current_user, note)
    db.session.commit()
    flash(_("Drejebogen er gemt som en ny version. Besøg der allerede er åbnet, beholder deres version."), "info")
    return redirect(url_for(".index"))


def _page(form: StepForm, status: int = 200):
    version, steps = versions.newest()
    playbook = db.session.get(Playbook, version)
    pinned = db.session.execute(
        select(Visit.playbook_id, func.count()).where(Visit.playbook_id.is_not(None), Visit.playbook_id != version)
        .group_by(Visit.playbook_id).order_by(Visit.playbook_id)).all()
    kept = dict(zip((s.id for s in steps), rules.retiring_problems(versions.as_drafts(steps)), strict=True))
    return render_template("processes/playbook/index.html", version=version, playbook=playbook, steps=steps, form=form,
                           base_form=BaseVersionForm(base=str(version)), pinned=pinned, kept=kept), status


@bp.get("")
def index():
    """The newest playbook, step by step, with the form to add a step."""
    version = versions.newest_id()
    return _page(_step_form(base=str(version)))


def _drafted(form: StepForm) -> rules.StepDraft:
    """The step as the form words it, in Danish and English."""
    wording = {name: form[name].data or "" for name in (*rules.WORDING, *(f"{n}_en" for n in rules.WORDING))}
    return rules.StepDraft(visit_number=form.visit_number.data, activity=form.activity.data,
                           minutes=form.minutes.data, **wording)


@bp.post("/steps")
def add():
    """Add a step at the end of a visit."""
    form = _step_form()
    if not form.validate():
        return _page(form, 422)
    new = _drafted(form)
    return _save(form, lambda _steps, drafts: rules.add(drafts, new), _("Trin tilføjet: %(title)s", title=new.title))


@bp.route("/steps/<int:step_id>", methods=["GET", "POST"])
def edit(step_id):
    """Reword a step, change its activity or minutes, or move it to the other visit."""
    version, steps = versions.newest()
    step = steps[_index_of(steps, step_id)]
    form = _step_form(obj=step, base=str(version))
    if form.validate_on_submit():
        changed = _drafted(form)
        return _save(form, lambda now, drafts: rules.edit(drafts, _index_of(now, step_id), changed),
                     _("Trin rettet: %(title)s", title=changed.title))
    return render_template("processes/playbook/edit.html", form=form, step=step), 422 if form.errors else 200


@bp.post("/steps/<int:step_id>/move/<direction>")
def move(step_id, direction):
    """Move a step one place up or down within its visit."""
    if direction not in ("up", "down"):
        abort(404)
    form = BaseVersionForm()
    if not form.validate():
        abort(400)
    return _save(form, lambda now, drafts: rules.move(drafts, _index_of(now, step_id), -1 if direction == "up" else 1),
                 _("Trin flyttet"))


@bp.post("/steps/<int:step_id>/retire")
def retire(step_id):
    """Take a step out of the playbook; visits run with an older version keep it."""
    form = BaseVersionForm()
    if not form.validate():
        abort(400)
    return _save(form, lambda now, drafts: rules.retire(drafts, _index_of(now, step_id)), _("Trin udgået"))
