"""Numbers, money and dates as each of our languages writes them (en, fa, vi).

Pure functions over Babel's CLDR data and jdatetime: the web filters and the
printed quote use the same ones. Amounts stay `Decimal`; they are rounded to
the currency's minor unit (`money.CURRENCY_DIGITS`) before they are written,
so an IRR or VND price never shows decimals. Persian uses its own digits
(۰-۹) and separators, and the Persian (Jalali) calendar, with the Gregorian
date kept for a title attribute or the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

import jdatetime
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from .money import CURRENCY_DIGITS

DEFAULT_DIGITS = 2  # an amount printed without its currency: cents, as before


def currency_digits(currency: str | None) -> int:
    """Minor-unit digits of `currency` (2 for EUR, 0 for VND and IRR, 2 when unknown)."""
    if not currency:
        return DEFAULT_DIGITS
    return CURRENCY_DIGITS.get(currency.upper(), DEFAULT_DIGITS)


def format_number(value: Decimal | int, locale: str, digits: int = 0) -> str:
    """`value` grouped and with exactly `digits` decimals, in the locale's own digits."""
    amount = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    # numbering_system="default": the locale's own separators (٬ and ٫ in fa), not Latin ones;
    # Babel keeps Latin digits, so the locale's own digits are put in afterwards.
    text = format_decimal(amount, format=pattern, locale=locale, numbering_system="default")
    return native_digits(text, locale)


def format_money(amount: Decimal | int | str, currency: str | None, locale: str) -> str:
    """`1,240.50` (en), `۱٬۲۴۰٫۵۰` (fa), `1.240,50` (vi); the currency is written next to it."""
    return format_number(Decimal(amount), locale, currency_digits(currency))


def format_percentage(percent: Decimal | int | str, locale: str) -> str:
    """`8.5%` (en), `۸٫۵٪` (fa), `8,5%` (vi): a percentage (19 is 19 %), up to four decimals."""
    text = format_percent(Decimal(percent) / 100, "#,##0.####%", locale=locale)
    if Locale.parse(locale).default_numbering_system == "arabext":
        text = text.replace("%", "٪")  # the Persian percent sign goes with Persian digits
    return native_digits(text, locale)


def format_signed_money(amount: Decimal | int | str, currency: str | None, locale: str) -> str:
    """`+40.00` / `−12.00`: a price change, with its sign even when it is positive."""
    amount = Decimal(amount)
    sign = "+" if amount >= 0 else "−"
    return sign + format_money(abs(amount), currency, locale)


@dataclass(frozen=True)
class LocalMoment:
    """A moment as the locale writes it, and as the Gregorian calendar does (for a title)."""

    text: str
    gregorian: str
    iso: str


def format_moment(moment: datetime, locale: str) -> LocalMoment:
    """A stored (UTC) time: Jalali date with Persian digits in fa, CLDR's style in vi, ISO-like in en."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    gregorian = moment.strftime("%Y-%m-%d %H:%M UTC")
    if locale == "fa":
        jalali = jdatetime.datetime.fromgregorian(datetime=moment.replace(tzinfo=None))
        text = _persian_digits(jalali.strftime("%Y/%m/%d %H:%M")) + " UTC"
    elif locale == "en":
        text = gregorian
    else:
        text = format_datetime(moment, "short", tzinfo=timezone.utc, locale=locale) + " UTC"
    return LocalMoment(text, gregorian, moment.isoformat())


def format_day(moment: datetime, locale: str) -> LocalMoment:
    """A date without the time (a quote's date, its validity): Jalali in fa, CLDR's in vi."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    gregorian = moment.strftime("%Y-%m-%d")
    if locale == "fa":
        text = _persian_digits(jdatetime.date.fromgregorian(date=moment.date()).strftime("%Y/%m/%d"))
    elif locale == "en":
        text = gregorian
    else:
        text = format_date(moment.date(), "short", locale=locale)
    return LocalMoment(text, gregorian, moment.date().isoformat())


PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def native_digits(text: str, locale: str) -> str:
    """`text` with the locale's own digits: Persian (۰-۹) where CLDR's default is `arabext`."""
    if Locale.parse(locale).default_numbering_system == "arabext":
        return _persian_digits(text)
    return text


def _persian_digits(text: str) -> str:
    """Latin digits replaced by Persian ones (jdatetime writes Latin)."""
    return text.translate(PERSIAN_DIGITS)
