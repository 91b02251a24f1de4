"""Loading a stored quote revision into the pure `configurator.quoting` domain
and writing the domain's outcome back: the helpers every quote use case shares.

Two staff editing one draft: every edit takes the `version` the editor saw;
when the stored quote moved on meanwhile, QuoteChanged is raised and nothing
is written (and SQLAlchemy's `version_id_col` catches the same race between
the check and the write).

These helpers run inside the quote use cases and never commit: the use case's
unit of work does, once (`unit_of_work.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from configurator.quoting import (
    Actor,
    Discount,
    NotAllowedToApprove,
    OptionPrice,
    Quote,
    QuoteError,
    QuoteEvent,
    QuoteLine,
    QuoteNumber,
    ServiceLine,
    Status,
    TaxRule,
    lifecycle,
    parse_quote_number,
)
from configurator.quoting.model import Approval
from configurator.quoting.phrases import N_
from configurator.quoting.pricing import LineKind
from configurator.services import sequences
from configurator.services.business import accounts, terms
from configurator.services.errors import NotFound, QuoteChanged
from configurator.store.models import User
from configurator.store.quotes import (
    AccountEvent,
    QuoteLineRecord,
    QuoteRecord,
    QuoteSequence,
    QuoteServiceLine,
)
from configurator.store.types import utcnow

DOMAIN_ROLES = {"staff": "sales", "manager": "manager", "director": "director", "admin": "admin",
                "customer": "client"}
# Clients see revisions that were sent to them (`frozen` is set), whatever came after.
SEEN_BY_CLIENT = ("sent", "accepted", "declined", "expired", "ordered", "superseded", "cancelled")


@dataclass(frozen=True)
class LoadedQuote:
    """A stored revision and its domain object (prices, lifecycle)."""

    record: QuoteRecord
    quote: Quote


# ------------------------------------------------------------------ numbers


class DatabaseSequence:
    """The per-year quote counter as one row per year, incremented in the caller's
    transaction: the row lock serialises concurrent creators until they commit,
    and a rolled-back quote gives its number back (no gaps)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, year: int) -> int:
        """The next number of `year`, starting at 1."""
        return sequences.next_number(self.session, QuoteSequence, year)


# ------------------------------------------------------------------ loading


def actor(user: User) -> Actor:
    """The domain's view of a user: id, role for approval limits, name."""
    return Actor(str(user.id), DOMAIN_ROLES.get(user.role, "client"), user.name)


def load(session: Session, viewer: User, quote_id: int) -> LoadedQuote:
    """A quote revision staff (any revision) or the account's contacts (sent ones) may see."""
    record = session.get(QuoteRecord, quote_id)
    if record is None or not may_see(session, viewer, record):
        raise NotFound(N_("There is no such quote."))
    return LoadedQuote(record, to_domain(session, record))


def by_number(session: Session, viewer: User, number: str) -> LoadedQuote:
    """A quote revision by its number (Q-2026-00042-R2)."""
    try:
        text = str(parse_quote_number(number))
    except QuoteError:
        raise NotFound(N_("There is no such quote.")) from None
    record = session.scalar(sa.select(QuoteRecord).where(QuoteRecord.number == text))
    if record is None:
        raise NotFound(N_("There is no such quote."))
    return load(session, viewer, record.id)


def newer_revision(session: Session, record: QuoteRecord) -> QuoteRecord | None:
    """The newest revision of the same quote after `record`, or None when it is the newest."""
    return session.scalar(
        sa.select(QuoteRecord)
        .where(
            QuoteRecord.year == record.year,
            QuoteRecord.sequence == record.sequence,
            QuoteRecord.revision > record.revision,
        )
        .order_by(QuoteRecord.revision.desc())
        .limit(1)
    )


def older_revisions(session: Session, record: QuoteRecord) -> list[QuoteRecord]:
    """The earlier revisions of the same quote, oldest first."""
    return list(
        session.scalars(
            sa.select(QuoteRecord)
            .where(
                QuoteRecord.year == record.year,
                QuoteRecord.sequence == record.sequence,
                QuoteRecord.revision < record.revision,
            )
            .order_by(QuoteRecord.revision)
        )
    )


