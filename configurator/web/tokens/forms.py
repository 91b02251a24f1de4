"""The form that creates an API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms 3.3 prefers SelectChoice to (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms

    def SelectChoice(value, label):
        return (value, label)


from configurator.services.api_tokens import NAME_MAX

EXPIRY_CHOICES = [
    SelectChoice("", _l("Never")),
    SelectChoice("30", _l("In 30 days")),
    SelectChoice("90", _l("In 90 days")),
    SelectChoice("365", _l("In a year")),
]


class ScopesField(SelectMultipleField):
    """Scopes as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    """Name, scopes and expiry of a new token; the service checks the scopes."""

    name = StringField(
        _l("Name (what will use it)"),
        validators=[DataRequired(), Length(max=NAME_MAX)],
        render_kw={"maxlength": NAME_MAX, "placeholder": _l("ERP sync")},
    )
    # No `required` validator: it would mark every checkbox required; the
    # service says "Choose at least one scope." instead.
    scopes = ScopesField(_l("Scopes"))
    expires = SelectField(_l("Expires"), choices=EXPIRY_CHOICES, default="")
