"""Forms for signing in, choosing and changing one's password, the logins the coordinator gives and the units
a leader follows."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from wtforms import BooleanField, PasswordField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput

from kerne.models import ROLES
from kerne.people.passwords import MAX_LENGTH, MIN_LENGTH, weakness
from kerne.web.forms import Form, at_most, email_address, one_line, required, strip, too_long
from kerne.web.vocabulary import ROLE_LABELS


class LoginForm(Form):
    email = StringField(_l("E-mail"), filters=[strip], validators=[required(), at_most(254)])
    password = PasswordField(_l("Adgangskode"), validators=[required(), at_most(200)])


PASSWORD_WEAKNESSES = {
    "short": LazyString(lambda: ngettext("Adgangskoden skal være mindst %(num)d tegn.",
                                         "Adgangskoden skal være mindst %(num)d tegn.", MIN_LENGTH)),
    "long": too_long(MAX_LENGTH),
    "repetitive": _l("Adgangskoden må ikke være det samme tegn igen og igen."),
    "personal": _l("Adgangskoden må ikke indeholde dit navn eller din e-mail."),
}


class NewPasswordForm(Form):
    """A password a person chooses for themselves; ``email`` and ``name`` are the owner's, for the rules."""

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


class PasswordChangeForm(NewPasswordForm):
    """A new password for oneself, with the one it replaces."""

    current = PasswordField(_l("Nuværende adgangskode"), validators=[required(), at_most(MAX_LENGTH)])


class LeaderUnitsForm(Form):
    units = SelectMultipleField(_l("Enheder"), coerce=int, validate_choice=False)
    whole_organisation = BooleanField(_l("Hele organisationen (direktion, MED-udvalg)"))


class NewLoginForm(LeaderUnitsForm):
    """A login the coordinator gives: who, what for, and (for a leader) what they see."""

    name = StringField(_l("Navn"), filters=[strip], validators=[required(), at_most(120), one_line])
    email = StringField(_l("E-mail"), filters=[strip], validators=[required(), at_most(254), email_address])
    roles = SelectMultipleField(_l("Roller"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
                                option_widget=CheckboxInput(), validate_choice=False)

    def validate_roles(self, field) -> None:
        # Not the required() validator: it would mark every box of the group as required.
        if not field.data:
            raise ValidationError(_l("Vælg mindst én rolle."))
        if not set(field.data) <= set(ROLES):
            raise ValidationError(_l("Vælg roller på listen."))
