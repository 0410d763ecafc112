"""Forms for signing in, changing one's password and the units a leader follows."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from kerne.people.passwords import MAX_LENGTH, MIN_LENGTH, weakness
from kerne.web.forms import at_most, required, strip, too_long


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), filters=[strip], validators=[required(), at_most(254)])
    password = PasswordField(_l("Adgangskode"), validators=[required(), at_most(200)])


PASSWORD_WEAKNESSES = {
    "short": LazyString(lambda: ngettext("Adgangskoden skal være mindst %(num)d tegn.",
                                         "Adgangskoden skal være mindst %(num)d tegn.", MIN_LENGTH)),
    "long": too_long(MAX_LENGTH),
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


class LeaderUnitsForm(FlaskForm):
    units = SelectMultipleField(_l("Enheder"), coerce=int, validate_choice=False)
    whole_organisation = BooleanField(_l("Hele organisationen (direktion, MED-udvalg)"))
