"""Forms of the core-task library: the target-group vocabulary it is searched by, and talks across units."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from kerne.desk.forms import OfferedChoice
from kerne.web.clock import today
from kerne.web.forms import FlexibleDateField, Form, at_most, one_line, plain_text, required, strip


class TargetGroupForm(Form):
    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])


class TargetGroupMergeForm(Form):
    into = SelectField(_l("Slå sammen med"), coerce=int, validate_choice=False,
                       validators=[InputRequired(_l("Vælg en målgruppe."))])


class AliasForm(Form):
    """Map a free text onto target groups of the vocabulary (or a new one)."""

    text = HiddenField(validators=[required(), at_most(200)])
    groups = SelectMultipleField(_l("Målgrupper"), coerce=int, validate_choice=False)
    new_group = StringField(_l("Eller en ny målgruppe"), filters=[strip], validators=[Optional(), at_most(120),
                                                                                     plain_text])


class ProposeForm(Form):
    """Propose a talk across units: from one of one's own workplaces, about a target group shared with a core task
    found in the library (``to_process``)."""

    to_process = HiddenField(validators=[required()])
    from_unit = OfferedChoice(_l("Fra arbejdspladsen"), _l("Vælg en af jeres arbejdspladser."))
    target_group = SelectField(_l("Om målgruppen"), validate_choice=False)
    message = TextAreaField(_l("Besked (valgfri)"), filters=[strip], validators=[Optional(), at_most(500), plain_text])

    def validate_target_group(self, field):
        if field.data not in {value for value, *_rest in field.iter_choices()}:
            raise ValidationError(_l("Vælg en målgruppe, I deler."))


class ConversationForm(Form):
    """Where a talk across units stands: agreed for a day, or held on a day with what came of it."""

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    meeting_on = FlexibleDateField(_l("Dato"), validators=[InputRequired(_l("Vælg en dato."))])
    outcome = TextAreaField(_l("Hvad kom der ud af det? (kort)"), filters=[strip], validators=[at_most(1000), plain_text])

    def validate_status(self, field):
        if field.data not in {value for value, *_rest in field.iter_choices()}:
            raise ValidationError(_l("Vælg, om samtalen er aftalt eller holdt."))

    def validate_outcome(self, field):
        """A held talk says what came of it: once held, it has no form left to add it to."""
        if self.status.data == "held" and not field.data:
            raise ValidationError(_l("Skriv kort, hvad der kom ud af samtalen."))

    def validate_meeting_on(self, field):
        if self.status.data == "held" and field.data is not None and field.data > today():
            raise ValidationError(_l("En samtale kan ikke være holdt i fremtiden. Vælg „Aftalt“ for en dag, der kommer."))
