"""The account's forms: choosing two revisions to compare, renaming a configuration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange

from configurator.services.configuring.configurations import NAME_MAX


class DiffForm(FlaskForm):
    """Two revision numbers (read from the query string)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    a = IntegerField(_l("From revision"), validators=[InputRequired(), NumberRange(min=1)])
    b = IntegerField(_l("To revision"), validators=[InputRequired(), NumberRange(min=1)])


class RenameForm(FlaskForm):
    """A new name for a saved configuration (with the CSRF token).

    The service checks the name (empty, too long, control characters), so the
    rules live in one place; `maxlength` only helps the browser.
    """

    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX, "required": True})
