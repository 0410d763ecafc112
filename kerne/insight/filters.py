"""The period and unit the leaders' pages are filtered by: read from the address, so a view can be
reloaded, shared and printed as it is, and handed on to the lists behind each figure."""
from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from kerne.insight.statistics import PERIODS, Organisation, Period, period_of
from kerne.web.forms import FlexibleDateField, Form
from kerne.web.vocabulary import ORG_KIND_LABELS

PERIOD_LABELS = {"12m": _l("Seneste 12 måneder"), "year": _l("I år"), "range": _l("Fra og til")}
LONGEST_RANGE_DAYS = 366 * 10


class FilterForm(Form):
    """A GET form: nothing changes, so no CSRF token; a wrong value is said next to its field (422)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Periode"), choices=[SelectChoice(k, PERIOD_LABELS[k]) for k in PERIODS], default="12m",
                         validate_choice=False)
    start = FlexibleDateField(_l("Fra"))
    end = FlexibleDateField(_l("Til"))
    unit = SelectField(_l("Enhed"), choices=[], validate_choice=False)

    def validate_period(self, field):
        if field.data not in PERIODS:
            raise ValidationError(_l("Vælg en af perioderne."))

    def validate_end(self, field):
        if self.period.data != "range":
            return
        if self.start.data is None or field.data is None:
            raise ValidationError(_l("Vælg både en fra- og en til-dato."))
        if field.data < self.start.data:
            raise ValidationError(_l("Til-datoen skal ligge efter fra-datoen."))
        if (field.data - self.start.data).days > LONGEST_RANGE_DAYS:
            raise ValidationError(_l("Vælg højst ti år ad gangen."))

    def validate_unit(self, field):
        if field.data not in {value for value, *_rest in field.iter_choices()}:
            raise ValidationError(_l("Vælg en af dine enheder."))


def read(organisation: Organisation, today) -> tuple[FilterForm, Period, int | None]:
    """The filter form as the address has it, the period and the unit it names (the defaults when it is wrong).
    The units offered are the areas and departments one sees (a workplace contact's workplace, when that is all)."""
    form = FilterForm(request.args)
    units = [(unit, depth) for unit, depth in organisation.walk() if unit.kind != "workplace"] \
        or list(organisation.walk())
    kinds = {kind: str(label).lower() for kind, label in ORG_KIND_LABELS.items()}
    form.unit.choices = [SelectChoice("", _l("Alle dine enheder"))] + [
        SelectChoice(str(unit.id), "\u00a0\u00a0" * depth + f"{unit.name} ({kinds[unit.kind]})") for unit, depth in units]
    if not form.unit.data:
        form.unit.data = ""
    if not form.validate():
        return form, period_of("12m", today), None
    period = period_of(form.period.data, today, form.start.data, form.end.data)
    return form, period, int(form.unit.data) if form.unit.data else None


def args(period: Period | None = None, unit: int | None = None) -> dict:
    """The address arguments that name ``period`` and ``unit``."""
    found = {}
    if period is not None:
        found["period"] = period.kind
        if period.kind == "range":
            found["start"], found["end"] = period.start.isoformat(), period.end.isoformat()
    if unit:
        found["unit"] = unit
    return found


def period_in(today) -> Period | None:
    """The period a list is asked for (None: every process, whenever it ran); wrong values are ignored."""
    kind = request.args.get("period")
    if kind not in PERIODS:
        return None
    form = FilterForm(request.args)
    form.unit.choices = [SelectChoice("", "")]
    form.unit.data = ""
    return period_of(kind, today, form.start.data, form.end.data) if form.validate() else None
