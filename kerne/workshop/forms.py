"""Forms of the workshop: joining, and what phones and facilitators send during a visit."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from kerne.models import IDEA_TAGS, VOTE_CHOICES
from kerne.processes.evaluation import SCALE
from kerne.web.forms import Form, WholeNumberField, at_most, one_line, plain_text, required, strip
from kerne.web.vocabulary import IDEA_TAG_LABELS


class JoinCodeForm(Form):
    code = StringField(
        _l("Kode"),
        filters=[lambda v: re.sub(r"[\s-]", "", v).upper() if isinstance(v, str) else v],
        validators=[
            required(_l("Skriv koden fra skærmen.")),
            Regexp(r"^[A-Z0-9]{4,8}$", message=_l("Koden består af 4-8 bogstaver og tal.")),
        ],
    )


class JoinForm(Form):
    display_name = StringField(
        _l("Dit navn (valgfrit)"), filters=[strip], validators=[Optional(), at_most(40), one_line]
    )


EDIT_ID = r"^[A-Za-z0-9-]{8,40}$"


class EditIdForm(Form):
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


class DotsForm(Form):
    dots = WholeNumberField(validators=[InputRequired(_l("Vælg et antal prikker.")), NumberRange(min=0, max=20)])


class TaskVoteForm(Form):
    choice = StringField(validators=[AnyOf(VOTE_CHOICES, message=_l("Vælg udvikle, fastholde eller afvikle."))])


class PositionForm(Form):
    position = WholeNumberField(validators=[InputRequired(_l("Vælg en placering.")), NumberRange(min=1, max=1000)])


class DotsSettingForm(Form):
    dots_per_participant = WholeNumberField(
        _l("Prikker pr. deltager"),
        validators=[InputRequired(_l("Vælg et antal.")), NumberRange(min=1, max=10, message=_l("Vælg mellem 1 og 10."))],
    )


class TimerLengthForm(Form):
    seconds = WholeNumberField(validators=[InputRequired(), NumberRange(min=60, max=4 * 3600)])


class FocusForm(Form):
    task = WholeNumberField(validators=[InputRequired()])


class MergeForm(Form):
    into = WholeNumberField(_l("Flet ind i"), validators=[InputRequired(_l("Vælg den idé der skal flettes ind i."))])


class EvaluationForm(Form):
    """The two questions when a visit closes; each may be left out, but not both."""

    scale = SCALE
    usefulness = WholeNumberField(_l("Hvor brugbar var dagen i dag for dig?"), validators=[
        Optional(), NumberRange(min=SCALE[0], max=SCALE[-1], message=_l("Vælg et tal fra 1 til 5."))])
    change = TextAreaField(_l("Hvad skal vi gøre anderledes?"), filters=[strip],
                           validators=[Optional(), at_most(1000), plain_text])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.usefulness.data is None and not self.change.data:
            self.usefulness.errors = [_l("Svar på mindst ét af de to spørgsmål.")]
            return False
        return True


class ConflictForm(Form):
    keep = StringField(validators=[AnyOf(("mine", "theirs"))])


def valid_date(form, field) -> None:
    if field.data:
        try:
            date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(_l("Skriv datoen som åååå-mm-dd.")) from None


def field_save_form(spec) -> Form:
    """The form for saving one live field, validated as ``spec`` says."""
    validators = [at_most(spec.max_length)]
    if spec.kind == "text":
        validators.append(plain_text)
        if spec.required:
            validators.insert(0, required())
    elif spec.kind == "date":
        validators.append(valid_date)
    elif spec.kind == "choice":
        validators.append(AnyOf(spec.choices, message=spec.choose or _l("Vælg en af mulighederne.")))

    class FieldSaveForm(EditIdForm):
        value = StringField(validators=validators)
        base = StringField(validators=[Length(max=spec.max_length)])

    return FieldSaveForm()
