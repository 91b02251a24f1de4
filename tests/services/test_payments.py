"""The payment interface: the built-in provider reads the catalog's billing choice
of an order and says what happens next; nothing is started online."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.services import payments
from configurator.store.models import Order


def order_with(option: str, name: str = "Some option", feature: str = "payment") -> Order:
    lines = [
        {"feature": "frame", "dimension": "product", "option": "alu", "option_name": "Alu"},
        {"feature": "warranty", "dimension": "billing", "option": "plus_5y", "option_name": "5 years"},
        {"feature": feature, "dimension": "billing", "option": option, "option_name": name},
    ]
    return Order(number="ORD-2026-000001", total=Decimal("825.00"), currency="EUR",
                 snapshot={"lines": lines})


@pytest.mark.parametrize(("option", "kind"), [
    ("invoice_30", "invoice"),
    ("pay_on_delivery", "on_delivery"),
    ("card_at_pickup", "at_pickup"),
    ("bank_transfer", "prepayment"),
    ("prepay", "prepayment"),
    ("card", "on_confirmation"),
])
def test_the_built_in_provider_reads_the_billing_choice(option, kind):
    provider: payments.PaymentProvider = payments.provider()
    payment = provider.payment(order_with(option, "Chosen"))
    assert (payment.kind, payment.method) == (kind, "Chosen")
    assert payment.amount == Decimal("825.00") and payment.reference == "ORD-2026-000001"
    assert payment.instructions == payments.INSTRUCTIONS[kind]
    assert provider.start(order_with(option)) is None  # nothing is charged online


def test_the_payment_feature_is_preferred_over_other_billing_choices():
    payment = payments.CatalogBilling().payment(order_with("invoice_60", "60-day invoice", "billing"))
    assert payment.method == "60-day invoice"
    assert payment.to_json()["kind"] == "invoice"


def test_an_order_without_billing_choices_is_paid_on_invoice():
    order = Order(number="X", total=Decimal(1), currency="EUR", snapshot={"lines": []})
    assert payments.CatalogBilling().payment(order).kind == "invoice"
