"""Reading the staff forms: quantities, discounts and dates, with messages a
person can act on (a bad value is never a traceback)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from configurator.quoting import Discount, PricingError
from configurator.quoting.pricing import MAX_QUANTITY
from configurator.services.quotes.service_lines import ServiceInput
from configurator.web.i18n import error_text


class FormProblem(ValueError):
    """A field that cannot be read; the message says which and why."""


def quantity(text: str | None) -> int:
    """A whole quantity of at least 1."""
    try:
        value = int((text or "").strip())
    except ValueError:
        raise FormProblem(f"The quantity must be a whole number, not {text!r}.") from None
    if value < 1:
        raise FormProblem("The quantity must be at least 1.")
    if value > MAX_QUANTITY:
        raise FormProblem(f"The quantity must be at most {MAX_QUANTITY:,}.")
    return value


def discount(percent: str | None, amount: str | None = None, reason: str = "") -> Discount | None:
    """A percentage or amount discount; both empty (or zero) means no discount.

    A zero in one field is no discount of that kind, so a percentage typed next
    to the "0.00" left in the amount field is simply the percentage.
    """
    percent_value = _number(percent, "%")
    amount_value = _number(amount)
    if percent_value and amount_value:
        raise FormProblem("Give the discount as a percentage or as an amount, not both.")
    try:
        if percent_value:
            return Discount.percent_off(percent_value, reason)
        if amount_value:
            return Discount.amount_off(amount_value, reason)
    except PricingError as error:
        raise FormProblem(error_text(error)) from None
    return None


def _number(text: str | None, suffix: str = "") -> Decimal | None:
    """The decimal typed in a field (comma or point), None when empty; FormProblem otherwise."""
    text = (text or "").strip().removesuffix(suffix).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FormProblem(f"{text!r} is not a number.") from None
    if not value.is_finite():
        raise FormProblem(f"{text!r} is not a number.")
    return value


def valid_until(text: str | None) -> datetime:
    """A date (YYYY-MM-DD): the quote is valid until the end of that day, UTC."""
    try:
        day = datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise FormProblem("Give the valid-until date as YYYY-MM-DD.") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def version(text: str | None) -> int | None:
    """The version of the quote the editor saw (None when the form had none)."""
    try:
        return int(text) if text else None
    except ValueError:
        raise FormProblem("The form was damaged; reload the quote and try again.") from None


def contacts(texts: list[str]) -> list[int]:
    """The contacts (user ids) the quote is e-mailed to; empty for the default."""
    return [chosen for chosen in (contact(text) for text in texts) if chosen is not None]


def chosen_contacts(form: Mapping[str, str]) -> list[int]:
    """The contacts ticked on the quote page (`to_contact`). The page marks that it showed
    the boxes (`contacts_shown`), so unticking every box is refused in words rather than
    read as "the default contact"; a form without the boxes (an account without
    contacts) still means the default."""
    chosen = contacts(form.getlist("to_contact"))  # type: ignore[attr-defined]
    if form.get("contacts_shown") and not chosen:
        raise FormProblem(_("Tick at least one contact to e-mail the quote to."))
    return chosen


def contact(text: str | None) -> int | None:
    """The contact (a user id) the quote is e-mailed to; None for the default."""
    try:
        return int(text) if text else None
    except ValueError:
        raise FormProblem("The form was damaged; reload the quote and try again.") from None


def service(form: Mapping[str, str]) -> ServiceInput:
    """A service line as typed: description, quantity, unit price, unit cost (empty: 0)
    and VAT rate (empty: the quote's own rate)."""
    price = _number(form.get("unit_price"))
    if price is None:
        raise FormProblem("Give the service line's unit price.")
    return ServiceInput(
        description=(form.get("description") or "").strip(),
        quantity=quantity(form.get("quantity") or "1"),
        unit_price=price,
        unit_cost=_number(form.get("unit_cost")) or Decimal(0),
        tax_rate=_number(form.get("tax_rate"), "%"),
    )
