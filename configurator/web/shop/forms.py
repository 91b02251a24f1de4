"""The shop's forms. The configurator's picks are dynamic (one field per
feature of the catalog) and read by `workbench.posted_selection`; the fixed
fields are here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import Length


class SaveForm(FlaskForm):
    """The name a configuration is saved under."""

    class Meta:
        csrf = False  # the configurator form carries the CSRF token for all its buttons

    name = StringField(_l("Name"), validators=[Length(max=120)])


class OfferForm(FlaskForm):
    """"No more offers" (only the CSRF token: the URL names the campaign)."""


class GuestOrderForm(FlaskForm):
    """A guest's order: the e-mail address the order belongs to, the delivery address, the terms."""

    email = EmailField(_l("Email"), validators=[Length(max=254)],
                       render_kw={"maxlength": 254, "autocomplete": "email", "required": True})
    name = StringField(_l("Name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    street = StringField(_l("Street and number"), render_kw={"maxlength": 200, "autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), render_kw={"maxlength": 20, "autocomplete": "postal-code"})
    city = StringField(_l("City"), render_kw={"maxlength": 120, "autocomplete": "address-level2"})
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    terms = BooleanField(_l("I accept the terms of sale and have reviewed my order"))
    # This review's own token: the same form posted twice places one order.
    submission = HiddenField()


class GuestCartCheckoutForm(GuestOrderForm):
    """A guest's cart checkout: the guest's order form and the reviewed cart (`token`)."""

    token = HiddenField()
