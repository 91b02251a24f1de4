"""Numbers, money and dates per locale: Persian digits and the Jalali calendar
in fa, Vietnamese separators, and the currencies' own precision."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from configurator.quoting.local_formats import (
    currency_digits,
    format_moment,
    format_money,
    format_signed_money,
)
from configurator.quoting.money import round_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        ("12345.5", "EUR", "en", "12,345.50"),
        ("12345.5", "EUR", "fa", "۱۲٬۳۴۵٫۵۰"),
        ("12345.5", "EUR", "vi", "12.345,50"),
        ("1500000", "VND", "vi", "1.500.000"),
        ("1499999.5", "VND", "vi", "1.500.000"),
        ("2500000", "IRR", "fa", "۲٬۵۰۰٬۰۰۰"),
        ("7", None, "en", "7.00"),
    ],
)
def test_money_per_locale(amount, currency, locale, text):
    assert format_money(Decimal(amount), currency, locale) == text


def test_signed_money_keeps_the_sign():
    assert format_signed_money(Decimal("40"), "EUR", "fa") == "+۴۰٫۰۰"
    assert format_signed_money(Decimal("-12"), "VND", "vi") == "−12"


def test_vnd_and_irr_have_no_minor_unit():
    assert currency_digits("VND") == 0 and currency_digits("IRR") == 0
    assert currency_digits("EUR") == 2
    assert round_money(Decimal("1234.5"), "VND") == Decimal("1235")
    assert round_money(Decimal("99.49"), "IRR") == Decimal("99")


def test_persian_dates_are_jalali_with_the_gregorian_kept():
    moment = datetime(2024, 5, 1, 14, 3, tzinfo=timezone.utc)
    local = format_moment(moment, "fa")
    assert local.text == "۱۴۰۳/۰۲/۱۲ ۱۴:۰۳ UTC"  # 12 Ordibehesht 1403
    assert local.gregorian == "2024-05-01 14:03 UTC" and local.iso == "2024-05-01T14:03:00+00:00"


def test_nowruz_is_the_first_of_farvardin():
    assert format_moment(datetime(2024, 3, 20, 12, 0, tzinfo=timezone.utc), "fa").text.startswith(
        "۱۴۰۳/۰۱/۰۱"
    )


def test_english_and_vietnamese_dates():
    moment = datetime(2024, 5, 1, 14, 3, tzinfo=timezone.utc)
    assert format_moment(moment, "en").text == "2024-05-01 14:03 UTC"
    assert "1/5/24" in format_moment(moment, "vi").text
