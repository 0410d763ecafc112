"""The period and unit the leaders' pages are filtered by: read from the address, so a view can be
reloaded, shared and printed as it is, and handed on to the lists behind each figure."""
from calendar import monthrange
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from flask import g, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from kerne.insight.statistics import PERIODS, Organisation, Period, period_of
from kerne.web.errors import UnreadableArguments
from kerne.web.forms import FlexibleDateField, Form
from kerne.web.vocabulary import (
    COMMITMENT_LABELS,
    DECISION_LABELS,
    FOLLOW_UP_LABELS,
    ORG_KIND_LABELS,
    STATE_LABELS,
)

PERIOD_ARGS = ("period", "start", "end")
PERIOD_LABELS = {"12m": _l("Seneste 12 måneder"), "year": _l("I år"), "range": _l("Fra og til")}
LONGEST_RANGE_DAYS = 366 * 10
NOT_ONES_UNIT = _l("Vælg en af dine enheder.")  # the dashboard's filter and the lists say the same


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
        if self.start.errors:
            return  # an unreadable start is said next to it, not also as a missing one here
        if self.start.data is None or field.data is None:
            raise ValidationError(_l("Vælg både en fra- og en til-dato."))
        if field.data < self.start.data:
            raise ValidationError(_l("Til-datoen skal ligge efter fra-datoen."))
        if (field.data - self.start.data).days > LONGEST_RANGE_DAYS:
            raise ValidationError(_l("Vælg højst ti år ad gangen."))

    def validate_unit(self, field):
        if field.data not in {value for value, *_rest in field.iter_choices()}:
            raise ValidationError(NOT_ONES_UNIT)


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
    """The period a list is asked for (None: every process, whenever it ran). A period the address names wrongly
    is refused (422) with what is wrong: a list that silently showed everything would not be the figure's rows."""
    if not any(request.args.get(name) for name in ("period", "start", "end")):
        return None
    form = FilterForm(request.args)
    form.unit.choices = [SelectChoice("", "")]
    form.unit.data = ""
    if not form.validate():
        return _refused(PERIOD_ARGS, " ".join(f"{form[name].label.text}: {errors[0]}"
                                              for name, errors in form.errors.items()))
    return period_of(form.period.data, today, form.start.data, form.end.data)


# ---- the filters a list shows as chips ------------------------------------------------

FILTER_LABELS = {
    "period": _l("Periode"), "unit": _l("Enhed"), "state": _l("Status"), "requested": _l("Anmodet"),
    "completed": _l("Afsluttet"), "ambassador": _l("Ambassadør"), "visit": _l("Besøg"), "participants": _l("Deltagere"),
    "core_task": _l("Kerneopgave"), "held": _l("Holdt besøg"), "decision": _l("Beslutning"),
    "follow_up": _l("Opfølgning"), "own": _l("Egen arbejdsplads"), "other": _l("Anden arbejdsplads"),
    "load": _l("Forløb"), "status": _l("Status"), "cancelled": _l("Aflyst"),
}
FLAG_LABELS = {"active": _l("Kun aktive forløb"), "stalled": _l("Står stille"),
               "undated": _l("Venter på en dag til et besøg"), "lacking": _l("Mangler et af sine to forløb")}
VALUE_LABELS = {"state": STATE_LABELS, "decision": DECISION_LABELS, "follow_up": FOLLOW_UP_LABELS,
                "own": COMMITMENT_LABELS, "other": COMMITMENT_LABELS,
                "core_task": {"yes": _l("defineret"), "no": _l("ikke endnu")},
                "cancelled": {"yes": _l("ja"), "no": _l("nej")}}


# ---- the other filters a list reads from the address -------------------------------------
# A value a list cannot read is refused (422) with the filter's name, as a wrong period is: a list that
# ignored it would not show the rows its figure counted. A name no list reads is no filter and is ignored.

@contextmanager
def read_together():
    """Every filter of a list is read before any is refused, so the 422 names all that cannot be read and its link
    to the list without them leads to a list (one refused at a time led from one 422 to the next)."""
    g.unreadable = []
    try:
        yield
    finally:
        refused = g.pop("unreadable")
    if refused:
        raise UnreadableArguments(tuple(name for names, _message in refused for name in names),
                                  " ".join(message for _names, message in refused), len(refused))


