"""Forms of the coordinator's desk: org units, ambassadors, profiles and process requests
(the same forms check every line of an import)."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, StopValidation, ValidationError

from kerne.models import ORG_KINDS
from kerne.web.clock import today
from kerne.web.forms import (
    FlexibleDateField,
    Form,
    WholeNumberField,
    at_most,
    email_address,
    later_than,
    one_line,
    parse_date,
    plain_text,
    required,
    strip,
    time_of_day,
)
from kerne.web.vocabulary import ORG_KIND_LABELS


class DateListField(TextAreaField):
    """Dates, one per line (or separated by spaces or commas)."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        days, wrong = set(), []
        for part in re.split(r"[\s,|]+", text.strip()):
            if part:
                try:
                    days.add(parse_date(part))
                except ValueError:
                    wrong.append(part)
        self.data = sorted(days)
        if wrong:
            raise ValidationError(_l("Disse datoer kan ikke læses: %(dates)s", dates=", ".join(wrong[:5])))

    def _value(self):
        return "\n".join(d.isoformat() for d in self.data or [])


YES = {"ja", "j", "yes", "y", "1", "true", "sand", "x", "aktiv"}


NO = {"nej", "n", "no", "0", "false", "falsk", "", "inaktiv"}


def yes_no(value) -> bool | str:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    return True if text in YES else False if text in NO else text


class OfferedChoice(SelectField):
    """A select of row ids that takes only an id it offered: a workplace, never an area or a
    row that does not exist (``validate_choice=False`` would let any number through)."""

    def __init__(self, label, message, **kwargs):
        super().__init__(label, coerce=int, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None  # not a number: pre_validate gives the Danish message

    def pre_validate(self, form):
        if self.data not in {value for value, *_rest in self.iter_choices()}:
            raise StopValidation(self.message)


class UnitForm(Form):
    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])
    kind = SelectField(_l("Type"), choices=[SelectChoice(k, ORG_KIND_LABELS[k]) for k in ORG_KINDS])
    parent = SelectField(_l("Hører under"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                         validate_choice=False)


class AmbassadorForm(Form):
    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])
    email = StringField(_l("Arbejdsmail"), filters=[strip], validators=[required(), at_most(254), email_address])
    phone = StringField(_l("Arbejdstelefon (valgfri)"), filters=[strip], validators=[
        Optional(), at_most(32), Regexp(r"^[0-9 +()-]*$", message=_l("Kun tal, mellemrum og + ( ) -."))])
    workplace = OfferedChoice(_l("Arbejdsplads"), _l("Vælg en arbejdsplads."))
    profession = StringField(_l("Faggruppe"), filters=[strip], validators=[required(), at_most(80), one_line])
    trained_on = FlexibleDateField(_l("Uddannet (dato)"))
    active = BooleanField(_l("Aktiv"), default=True, false_values=("", "0", "false", "nej", "n", "no"))
    capacity = WholeNumberField(_l("Forløb pr. sæson"), default=3, validators=[
        InputRequired(_l("Skriv et antal.")), NumberRange(min=0, max=20, message=_l("Mellem 0 og 20."))])
    unavailable = DateListField(_l("Utilgængelige datoer"))


class ImportConfirmForm(Form):
    """Apply a checked file: the file itself, the fingerprint of the changes shown, and yes to new ids."""

    file_data = HiddenField(validators=[InputRequired()])
    digest = HiddenField(validators=[InputRequired()])
    rekey = BooleanField(_l("Ja, giv dem det nye id"))


class ProfileForm(Form):
    """What an ambassador may correct about themselves."""

    phone = AmbassadorForm.phone
    profession = AmbassadorForm.profession
    unavailable = AmbassadorForm.unavailable


def window_order(form, field) -> None:
    """Each window ends on or after its start, the second visit comes after the first,
    and a window is at most two weeks."""
    (s1, e1), (s2, e2) = ((form.visit1_start.data, form.visit1_end.data or form.visit1_start.data),
                          (form.visit2_start.data, form.visit2_end.data or form.visit2_start.data))
    if None in (s1, s2):
        return
    if e1 < s1 or e2 < s2:
        raise ValidationError(_l("En periode kan ikke slutte, før den begynder."))
    if (e1 - s1).days > 14 or (e2 - s2).days > 14:
        raise ValidationError(_l("En periode må højst være 14 dage."))
    if s2 <= e1:
        raise ValidationError(_l("Besøg 2 skal ligge efter besøg 1."))


def each_line(value):
    """A list typed one item a line: each line stripped, empty ones left out."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


class RequestForm(Form):
    workplace = AmbassadorForm.workplace
    contact_name = StringField(_l("Kontaktperson"), filters=[strip], validators=[required(), at_most(120), one_line])
    contact_email = StringField(_l("Kontaktpersonens e-mail"), filters=[strip],
                                validators=[required(), at_most(254), email_address])
    # A list, one group a line: a comma belongs to a group's name ("Borgere, der søger ydelser" is one group).
    target_groups = TextAreaField(_l("Målgrupper"), filters=[each_line], render_kw={"rows": 3},
                                  validators=[Optional(), at_most(200), plain_text])
    visit1_start = FlexibleDateField(_l("Besøg 1: dato (eller første dag)"),
                                     validators=[InputRequired(_l("Vælg en dato for besøg 1."))])
    visit1_end = FlexibleDateField(_l("Besøg 1: sidste dag (valgfri)"))
    visit2_start = FlexibleDateField(_l("Besøg 2: dato (eller første dag)"),
                                     validators=[InputRequired(_l("Vælg en dato for besøg 2.")), window_order])
    visit2_end = FlexibleDateField(_l("Besøg 2: sidste dag (valgfri)"))
    visit_starts = StringField(_l("Besøgene begynder kl."), default="09:00", render_kw={"type": "time"},
                               validators=[Optional(), time_of_day])
    visit_ends = StringField(_l("Besøgene slutter kl."), default="12:00", render_kw={"type": "time"},
                             validators=[Optional(), time_of_day, later_than("visit_starts")])
    notes = TextAreaField(_l("Bemærkninger"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])

    def validate_visit1_start(self, field):
        """A window that has passed cannot be planned: the first visit ends today at the earliest."""
        if field.data is not None and (self.visit1_end.data or field.data) < today():
            raise ValidationError(_l("Besøg 1 kan ikke ligge i fortiden. Vælg en dato fra i dag."))
