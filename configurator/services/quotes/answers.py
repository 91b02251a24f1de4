"""The client's side of a quote: a contact accepts or declines the sent quote,
and staff turn an accepted quote into an order with the quote's frozen prices.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace as dc_replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from configurator.quoting import IllegalTransition, Quote, QuoteError, lifecycle
from configurator.quoting.model import STATUS_WORDS, Status
from configurator.quoting.phrases import N_
from configurator.services.business import accounts
from configurator.services.customer_value import valuation
from configurator.services.errors import NotFound
from configurator.services.orders import new_number
from configurator.services.quotes.lines import require_fit
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    frozen_copy,
    load,
    run_step,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.quotes import QuoteRecord
from configurator.store.types import utcnow


def _answering(session: Session, contact: User, quote_id: int) -> LoadedQuote:
    """The quote for a client's answer: only a contact of its account, never staff."""
    if contact.is_staff:
        raise NotFound(N_("There is no such quote."))
    return load(session, contact, quote_id)


# The contacts who may sign for their company; finance and technical contacts may read
# the quote and decline it, not commit the account.
SIGNING_ROLES = ("decision_maker", "buyer")


@use_case
def accept(
    session: Session,
    contact: User,
    quote_id: int,
    *,
    signature: str = "",
    chosen: Collection[str] = (),
    address: str = "",
    user_agent: str = "",
    signature_required: bool = False,
    now: datetime | None = None,
) -> QuoteRecord:
    """The client accepts the sent quote before its valid-until date (QuoteExpired after),
    with the optional lines and alternatives they `chosen` (line ids). Unless
    `signature_required` (the web form: a typed name), the contact's name signs.

    Only a decision maker or buyer of the account may accept. What they bought is kept
    as `frozen["accepted"]` (lines and totals, as priced when sent); who signed, what
    they chose, and from which address and browser goes on the timeline.
    """
    loaded = _answering(session, contact, quote_id)
    if accounts.contact_role(session, contact) not in SIGNING_ROLES:
        raise QuoteError(N_(
            "Only your company's decision maker or buyer may accept a quote; "
            "please ask them to accept it (you may decline it with a reason)."
        ))
    require_fit(session, loaded.record, for_client=True)
    signed = " ".join(signature.split()) or contact.name
    bought = loaded.quote.chosen_lines(chosen)
    detail = _signature_detail(signed, sorted(chosen), address, user_agent)

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.accept(quote, by=actor(contact), at=at, signature=detail)
        if signature_required and not signature.strip():  # after: an expired quote says so
            raise QuoteError(N_("Type your name to sign the acceptance."))
        loaded.record.answered_by_id = contact.id
        accepted = frozen_copy(dc_replace(quote, lines=bought))
        loaded.record.frozen = {**(loaded.record.frozen or {}), "accepted": accepted}

    return run_step(session, contact, loaded, step, now=now)


def _signature_detail(signed: str, chosen: list[str], address: str, agent: str) -> str:
    """`signed by Eva Fischer; chose L3, L4; from 203.0.113.9 (Mozilla/5.0 ...)`, kept short."""
    parts = [f"signed by {signed[:120]}"]
    if chosen:
        parts.append(f"chose {', '.join(chosen)}")
    if address:
        parts.append(f"from {address[:64]}" + (f" ({agent[:200]})" if agent else ""))
    return "; ".join(parts)[:500]


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
        raise IllegalTransition(N_(
            "Quote %(number)s is %(status)s; only an accepted quote can become an order",
            number=record.number, status=STATUS_WORDS[Status(record.status)]))
    require_fit(session, record)
    now = now or utcnow()
    order = Order(
        number=new_number(session, now),
        owner_id=record.answered_by_id,
        catalog_version_id=record.lines[0].catalog_version_id,
        snapshot=_order_snapshot(record),
        total=Decimal(_bought(record)["totals"]["gross_total"]),
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


def _bought(record: QuoteRecord) -> dict[str, Any]:
    """What the client accepted: the lines and totals they chose, or (accepted before
    choices were kept) the quote as sent."""
    frozen = record.frozen or {}
    return frozen.get("accepted") or frozen


def _order_snapshot(record: QuoteRecord) -> dict[str, Any]:
    """An order snapshot in the shop's shape: one line per quote line, at its frozen net,
    and under `configured_lines` each included line's configuration as the engine reads
    it (product line, catalog version, picks, quantity), so the order says what to make."""
    frozen = _bought(record)
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
    # Service lines (freight, installation) at the net the client accepted.
    lines.extend(
        _order_line(service["line_id"], f"{service['description']} x {service['quantity']}",
                    "service", "", service["net"])
        for service in frozen.get("services", ())
    )
    lines.extend(_tax_lines(totals))
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


def _tax_lines(totals: dict[str, Any]) -> list[dict[str, str]]:
    """One order line per VAT rate (a quote with service lines may have several)."""
    rates = totals.get("tax_lines") or []
    if len(rates) <= 1:
        return [_order_line("tax", totals["tax_label"], "tax", "", totals["tax"])]
    return [
        _order_line(f"tax_{index}", rate["label"], "tax", "", rate["tax"])
        for index, rate in enumerate(rates, 1)
    ]


def _order_line(key: str, name: str, option: str, option_name: str, amount: str) -> dict[str, str]:
    return {
        "feature": key,
        "feature_name": name,
        "dimension": "product",
        "option": option,
        "option_name": option_name,
        "amount": amount,
    }
