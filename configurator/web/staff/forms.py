"""Reading the staff forms: quantities, discounts and dates, with messages a
person can act on (a bad value is never a traceback)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation

from configurator.quoting import Discount, PricingError


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
    return value


def discount(percent: str | None, amount: str | None = None, reason: str = "") -> Discount | None:
    """A percentage or amount discount; both empty means no discount."""
    percent, amount = (percent or "").strip(), (amount or "").strip()
    if percent and amount:
        raise FormProblem("Give the discount as a percentage or as an amount, not both.")
    if not (percent or amount):
        return None
    try:
        if percent:
            return Discount.percent_off(Decimal(percent.rstrip("%").replace(",", ".")), reason)
        return Discount.amount_off(Decimal(amount.replace(",", ".")), reason)
    except InvalidOperation:
        raise FormProblem(f"{percent or amount!r} is not a number.") from None
    except PricingError as error:
        raise FormProblem(str(error)) from None


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
