"""The account's forms: choosing two revisions to compare, renaming a configuration,
privacy (consent, export, erasure), the checkout."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from configurator.services.configuring.configurations import NAME_MAX
from configurator.services.privacy.consent import LABELS

# The purposes as the customer reads them (the service keeps English ones for the timeline).
PURPOSE_LABELS = {
    "personalization": _l("Personalized suggestions and offers from my history"),
    "service": _l("Messages about my quotes, orders and subscriptions"),
    "marketing": _l("Offers and news by e-mail"),
}

# Revision numbers are 32-bit integers in the database; a larger one names no revision.
MAX_REVISION = 2**31 - 1
REVISION_RANGE = NumberRange(min=1, max=MAX_REVISION)


class DiffForm(FlaskForm):
    """Two revision numbers (read from the query string)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    a = IntegerField(_l("From revision"), validators=[InputRequired(), REVISION_RANGE])
    b = IntegerField(_l("To revision"), validators=[InputRequired(), REVISION_RANGE])


class RenameForm(FlaskForm):
    """A new name for a saved configuration (with the CSRF token).

    The service checks the name (empty, too long, control characters), so the
    rules live in one place; `maxlength` only helps the browser.
    """

    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX, "required": True})


class PrivacyForm(FlaskForm):
    """What the customer allows, one box per purpose (the labels say what each means)."""

    personalization = BooleanField(PURPOSE_LABELS["personalization"])
    service = BooleanField(PURPOSE_LABELS["service"])
    marketing = BooleanField(PURPOSE_LABELS["marketing"])

    def wanted(self) -> dict[str, bool]:
        """The answers, by purpose, as the consent service takes them."""
        return {purpose: bool(getattr(self, purpose).data) for purpose in LABELS}


class PhoneForm(FlaskForm):
    """The customer's phone number (optional; the service reads and checks it)."""

    phone = StringField(_l("Phone number"), validators=[Length(max=40)])


class ExportForm(FlaskForm):
    """The one-click download of all my data (a form only for its CSRF token)."""


class EraseForm(FlaskForm):
    """Erasure asks for a deliberate confirmation: it cannot be undone."""

    confirm = BooleanField(_l("I understand that my account and personal data are erased for good"))


class CheckoutForm(FlaskForm):
    """The checkout: an address from the book or a new one, and the terms.

    The service checks the address and the terms, so the rules live in one
    place; this form only carries the fields (and the CSRF token).
    """

    revision = IntegerField(_l("Revision"), validators=[InputRequired(), REVISION_RANGE])
    address = RadioField(_l("Deliver to"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    street = StringField(_l("Street and number"), render_kw={"maxlength": 200, "autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), render_kw={"maxlength": 20, "autocomplete": "postal-code"})
    city = StringField(_l("City"), render_kw={"maxlength": 120, "autocomplete": "address-level2"})
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    # Checked by the service (1 to orders.MAX_QUANTITY), which says so in words.
    quantity = IntegerField(_l("Quantity"), default=1, render_kw={"min": 1, "max": 99, "inputmode": "numeric"})
    terms = BooleanField(_l("I accept the terms of sale and have reviewed my order"))


class CartLineForm(FlaskForm):
    """A cart line's new quantity (the service checks it, 1 to orders.MAX_QUANTITY)."""

    quantity = IntegerField(_l("Quantity"), render_kw={"min": 1, "max": 99, "inputmode": "numeric"})


class CartCheckoutForm(FlaskForm):
    """The cart's checkout: the reviewed cart (`token`), an address and the terms."""

    token = HiddenField()
    address = RadioField(_l("Deliver to"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    street = StringField(_l("Street and number"), render_kw={"maxlength": 200, "autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), render_kw={"maxlength": 20, "autocomplete": "postal-code"})
    city = StringField(_l("City"), render_kw={"maxlength": 120, "autocomplete": "address-level2"})
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    terms = BooleanField(_l("I accept the terms of sale and have reviewed my order"))
