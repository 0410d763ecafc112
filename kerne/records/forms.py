"""Forms of the audit log's filters and of anonymising a person."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, ValidationError

from kerne.web.forms import FlexibleDateField, Form


class AuditFilterForm(Form):
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


class AnonymiseForm(Form):
    """Anonymising cannot be undone: the coordinator ticks that they mean it."""

    confirm = BooleanField(_l("Ja, anonymisér – det kan ikke fortrydes"),
                           validators=[DataRequired(_l("Sæt flueben for at bekræfte."))])