def may_see(session: Session, viewer: User, record: QuoteRecord) -> bool:
    if viewer.is_staff:
        return True
    account = accounts.account_of(session, viewer)
    return (
        account is not None
        and account.id == record.account_id
        and record.status in SEEN_BY_CLIENT
        and record.frozen is not None
    )


def to_domain(session: Session, record: QuoteRecord) -> Quote:
    """The domain `Quote` of a stored revision, with its history."""
    events = session.scalars(
        sa.select(AccountEvent)
        .where(AccountEvent.quote_id == record.id)
        .order_by(AccountEvent.created_at, AccountEvent.id)
    )
    creator = record.created_by
    quote = Quote(
        number=QuoteNumber(record.year, record.sequence, record.revision),
        account=str(record.account_id),
        created_by=actor(creator) if creator else Actor("0", "sales"),
        created_at=record.created_at,
        valid_until=record.valid_until,
        terms=terms.terms_from_json(record.terms),
        lines=[_line_to_domain(line) for line in record.lines],
        discount=discount_from_json(record.discount),
        status=Status(record.status),
        approval=_approval_from_json(record.approval),
        approval_steps=[_approval_from_json(step) for step in
                        (record.approval or {}).get("steps", [])],
        decline_reason=record.decline_reason,
        cancel_reason=record.cancel_reason,
        superseded_by=parse_quote_number(record.superseded_by) if record.superseded_by else None,
        events=[
            QuoteEvent(e.created_at, str(e.actor_id or "system"), e.action, e.detail)
            for e in events
        ],
        last_line_number=record.last_line_number,
        services=services_of(record),
    )
    return quote


def services_of(record: QuoteRecord) -> list[ServiceLine]:
    """The record's service lines as the domain prices them."""
    return [
        ServiceLine(row.line_id, row.description, row.quantity, row.unit_price, row.unit_cost,
                    row.tax_rate)
        for row in record.service_lines
    ]


def _line_to_domain(line: QuoteLineRecord) -> QuoteLine:
    options = tuple(OptionPrice(f, o, Decimal(p), name) for f, o, p, name in line.options)
    return QuoteLine(
        line.line_id,
        line.catalog_id,
        options,
        line.quantity,
        line.title,
        str(line.catalog_version_id),
        discount_from_json(line.discount),
        LineKind(line.kind),
        line.alternative_to,
        terms.terms_from_json(line.locked_terms) if line.locked_terms else None,
    )


def gross_total(record: QuoteRecord) -> Decimal:
    """The quote's gross total as the lists show it: what the client accepted, else as
    sent, else as the draft stands (priced from the record alone, no history read)."""
    frozen = record.frozen or {}
    kept = frozen.get("accepted") or frozen
    if kept:
        return Decimal(kept["totals"]["gross_total"])
    quote = Quote(
        number=QuoteNumber(record.year, record.sequence, record.revision),
        account=str(record.account_id),
        created_by=Actor("0", "sales"),
        created_at=record.created_at,
        valid_until=record.valid_until,
        terms=terms.terms_from_json(record.terms),
        lines=[_line_to_domain(line) for line in record.lines],
        discount=discount_from_json(record.discount),
        services=services_of(record),
    )
    return quote.price().totals.gross_total


def discount_to_json(discount: Discount | None) -> dict[str, str] | None:
    if discount is None:
        return None
    kind, value = (
        ("percent", discount.percent)
        if discount.percent is not None
        else ("amount", discount.amount)
    )
    return {kind: str(value), "reason": discount.reason}


def discount_from_json(data: dict[str, str] | None) -> Discount | None:
    if not data:
        return None
    if "percent" in data:
        return Discount.percent_off(Decimal(data["percent"]), data.get("reason", ""))
    return Discount.amount_off(Decimal(data["amount"]), data.get("reason", ""))


