"""What every form shares: Danish messages, the checks for plain text, one line, lengths, e-mail addresses,
dates and times of day, and the two small forms several capabilities use."""
import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, StopValidation, ValidationError

from kerne.web.builtin_messages import MESSAGES

class Form(FlaskForm):
    """Every form of Kerne: WTForms' own messages in the reader's language (kerne.web.builtin_messages)."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


# C0/C1 control characters, except tab and line breaks which a textarea sends.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plain_text(form, field) -> None:
    """Refuse invisible control characters; any visible text is accepted and escaped on output."""
    value = field.data or ""
    if _CONTROL.search(value):
        raise ValidationError(_l("Teksten indeholder usynlige styretegn. Skriv den igen uden dem."))


def one_line(form, field) -> None:
    """A name or address is one line: refuse line breaks and tabs as well as control characters."""
    if re.search(r"[\t\r\n]", field.data or ""):
        raise ValidationError(_l("Skriv det på én linje."))
    plain_text(form, field)


class WholeNumberField(IntegerField):
    """An integer with its message in Danish; a value that is no number stops the field's other checks."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                raise ValueError(_l("Skriv et helt tal, ikke »%(value)s«.", value=valuelist[0].strip())) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required(message=None):
    return DataRequired(message=message or _l("Feltet skal udfyldes."))


def too_long(n: int) -> LazyString:
    """What a text longer than ``n`` characters is told, in the language of whoever reads it."""
    return LazyString(lambda: ngettext("Højst %(num)d tegn.", "Højst %(num)d tegn.", n))


def at_most(n: int):
    return Length(max=n, message=too_long(n))


def email_address(form, field) -> None:
    # Letters, digits and . _ % + - around one @ and a domain with a dot: no spaces, no markup.
    if field.data and not re.fullmatch(r"[\w.%+-]+@[\w-]+(\.[\w-]+)+", field.data):
        raise ValidationError(_l("Skriv en gyldig e-mailadresse."))


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


def parse_date(text: str) -> date:
    """A date as people type it in Denmark, or as ISO."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


class FlexibleDateField(StringField):
    """A date from a date input (ISO) or a spreadsheet (dd-mm-åååå)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = parse_date(text)
        except ValueError:
            self.data = None
            raise ValidationError(_l("Skriv datoen som åååå-mm-dd eller dd-mm-åååå.")) from None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else (self.raw_data or [""])[0]


def time_of_day(form, field) -> None:
    """A time as tt:mm in ASCII digits (ends are compared with starts as text, and "1٩:00" would sort after
    "19:30"); an unreadable one stops the field's checks, so it is not also compared with another."""
    if field.data and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", field.data):
        raise StopValidation(_l("Skriv tidspunktet som tt:mm."))


def clock(text: str) -> time:
    """A time of day from ``tt:mm`` (as time_of_day checked it)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def later_than(other: str, message=_l("Besøget skal slutte efter, det begynder.")):
    """An end (tt:mm) after the start in field ``other``, when that start could be read."""
    def check(form, field) -> None:
        if form[other].data and field.data and not form[other].errors and field.data <= form[other].data:
            raise ValidationError(message)
    return check


class ToggleForm(Form):
    """Switch something on or off; naming the wanted state makes a resend harmless."""

    value = StringField(validators=[AnyOf(("1", "0"))])

    @property
    def on(self) -> bool:
        return self.value.data == "1"


class ReasonForm(Form):
    reason = TextAreaField(_l("Begrundelse"), filters=[strip],
                           validators=[required(_l("Skriv en begrundelse.")), at_most(500), plain_text])
