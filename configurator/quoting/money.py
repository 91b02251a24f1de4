"""Money helpers: the one rounding function, and how amounts are written.

Every amount is a `Decimal`; a float never enters (`as_decimal` refuses it).
Rounding is ROUND_HALF_UP to the currency's minor unit (cents for EUR and
CHF, whole krónur for ISK, whole đồng for VND and whole rials for IRR), and it
happens only where `pricing` says so.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import PricingError, UnknownCurrency

# ISO 4217 minor-unit digits of the currencies our accounts pay in.
CURRENCY_DIGITS: dict[str, int] = {
    "EUR": 2,
    "CHF": 2,
    "GBP": 2,
    "USD": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "PLN": 2,
    "ISK": 0,
    "JPY": 0,
    # ISO 4217 gives the rial 2 digits, but no coin below one rial circulates:
    # prices, rounding and totals in IRR are whole rials (as Babel/CLDR says too).
    "IRR": 0,
    "VND": 0,
}

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: Decimal("0.01") for EUR, Decimal("1") for ISK."""
    try:
        digits = CURRENCY_DIGITS[currency.upper()]
    except KeyError:
        raise UnknownCurrency(f"Unknown currency {currency!r}: add its minor-unit digits") from None
    return Decimal(1).scaleb(-digits)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-up to the minor unit of `currency` (2.345 EUR -> 2.35)."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def as_decimal(value: Decimal | int | str, what: str = "amount") -> Decimal:
    """`value` as a finite Decimal; floats are refused because 0.1 is not 0.1 in binary."""
    if isinstance(value, (float, bool)):
        raise PricingError(f"{what} must be a Decimal, an int or text, not {type(value).__name__}")
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite():
        raise PricingError(f"{what} must be a finite number, not {value!r}")
    return amount


def format_amount(amount: Decimal, currency: str) -> str:
    """`1,240.50 EUR`: grouped thousands, the currency's digits (display only)."""
    digits = CURRENCY_DIGITS.get(currency.upper(), 2)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{digits}f} {currency.upper()}"


def format_percent(percent: Decimal) -> str:
    """`8%`, `8.5%`, `17.19%`: at most four decimals (an amount discount's share can have
    many), no trailing zeros."""
    try:
        shown = percent.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits to round (1e30 typed as a percentage)
        shown = percent
    text = format(shown.normalize(), "f")
    return f"{text}%"
