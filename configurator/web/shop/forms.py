"""The shop's forms. The configurator's picks are dynamic (one field per
feature of the catalog) and read by `workbench.posted_selection`; the fixed
fields are here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class SaveForm(FlaskForm):
    """The name a configuration is saved under."""

    class Meta:
        csrf = False  # the configurator form carries the CSRF token for all its buttons

    name = StringField(_l("Name"), validators=[Length(max=120)])


class OfferForm(FlaskForm):
    """"No more offers" (only the CSRF token: the URL names the campaign)."""