def _approval_from_json(data: dict[str, Any] | None) -> Approval | None:
    if not data or "by" not in data:  # only the steps of an approval under way
        return None
    margin = data.get("margin")
    return Approval(
        data["by"], data["role"], datetime.fromisoformat(data["at"]), Decimal(data["percent"]),
        None if margin is None else Decimal(margin),
    )


def _approval_to_json(approval: Approval) -> dict[str, str | None]:
    return {
        "by": approval.by,
        "role": approval.role,
        "at": approval.at.isoformat(),
        "percent": str(approval.max_discount_percent),
        "margin": None if approval.margin_percent is None else str(approval.margin_percent),
    }


def approval_json(quote: Quote) -> dict[str, Any] | None:
    """The quote's approval and the steps given so far, as the record keeps them."""
    if quote.approval is None and not quote.approval_steps:
        return None
    data: dict[str, Any] = {} if quote.approval is None else _approval_to_json(quote.approval)
    if quote.approval_steps:
        data["steps"] = [_approval_to_json(step) for step in quote.approval_steps]
    return data


# ------------------------------------------------------------------ saving


def write_back(
    session: Session,
    loaded: LoadedQuote,
    by: User | None,
    *,
    events_before: int,
    now: datetime,
    new_lines: dict[str, dict[str, Any]] | None = None,
) -> QuoteRecord:
    """Copy the domain quote's state onto its record and lines, log its new events, save."""
    record, quote = loaded.record, loaded.quote
    record.status = quote.status.value
    record.valid_until = quote.valid_until
    record.discount = discount_to_json(quote.discount)
    record.approval = approval_json(quote)
    record.decline_reason = quote.decline_reason[:500]
    record.cancel_reason = quote.cancel_reason[:500]
    record.superseded_by = str(quote.superseded_by) if quote.superseded_by else None
    record.last_line_number = quote.last_line_number
    record.updated_at = now
    # Force the quote's own UPDATE even when only its lines changed: that UPDATE is
    # what moves version_id and refuses a concurrent editor's stale copy.
    flag_modified(record, "updated_at")
    _sync_lines(record, quote, new_lines or {})
    _sync_services(record, quote)
    for event in quote.events[events_before:]:
        accounts.record_event(
            session,
            record.account_id,
            event.action,
            f"Quote {quote.number}: {event.action}",
            actor=by if event.actor != "system" else None,
            quote_id=record.id,
            detail=event.detail,
            at=event.at,
        )
    save(session, record)
    return record


def _sync_lines(record: QuoteRecord, quote: Quote, new_lines: dict[str, dict[str, Any]]) -> None:
    stored = {line.line_id: line for line in record.lines}
    wanted = {line.line_id for line in quote.lines}
    for line_id, line in list(stored.items()):
        if line_id not in wanted:
            record.lines.remove(line)
    for position, line in enumerate(quote.lines):
        row = stored.get(line.line_id)
        if row is None:
            row = QuoteLineRecord(line_id=line.line_id, **new_lines[line.line_id])
            record.lines.append(row)
        row.position = position
        row.quantity = line.quantity
        row.title = line.title
        row.discount = discount_to_json(line.discount)
        row.kind = line.kind.value
        row.alternative_to = line.alternative_to
        row.locked_terms = terms.describe_terms(line.locked_terms) if line.locked_terms else None
        row.options = [[o.feature, o.option, str(o.list_price), o.name] for o in line.options]


def _sync_services(record: QuoteRecord, quote: Quote) -> None:
    stored = {row.line_id: row for row in record.service_lines}
    wanted = {service.line_id for service in quote.services}
    for line_id, row in stored.items():
        if line_id not in wanted:
            record.service_lines.remove(row)
    for position, service in enumerate(quote.services):
        row = stored.get(service.line_id)
        if row is None:
            row = QuoteServiceLine(line_id=service.line_id)
            record.service_lines.append(row)
        row.position = position
        row.description = service.description
        row.quantity = service.quantity
        row.unit_price = service.unit_price
        row.unit_cost = service.unit_cost
        row.tax_rate = service.tax_rate


