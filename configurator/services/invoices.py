"""The invoice of a shop order: the seller's letterhead, the address and the
lines as ordered, net, VAT and gross as the checkout computed them, what is
paid again for a subscription, and how to pay. The web layer renders it as a
print page and, from the same HTML, the PDF (web/pdf.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from configurator.quoting.documents import Company
from configurator.services import checkout, deliveries, orders, payments
from configurator.services.errors import NotFound
from configurator.services.quotes.printing import SELLER
from configurator.store.models import Order, User


@dataclass(frozen=True)
class Invoice:
    """What the invoice (page and PDF, one template) shows."""

    number: str
    order: Order
    seller: Company
    address: list[str]
    lines: list[dict[str, Any]]
    net: Decimal
    vat: Decimal
    vat_percent: str
    tax_label: str  # the tax's name and rate: a phrase, "VAT 10%" or "thuế GTGT 10%" per reader
    gross: Decimal
    recurring: deliveries.Recurrence | None
    payment: payments.Payment

    @property
    def currency(self) -> str:
        """The order's currency."""
        return self.order.currency


def number_of(order: Order) -> str:
    """The invoice number of an order: ORD-2026-000123 is invoiced as INV-2026-000123."""
    return "INV-" + order.number.removeprefix("ORD-")


def invoice(session: Session, viewer: User, number: str) -> Invoice:
    """The invoice of an order placed through the checkout, for its owner or staff.

    NotFound for someone else's order and for an order from a quote (sales
    invoice those) or from before the checkout (no address, no VAT kept).
    """
    order = orders.get(session, viewer, number)
    kept = order.snapshot.get("checkout")
    if kept is None or order.from_quote:
        raise NotFound(f"Order {order.number} has no invoice here; please ask us for it.")
    vat = kept["vat"]
    lines = _lines(order.snapshot)
    if "offer" in order.snapshot:
        offer = order.snapshot["offer"]
        lines.append({"feature_name": offer.get("reason", ""), "option_name": "", "amount": offer["amount"]})
    return Invoice(
        number=number_of(order),
        order=order,
        seller=SELLER,
        address=list(kept["address"]),
        lines=lines,
        net=Decimal(vat["net"]),
        vat=Decimal(vat["vat"]),
        vat_percent=f"{(Decimal(vat['rate']) * 100).normalize():f}",
        tax_label=checkout.VatBreakdown.from_json(vat).label,
        gross=Decimal(vat["gross"]),
        recurring=deliveries.of_order(order),
        payment=payments.provider().payment(order),
    )


def _lines(kept: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines as ordered; an order from the cart names each line's item (`item`) and
    adds a line per item with its quantity when more than one was ordered."""
    if "items" not in kept:
        return list(kept["lines"])
    lines = []
    for item in orders.items_of(kept):
        name = item["configuration"]["name"]
        lines += [{**line, "item": name} for line in item["lines"]]
        if int(item.get("quantity", 1)) > 1:
            lines.append({
                "item": name, "feature_name": "", "option_name": "", "quantity": item["quantity"],
                "unit_total": item["unit_total"], "amount": item["total"],
            })
    return lines
