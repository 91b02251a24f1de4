"""Payment: the place where a payment provider plugs into the checkout.

The shop takes no money online today. How an order is paid is the customer's
choice in the catalog's billing dimension (on invoice, pay on delivery, card at
pickup, prepayment...), kept in the order's snapshot; `CatalogBilling`, the
built-in `PaymentProvider`, reads it and tells the customer what happens next.

A provider that takes money online (a card processor's hosted page, say)
implements the same two methods: `payment` (pure, for pages and e-mails) and
`start` (called by the checkout after the order is committed, never inside the
transaction: it may talk to the provider's API) returning the URL of its page.
Its own state (a payment intent id, paid or not) belongs in its own table.
`provider()` returns the shop's provider; docs/payments.md says how to add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from configurator.quoting.phrases import N_
from configurator.store.models import Order

# How the customer pays, from the billing option's id.
KINDS = ("invoice", "on_delivery", "at_pickup", "prepayment", "on_confirmation")
INSTRUCTIONS = {  # phrases: the confirmation e-mail writes them in the customer's language
    "invoice": N_("We send the invoice with the delivery; please pay it by its due date."),
    "on_delivery": N_("You pay the driver on delivery (cash or card)."),
    "at_pickup": N_("You pay by card when you pick up your order."),
    "prepayment": N_("Please transfer the amount with the order number as reference; "
                     "we start once it has arrived."),
    "on_confirmation": N_("Nothing has been charged yet: we take the payment as chosen "
                          "once your order is confirmed."),
}
PAYMENT_FEATURES = ("payment", "billing")  # the billing feature that says how to pay


@dataclass(frozen=True)
class Payment:
    """How one order is paid: what the customer chose and what happens next."""

    kind: str  # one of KINDS
    method: str  # the billing option's name ("Invoice, 30 days net")
    amount: Decimal
    currency: str
    reference: str  # the order number, for a transfer or a provider
    instructions: str

    def to_json(self) -> dict[str, Any]:
        """For the API and e-mails."""
        return {
            "kind": self.kind,
            "method": self.method,
            "amount": str(self.amount),
            "currency": self.currency,
            "reference": self.reference,
            "instructions": self.instructions,
        }


class PaymentProvider(Protocol):
    """What the checkout asks of a payment provider."""

    def payment(self, order: Order) -> Payment:
        """How the order is paid; no side effects (order page, confirmation e-mail)."""
        ...

    def start(self, order: Order) -> str | None:
        """Begin paying a committed order: the URL of the provider's page to send the
        customer to, or None when nothing is paid online now."""
        ...


class CatalogBilling:
    """The built-in provider: payment as chosen in the catalog's billing options;
    nothing is charged online."""

    def payment(self, order: Order) -> Payment:
        """The order's billing choice and its instructions."""
        items = order.snapshot.get("items") or [order.snapshot]  # a cart order has several
        every_line = [line for item in items for line in item.get("lines", [])]
        line = _payment_line(every_line)
        kind = kind_of(line) if line else "invoice"
        return Payment(
            kind=kind,
            method=line["option_name"] if line else "Invoice",
            amount=Decimal(order.total),
            currency=order.currency,
            reference=order.number,
            instructions=INSTRUCTIONS[kind],
        )

    def start(self, order: Order) -> str | None:
        """Nothing to start: the customer pays as the instructions say."""
        return None


def provider() -> PaymentProvider:
    """The shop's payment provider."""
    return CatalogBilling()


def kind_of(line: dict[str, Any]) -> str:
    """The kind of payment of an order's billing line, from its option id."""
    option = line["option"]
    if "invoice" in option:
        return "invoice"
    if "delivery" in option or option in ("cash", "cod"):
        return "on_delivery"
    if "pickup" in option:
        return "at_pickup"
    if "prepay" in option or "bank" in option or "transfer" in option:
        return "prepayment"
    return "on_confirmation"


def _payment_line(lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    billing = [line for line in lines if line.get("dimension") == "billing"]
    for feature in PAYMENT_FEATURES:
        for line in billing:
            if line["feature"] == feature:
                return line
    return billing[0] if billing else None