def _refused(names: tuple[str, ...], message: str) -> None:
    """Refuse address arguments: at once, or when read_together() has read the rest."""
    if "unreadable" not in g:
        raise UnreadableArguments(names, message)
    g.unreadable.append((names, message))


def _unreadable(name: str) -> None:
    label = FILTER_LABELS.get(name) or FLAG_LABELS.get(name, name)
    return _refused((name,), f"{label}: {_('Det skrevne er ikke gyldigt.')}")


def _asked(name: str) -> str | None:
    return request.args.get(name) or None


def one_of(name: str, allowed) -> str | None:
    value = _asked(name)
    if value is not None and value not in allowed:
        return _unreadable(name)
    return value


def number(name: str) -> int | None:
    """An id or a visit's number: a whole number from 1 (0 named nothing, and was shown as no filter)."""
    value = _asked(name)
    if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 9 and int(value) > 0):
        return _unreadable(name)
    return None if value is None else int(value)


def month(name: str) -> str | None:
    """A month as YYYY-MM."""
    value = _asked(name)
    if value is not None:
        try:
            if len(value) != 7 or not value.isascii():
                raise ValueError(value)
            datetime.strptime(value, "%Y-%m")
        except ValueError:
            return _unreadable(name)
    return value


def unit_among(organisation: Organisation) -> int | None:
    """The unit a list is asked for, among those one sees. Another is refused as the dashboard's unit filter refuses
    it, rather than shown as an empty list named after a unit one cannot see (the same words whether it exists)."""
    value = number("unit")
    if value is not None and value not in organisation.units:
        return _refused(("unit",), f"{FILTER_LABELS['unit']}: {NOT_ONES_UNIT}")
    return value


def yes_no(name: str) -> bool | None:
    value = one_of(name, ("yes", "no"))
    return None if value is None else value == "yes"


def flag(name: str) -> bool:
    return one_of(name, ("1",)) == "1"


@dataclass(frozen=True)
class Chip:
    """One filter in use, in words, and the address arguments of the list without it."""

    text: str
    without: dict


def period_label(period: Period) -> str:
    """A period as people say it: "Seneste 12 måneder", "januar–marts 2026", "3. feb. 2026–15. mar. 2026"."""
    if period.kind != "range":
        return str(PERIOD_LABELS[period.kind])
    start, end = period.start, period.end
    if start.day == 1 and end.day == monthrange(end.year, end.month)[1]:  # whole months
        last = format_date(end, "MMMM y")
        if (start.year, start.month) == (end.year, end.month):
            return last
        return f"{format_date(start, 'MMMM' if start.year == end.year else 'MMMM y')}–{last}"
    return f"{format_date(start, 'd. MMM y')}–{format_date(end, 'd. MMM y')}"


def chips(shown: dict, names: dict[str, dict[int, str]], today: date) -> list[Chip]:
    """The filters ``shown`` (as the address names them) as Danish chips; ``names`` gives units' and
    ambassadors' names by id."""
    found = []
    if "period" in shown:
        period = period_of(shown["period"], today, *(date.fromisoformat(shown[k]) if shown.get(k) else None
                                                     for k in ("start", "end")))
        found.append(Chip(f"{FILTER_LABELS['period']}: {period_label(period)}",
                          {k: v for k, v in shown.items() if k not in PERIOD_ARGS}))
    for key, value in shown.items():
        if key in PERIOD_ARGS:
            continue
        without = {k: v for k, v in shown.items() if k != key}
        if key in FLAG_LABELS:
            found.append(Chip(str(FLAG_LABELS[key]), without))
            continue
        if key in names:
            said = names[key].get(value, str(value))
        elif key in VALUE_LABELS:
            said = VALUE_LABELS[key].get(value, value)
        elif key in ("requested", "completed"):
            said = format_date(datetime.strptime(value, "%Y-%m").date(), "MMMM y")
        else:
            said = value
        found.append(Chip(f"{FILTER_LABELS.get(key, key)}: {said}", without))
    return found
