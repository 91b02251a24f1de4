"""Forms of the staff dashboard."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from configurator.web.auth.forms import SelectChoice


class RecomputeForm(FlaskForm):
    """Re-value every customer now (the button carries only the CSRF token)."""


class MergeForm(FlaskForm):
    """Confirm a merge, or undo one (only the CSRF token: the URL names the customers)."""


class CampaignForm(FlaskForm):
    """A new offer campaign; the service checks every field and says what is wrong."""

    code = StringField(_l("Code"), validators=[Length(max=40)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    reward_kind = SelectField(
        _l("Reward"),
        choices=[SelectChoice("discount", _l("A discount")), SelectChoice("free_addon", _l("A free add-on"))])
    percent = StringField(_l("Discount in %"), validators=[Length(max=12)])
    addon = StringField(_l("Free add-on (product line:feature:option)"), validators=[Length(max=200)])
    holdout_percent = StringField(_l("Holdout in %"), default="20", validators=[Length(max=12)])
    days = StringField(_l("Runs for (days)"), default="30", validators=[Length(max=12)])