def save(session: Session, record: QuoteRecord) -> None:
    """Write the quote now; QuoteChanged when another editor saved it since it was loaded."""
    try:
        session.flush()
    except StaleDataError as error:  # another editor committed between our check and write
        raise QuoteChanged(_changed_message(record.number)) from error


def _changed_message(number: str) -> str:
    return N_(
        "Quote %(number)s was changed by someone else while you were editing it, so your "
        "change was not saved. Reload the quote to see their change, then make yours again.",
        number=number)


def editing(session: Session, staff: User, quote_id: int, version: int | None) -> LoadedQuote:
    """The quote for a staff edit, refused when the editor's copy is outdated."""
    require_staff(staff)
    loaded = load(session, staff, quote_id)
    if version is not None and version != loaded.record.version_id:
        raise QuoteChanged(_changed_message(loaded.record.number))
    return loaded


def run_step(
    session: Session,
    user: User | None,
    loaded: LoadedQuote,
    step: Callable[[Quote, datetime], None],
    *,
    now: datetime | None = None,
    new_lines: dict[str, dict[str, Any]] | None = None,
) -> QuoteRecord:
    """Run one domain step on the loaded quote and store the outcome.

    A sent quote whose validity has passed is expired first (the daily job may
    not have run yet), so the step sees it as the client does: no longer open.
    """
    now = now or utcnow()
    before = len(loaded.quote.events)
    lifecycle.expire_if_due(loaded.quote, at=now)
    step(loaded.quote, now)
    return write_back(session, loaded, user, events_before=before, now=now, new_lines=new_lines)


def staff_step(
    session: Session,
    staff: User,
    quote_id: int,
    version: int | None,
    step: Callable[[Quote, datetime], None],
    *,
    now: datetime | None = None,
) -> QuoteRecord:
    """A staff member's one step on a quote: loaded for the edit (refused when their
    copy is outdated), run and stored (`editing`, then `run_step`)."""
    return run_step(session, staff, editing(session, staff, quote_id, version), step, now=now)


def require_staff(user: User) -> None:
    if not user.is_staff:
        raise NotFound(N_("There is no such quote."))


def require_approver(user: User) -> None:
    # Approving is a manager's (or director's) job even for small discounts: four eyes
    # on every request.
    if not user.is_approver:
        raise NotAllowedToApprove(
            N_("Only a manager or a director may approve or reject a quote's discounts."))


def frozen_copy(quote: Quote) -> dict[str, Any]:
    """The priced quote as sent, kept for good: lines with their build-up and the totals."""
    priced = quote.price()
    totals = priced.totals
    return {
        "number": str(quote.number),
        "currency": quote.terms.currency,
        "valid_until": quote.valid_until.isoformat(),
        "lines": [
            {
                "line_id": line.line_id,
                "product_line": line.product_line,
                "title": line.title,
                "quantity": line.quantity,
                "kind": line.kind.value,
                "alternative_to": line.alternative_to,
                "choices": [o.name or o.label for o in line.options],
                "steps": [
                    [s.kind.value, str(s.amount), list(s.applied)]
                    for s in priced.lines[line.line_id].steps
                ],
                "net": str(priced.lines[line.line_id].net),
            }
            for line in quote.lines
        ],
        # No cost here: the frozen copy is the client's document.
        "services": [
            {
                "line_id": service.line_id,
                "description": service.description,
                "quantity": service.quantity,
                "unit_price": str(service.unit_price),
                "tax_label": TaxRule(totals.tax.country, service.rate_under(totals.tax),
                                     totals.tax.treatment).label,
                "net": str(service.net(quote.terms.currency)),
            }
            for service in quote.services
        ],
        "totals": {
            "subtotal": str(totals.subtotal),
            "discount": str(totals.discount_amount),
            "net_total": str(totals.net_total),
            "tax_label": totals.tax.label,
            "tax": str(totals.tax_amount),
            "tax_lines": [
                {"label": t.label, "base": str(t.base), "tax": str(t.amount)}
                for t in totals.tax_lines
            ],
            "gross_total": str(totals.gross_total),
        },
    }
