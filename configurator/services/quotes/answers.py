"""The client's side of a quote: a contact accepts or declines the sent quote,
and staff turn an accepted quote into an order with the quote's frozen prices.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from configurator.quoting import IllegalTransition, Quote, lifecycle
from configurator.services.customer_value import valuation
from configurator.services.errors import NotFound
from configurator.services.orders import new_number
from configurator.services.quotes.lines import require_fit
from configurator.services.quotes.records import LoadedQuote, actor, editing, load, run_step
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.quotes import QuoteRecord
from configurator.store.types import utcnow


def _answering(session: Session, contact: User, quote_id: int) -> LoadedQuote:
    """The quote for a client's answer: only a contact of its account, never staff."""
    if contact.is_staff:
        raise NotFound("There is no such quote.")
    return load(session, contact, quote_id)


@use_case
def accept(
    session: Session,
    contact: User,
    quote_id: int,
    *,
    signature: str = "",
    now: datetime | None = None,
) -> QuoteRecord:
    """The client accepts the sent quote before its valid-until date (QuoteExpired after)."""
    loaded = _answering(session, contact, quote_id)
    require_fit(session, loaded.record, for_client=True)
    signed = " ".join(signature.split()) or contact.name

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.accept(quote, by=actor(contact), at=at, signature=f"signed by {signed}")
        loaded.record.answered_by_id = contact.id

    return run_step(session, contact, loaded, step, now=now)


@use_case
def decline(
    session: Session, contact: User, quote_id: int, reason: str, *, now: datetime | None = None
) -> QuoteRecord:
    """The client declines the sent quote with a reason."""
    loaded = _answering(session, contact, quote_id)

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.decline(quote, reason, by=actor(contact), at=at)
        loaded.record.answered_by_id = contact.id

    return run_step(session, contact, loaded, step, now=now)


@use_case
def convert_to_order(
    session: Session, staff: User, quote_id: int, *, now: datetime | None = None
) -> Order:
    """Turn an accepted quote into an order with the quote's frozen prices.

    The order belongs to the contact who accepted (their "My orders" lists it),
    and the quote links to it.
    """
    loaded = editing(session, staff, quote_id, None)
    record = loaded.record
    if record.status != "accepted" or record.frozen is None or record.answered_by_id is None:
        raise IllegalTransition(
            f"Quote {record.number} is {record.status.replace('_', ' ')}; only an accepted "
            "quote can become an order"
        )
    require_fit(session, record)
    now = now or utcnow()
    order = Order(
        number=new_number(),
        owner_id=record.answered_by_id,
        catalog_version_id=record.lines[0].catalog_version_id,
        snapshot=_order_snapshot(record),
        total=Decimal(record.frozen["totals"]["gross_total"]),
        currency=record.frozen["currency"],
        created_at=now,
    )
    session.add(order)
    session.flush()
    record.order_id = order.id
    run_step(
        session,
        staff,
        loaded,
        lambda q, at: lifecycle.mark_ordered(
            q, by=actor(staff), at=at, order_reference=order.number
        ),
        now=now,
    )
    # The quote's revenue counts toward the contact's value and tier, in this same use case.
    valuation.after_order(session, session.get(User, order.owner_id), order)
    return order


def _order_snapshot(record: QuoteRecord) -> dict[str, Any]:
    """An order snapshot in the shop's shape: one line per quote line, at its frozen net,
    and under `configured_lines` each included line's configuration as the engine reads
    it (product line, catalog version, picks, quantity), so the order says what to make."""
    frozen = record.frozen or {}
    totals = frozen["totals"]
    rows = {row.line_id: row for row in record.lines}
    lines = [
        _order_line(
            line["line_id"],
            f"{line['title']} x {line['quantity']}",
            line["product_line"],
            ", ".join(line["choices"]),
            line["net"],
        )
        for line in frozen["lines"]
        # Optional and alternative lines were offered, not part of the accepted total.
        if line.get("kind", "included") == "included"
    ]
    # The quote discount and the tax as lines too, so the lines add up to the total.
    if Decimal(totals["discount"]):
        lines.append(
            _order_line(
                "quote_discount",
                "Quote discount",
                "discount",
                "",
                str(-Decimal(totals["discount"])),
            )
        )
    lines.append(_order_line("tax", totals["tax_label"], "tax", "", totals["tax"]))
    return {
        "catalog": {
            "id": record.lines[0].catalog_id,
            "name": f"Quote {record.number}",
            "currency": frozen["currency"],
        },
        "selection": {},
        "configured_lines": [
            {
                "line_id": line["line_id"],
                "catalog_id": rows[line["line_id"]].catalog_id,
                "catalog_version_id": rows[line["line_id"]].catalog_version_id,
                "selection": dict(rows[line["line_id"]].selection),
                "quantity": line["quantity"],
                "choices": line["choices"],
            }
            for line in frozen["lines"]
            if line.get("kind", "included") == "included"
        ],
        "lines": lines,
        "total": totals["gross_total"],
        "quote": frozen,
    }


def _order_line(key: str, name: str, option: str, option_name: str, amount: str) -> dict[str, str]:
    return {
        "feature": key,
        "feature_name": name,
        "dimension": "product",
        "option": option,
        "option_name": option_name,
        "amount": amount,
    }
