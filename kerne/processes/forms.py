"""Forms of a process after the workshop: the playbook's steps, the core task's wording, action plans,
follow-up, visit times and the follow-up meeting."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from kerne.web.forms import (
    FlexibleDateField,
    Form,
    WholeNumberField,
    at_most,
    later_than,
    plain_text,
    required,
    strip,
    time_of_day,
)


class StepForm(Form):
    """A step of the playbook; ``base`` is the version the editor showed, so two editors never overwrite."""

    visit_number = SelectField(_l("Besøg"), coerce=int,
                               choices=[SelectChoice(1, _l("Besøg 1")), SelectChoice(2, _l("Besøg 2"))])
    title = StringField(_l("Titel"), filters=[strip], validators=[required(), at_most(120), plain_text])
    purpose = TextAreaField(_l("Formål"), filters=[strip], validators=[required(), at_most(500), plain_text])
    prompt = TextAreaField(_l("Spørgsmål til deltagerne"), filters=[strip],
                           validators=[required(), at_most(500), plain_text])
    # Shown to those who chose English; left empty, they read the Danish.
    title_en = StringField(_l("Titel på engelsk"), filters=[strip], render_kw={"lang": "en"},
                           validators=[Optional(), at_most(120), plain_text])
    purpose_en = TextAreaField(_l("Formål på engelsk"), filters=[strip], render_kw={"lang": "en"},
                               validators=[Optional(), at_most(500), plain_text])
    prompt_en = TextAreaField(_l("Spørgsmål til deltagerne på engelsk"), filters=[strip], render_kw={"lang": "en"},
                              validators=[Optional(), at_most(500), plain_text])
    activity = SelectField(_l("Aktivitet"), choices=[])
    minutes = WholeNumberField(_l("Minutter"), default=15, validators=[
        InputRequired(_l("Skriv et antal minutter.")), NumberRange(min=1, max=240, message=_l("Mellem 1 og 240."))])
    base = HiddenField(validators=[InputRequired()])


class BaseVersionForm(Form):
    """A change to the playbook that names the version it was made on."""

    base = HiddenField(validators=[InputRequired()])


class CoreTaskWordingForm(Form):
    """The pair finishes the core task's wording after visit 1 and locks it (the parts not sent stay as they are)."""

    target_group = TextAreaField(_l("Målgruppe"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    effect = TextAreaField(_l("Effekt"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    approach = TextAreaField(_l("Tilgang"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    ambition = TextAreaField(_l("Ambition"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])
    core_task = TextAreaField(_l("Kerneopgaven"), filters=[strip],
                              validators=[required(_l("Skriv kerneopgaven, før den låses.")), at_most(1000), plain_text])


class FollowUpMarkForm(Form):
    """How a task stands at the follow-up; nothing is chosen for the facilitators ("Vælg …" refused)."""

    mark = SelectField(_l("Status"), choices=[], validators=[required(_l("Vælg en af mulighederne på listen."))])
    note = TextAreaField(_l("Note (valgfri)"), filters=[strip], validators=[Optional(), at_most(1000), plain_text])


class TaskPlanForm(Form):
    """The action plan of one decided task, completed after the visit."""

    decision = SelectField(_l("Beslutning"), choices=[])
    owner = StringField(_l("Ansvarlig"), filters=[strip], validators=[required(), at_most(120), plain_text])
    deadline = FlexibleDateField(_l("Frist"), validators=[InputRequired(_l("Vælg en frist."))])
    follow_up_on = FlexibleDateField(_l("Opfølgning"), validators=[InputRequired(_l("Vælg en dato for opfølgning."))])


class MeetingForm(Form):
    """The follow-up meeting: a day, a time, a place."""

    day = FlexibleDateField(_l("Dato"), validators=[InputRequired(_l("Vælg en dato."))])
    starts = StringField(_l("Fra"), render_kw={"type": "time"}, validators=[required(), time_of_day])
    ends = StringField(_l("Til"), render_kw={"type": "time"}, validators=[
        required(), time_of_day, later_than("starts", _l("Mødet skal slutte efter, det begynder."))])
    place = StringField(_l("Sted"), filters=[strip], validators=[Optional(), at_most(120), plain_text])


class VisitTimeForm(Form):
    """The day and time of day the pair and the workplace agreed for a visit."""

    day = MeetingForm.day
    starts = MeetingForm.starts
    ends = StringField(_l("Til"), render_kw={"type": "time"}, validators=[required(), time_of_day, later_than("starts")])
