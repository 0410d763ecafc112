"""Forms of the target-group vocabulary that the core-task library is searched by."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Optional

from kerne.web.forms import at_most, one_line, plain_text, required, strip


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
