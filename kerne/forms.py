"""Forms, with every message in Danish (WTForms ships no Danish catalogue)."""
import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from .models import IDEA_TAGS, ORG_KINDS, VOTE_CHOICES
from .passwords import MAX_LENGTH, MIN_LENGTH, weakness
from .vocabulary import IDEA_TAG_LABELS, ORG_KIND_LABELS

# C0/C1 control characters, except tab and line breaks which a textarea sends.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EDIT_ID = r"^[A-Za-z0-9-]{8,40}$"


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


def at_most(n: int):
    return Length(max=n, message=_l("Højst %(max)d tegn.", max=n))


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), filters=[strip], validators=[required(), at_most(254)])
    password = PasswordField(_l("Adgangskode"), validators=[required(), at_most(200)])


PASSWORD_WEAKNESSES = {
    "short": _l("Adgangskoden skal være mindst %(n)d tegn.", n=MIN_LENGTH),
    "long": _l("Højst %(max)d tegn.", max=MAX_LENGTH),
    "repetitive": _l("Adgangskoden må ikke være det samme tegn igen og igen."),
    "personal": _l("Adgangskoden må ikke indeholde dit navn eller din e-mail."),
}


class PasswordChangeForm(FlaskForm):
    """A new password for oneself; ``email`` and ``name`` are the owner's, for the rules."""

    current = PasswordField(_l("Nuværende adgangskode"), validators=[required(), at_most(MAX_LENGTH)])
    new = PasswordField(_l("Ny adgangskode"), validators=[required()])
    repeat = PasswordField(_l("Gentag den nye adgangskode"), validators=[required()])

    def __init__(self, *args, email: str, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = {"email": email, "name": name}

    def validate_new(self, field) -> None:
        problem = weakness(field.data, **self.owner)
        if problem:
            raise ValidationError(PASSWORD_WEAKNESSES[problem])

    def validate_repeat(self, field) -> None:
        if field.data != self.new.data:
            raise ValidationError(_l("De to nye adgangskoder er ikke ens."))


class JoinCodeForm(FlaskForm):
    code = StringField(
        _l("Kode"),
        filters=[lambda v: re.sub(r"[\s-]", "", v).upper() if isinstance(v, str) else v],
        validators=[
            required(_l("Skriv koden fra skærmen.")),
            Regexp(r"^[A-Z0-9]{4,8}$", message=_l("Koden består af 4-8 bogstaver og tal.")),
        ],
    )


class JoinForm(FlaskForm):
    display_name = StringField(
        _l("Dit navn (valgfrit)"), filters=[strip], validators=[Optional(), at_most(40), one_line]
    )


class EditIdForm(FlaskForm):
    """A save from a phone carries an id, so sending it twice changes nothing."""

    edit_id = HiddenField(validators=[required(), Regexp(EDIT_ID, message=_l("Ugyldig forespørgsel."))])


class IdeaForm(EditIdForm):
    text = TextAreaField(
        _l("Din idé"), filters=[strip], validators=[required(_l("Skriv din idé først.")), at_most(280), plain_text]
    )
    tag = SelectField(
        _l("Handler om"),
        choices=[SelectChoice("", _l("Ikke valgt"))] + [SelectChoice(t, IDEA_TAG_LABELS[t]) for t in IDEA_TAGS],
        default="",
    )


class TaskForm(EditIdForm):
    title = StringField(
        _l("Ny arbejdsopgave"),
        filters=[strip],
        validators=[required(_l("Skriv opgaven først.")), at_most(200), plain_text],
    )


class DotsForm(FlaskForm):
    dots = WholeNumberField(validators=[InputRequired(_l("Vælg et antal prikker.")), NumberRange(min=0, max=20)])


class TaskVoteForm(FlaskForm):
    choice = StringField(validators=[AnyOf(VOTE_CHOICES, message=_l("Vælg udvikle, fastholde eller afvikle."))])


class PositionForm(FlaskForm):
    position = WholeNumberField(validators=[InputRequired(_l("Vælg en placering.")), NumberRange(min=1, max=1000)])


class DotsSettingForm(FlaskForm):
    dots_per_participant = WholeNumberField(
        _l("Prikker pr. deltager"),
        validators=[InputRequired(_l("Vælg et antal.")), NumberRange(min=1, max=10, message=_l("Vælg mellem 1 og 10."))],
    )


class ToggleForm(FlaskForm):
    """Switch something on or off; naming the wanted state makes a resend harmless."""

    value = StringField(validators=[AnyOf(("1", "0"))])

    @property
    def on(self) -> bool:
        return self.value.data == "1"


class MergeForm(FlaskForm):
    into = WholeNumberField(_l("Flet ind i"), validators=[InputRequired(_l("Vælg den idé der skal flettes ind i."))])


class ConflictForm(FlaskForm):
    keep = StringField(validators=[AnyOf(("mine", "theirs"))])


def valid_date(form, field) -> None:
    if field.data:
        try:
            date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(_l("Skriv datoen som åååå-mm-dd.")) from None


def field_save_form(spec) -> FlaskForm:
    """The form for saving one live field, validated as ``spec`` says."""
    validators = [at_most(spec.max_length)]
    if spec.kind == "text":
        validators.append(plain_text)
        if spec.required:
            validators.insert(0, required())
    elif spec.kind == "date":
        validators.append(valid_date)
    elif spec.kind == "choice":
        validators.append(AnyOf(spec.choices, message=_l("Vælg en af mulighederne.")))

    class FieldSaveForm(EditIdForm):
        value = StringField(validators=validators)
        base = StringField(validators=[Length(max=spec.max_length)])

    return FieldSaveForm()


# ---- the coordinator's desk ----------------------------------------------------------

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


def email_address(form, field) -> None:
    # Letters, digits and . _ % + - around one @ and a domain with a dot: no spaces, no markup.
    if field.data and not re.fullmatch(r"[\w.%+-]+@[\w-]+(\.[\w-]+)+", field.data):
        raise ValidationError(_l("Skriv en gyldig e-mailadresse."))


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


class UnitForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])
    kind = SelectField(_l("Type"), choices=[SelectChoice(k, ORG_KIND_LABELS[k]) for k in ORG_KINDS])
    parent = SelectField(_l("Hører under"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                         validate_choice=False)


class AmbassadorForm(FlaskForm):
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


class ImportConfirmForm(FlaskForm):
    """Apply a checked file: the file itself, the fingerprint of the changes shown, and yes to new ids."""

    file_data = HiddenField(validators=[InputRequired()])
    digest = HiddenField(validators=[InputRequired()])
    rekey = BooleanField(_l("Ja, giv dem det nye id"))


class ProfileForm(FlaskForm):
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


def time_of_day(form, field) -> None:
    if field.data and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", field.data):
        raise ValidationError(_l("Skriv tidspunktet som tt:mm."))


def clock(text: str) -> time:
    """A time of day from ``tt:mm`` (as time_of_day checked it)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def later_than(other: str):
    def check(form, field) -> None:
        if form[other].data and field.data and field.data <= form[other].data:
            raise ValidationError(_l("Besøget skal slutte efter, det begynder."))
    return check


class RequestForm(FlaskForm):
    workplace = AmbassadorForm.workplace
    contact_name = StringField(_l("Kontaktperson"), filters=[strip], validators=[required(), at_most(120), one_line])
    contact_email = StringField(_l("Kontaktpersonens e-mail"), filters=[strip],
                                validators=[required(), at_most(254), email_address])
    target_groups = StringField(_l("Målgrupper"), filters=[strip], validators=[Optional(), at_most(200), plain_text])
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


# ---- after the workshop: playbook, lifecycle, follow-up, target groups, leaders ------------

class StepForm(FlaskForm):
    """A step of the playbook; ``base`` is the version the editor showed, so two editors never overwrite."""

    visit_number = SelectField(_l("Besøg"), coerce=int,
                               choices=[SelectChoice(1, _l("Besøg 1")), SelectChoice(2, _l("Besøg 2"))])
    title = StringField(_l("Titel"), filters=[strip], validators=[required(), at_most(120), plain_text])
    purpose = TextAreaField(_l("Formål"), filters=[strip], validators=[required(), at_most(500), plain_text])
    prompt = TextAreaField(_l("Spørgsmål til deltagerne"), filters=[strip],
                           validators=[required(), at_most(500), plain_text])
    activity = SelectField(_l("Aktivitet"), choices=[])
    minutes = WholeNumberField(_l("Minutter"), default=15, validators=[
        InputRequired(_l("Skriv et antal minutter.")), NumberRange(min=1, max=240, message=_l("Mellem 1 og 240."))])
    base = HiddenField(validators=[InputRequired()])


class BaseVersionForm(FlaskForm):
    """A change to the playbook that names the version it was made on."""

    base = HiddenField(validators=[InputRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Begrundelse"), filters=[strip],
                           validators=[required(_l("Skriv en begrundelse.")), at_most(500), plain_text])


class CoreTaskWordingForm(FlaskForm):
    """The pair finishes the core task's wording after visit 1 and locks it (the parts not sent stay as they are)."""

    target_group = TextAreaField(_l("Målgruppe"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    effect = TextAreaField(_l("Effekt"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    approach = TextAreaField(_l("Tilgang"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    ambition = TextAreaField(_l("Ambition"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    core_task = TextAreaField(_l("Kerneopgaven"), filters=[strip],
                              validators=[required(_l("Skriv kerneopgaven, før den låses.")), at_most(1000), plain_text])


class FollowUpMarkForm(FlaskForm):
    mark = SelectField(_l("Status"), choices=[])
    note = TextAreaField(_l("Note (valgfri)"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])


class TaskPlanForm(FlaskForm):
    """The action plan of one decided task, completed after the visit."""

    decision = SelectField(_l("Beslutning"), choices=[])
    owner = StringField(_l("Ansvarlig"), filters=[strip], validators=[required(), at_most(120), plain_text])
    deadline = FlexibleDateField(_l("Frist"), validators=[InputRequired(_l("Vælg en frist."))])
    follow_up_on = FlexibleDateField(_l("Opfølgning"), validators=[InputRequired(_l("Vælg en dato for opfølgning."))])


class MeetingForm(FlaskForm):
    """The follow-up meeting: a day, a time, a place."""

    day = FlexibleDateField(_l("Dato"), validators=[InputRequired(_l("Vælg en dato."))])
    starts = StringField(_l("Fra"), render_kw={"type": "time"}, validators=[required(), time_of_day])
    ends = StringField(_l("Til"), render_kw={"type": "time"}, validators=[required(), time_of_day])
    place = StringField(_l("Sted"), filters=[strip], validators=[Optional(), at_most(120), plain_text])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("Mødet skal slutte efter, det begynder."))


class VisitTimeForm(FlaskForm):
    """The day and time of day the pair and the workplace agreed for a visit."""

    day = MeetingForm.day
    starts = MeetingForm.starts
    ends = StringField(_l("Til"), render_kw={"type": "time"}, validators=[required(), time_of_day, later_than("starts")])


class TargetGroupForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])


class TargetGroupMergeForm(FlaskForm):
    into = SelectField(_l("Slå sammen med"), coerce=int, validate_choice=False,
                       validators=[InputRequired(_l("Vælg en målgruppe."))])


class AliasForm(FlaskForm):
    """Map a free text onto target groups of the vocabulary (or a new one)."""

    text = HiddenField(validators=[required(), at_most(200)])
    groups = SelectMultipleField(_l("Målgrupper"), coerce=int, validate_choice=False)
    new_group = StringField(_l("Eller en ny målgruppe"), filters=[strip], validators=[Optional(), at_most(120),
                                                                                     plain_text])


class LeaderUnitsForm(FlaskForm):
    units = SelectMultipleField(_l("Enheder"), coerce=int, validate_choice=False)
    whole_organisation = BooleanField(_l("Hele organisationen (direktion, MED-udvalg)"))


class AuditFilterForm(FlaskForm):
    """The audit log's filters, sent by GET: the choices are the actions and people the log holds."""

    class Meta:
        csrf = False

    action = SelectField(_l("Handling"), choices=[], default="", validate_choice=False)
    person = SelectField(_l("Person"), choices=[], default="", validate_choice=False)
    since = FlexibleDateField(_l("Fra dato"))
    until = FlexibleDateField(_l("Til og med dato"))

    def validate_action(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Vælg en handling fra listen."))

    def validate_person(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Vælg en person fra listen."))

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("Til-datoen ligger før fra-datoen."))


class AnonymiseForm(FlaskForm):
    """Anonymising cannot be undone: the coordinator ticks that they mean it."""

    confirm = BooleanField(_l("Ja, anonymisér – det kan ikke fortrydes"),
                           validators=[DataRequired(_l("Sæt flueben for at bekræfte."))])
