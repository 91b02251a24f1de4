"""Staff quoting use cases: create a quote for an account, add configured lines,
discount, approve, send, revise, compare, print.

Each use case loads the stored revision into the pure `configurator.quoting`
domain (`quote_records`), runs the domain step (which enforces prices,
statuses and approval), writes the result back, and its unit of work commits. Money is rounded
only where the domain says (`quoting.pricing`): each line net, the quote
discount, the tax. The client's answers and orders live in `quote_answers`,
search and expiry in `quote_search`; their public names are re-exported here
so callers keep using `configurator.services.quotes`.

How far sales may discount alone is the account's approval threshold
(`BusinessAccount.approval_threshold`, defaulting to the
QUOTE_APPROVAL_THRESHOLD setting); above it a manager approves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from configurator.quoting import (
    ApprovalPolicy,
    Discount,
    OptionPrice,
    Quote,
    RevisionDiff,
    allocate_number,
    compare,
    lifecycle,
)
from configurator.quoting.documents import Company, render_quote_pdf
from configurator.services import business, configurations, timeline
from configurator.services.errors import NotFound, QuoteChanged
from configurator.services.quote_answers import accept, convert_to_order, decline
from configurator.services.quote_lines import (
    add_line,
    change_line,
    configured_options,
    line_kind,
    remove_line,
)
from configurator.services.quote_records import (
    SEEN_BY_CLIENT,
    DatabaseSequence,
    LoadedQuote,
    actor,
    by_number,
    editing,
    frozen_copy,
    load,
    require_manager,
    require_staff,
    run_step,
    to_domain,
    write_back,
)
from configurator.services.quote_search import (
    expire_due,
    expiring_this_week,
    for_client,
    history,
    revisions,
    search,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import Configuration, User
from configurator.store.quotes import BusinessAccount, QuoteRecord
from configurator.store.types import utcnow

__all__ = [
    "SEEN_BY_CLIENT",
    "SELLER",
    "DatabaseSequence",
    "LoadedQuote",
    "QuoteChanged",
    "accept",
    "actor",
    "add_line",
    "approval_policy",
    "approve",
    "by_number",
    "cancel",
    "change_line",
    "compare_revisions",
    "configured_options",
    "convert_to_order",
    "create",
    "decline",
    "expire_due",
    "expiring_this_week",
    "for_client",
    "frozen_copy",
    "history",
    "line_kind",
    "load",
    "needs_approval",
    "pdf",
    "reject",
    "remove_line",
    "reprice",
    "revise",
    "revisions",
    "search",
    "send",
    "set_discount",
    "set_valid_until",
    "source_configuration",
    "submit",
    "to_domain",
    "today",
]

SELLER = Company(
    "Configurator GmbH",
    ("Hafenstrasse 1", "20457 Hamburg", "Germany"),
    "DE123456789",
    terms=(
        "Prices are valid until the date shown. Delivery within 20 working days of the "
        "order unless agreed otherwise. Payment within 30 days of the invoice date. Our "
        "general terms of sale apply; goods remain our property until paid in full."
    ),
)


def approval_policy(account: BusinessAccount) -> ApprovalPolicy:
    """How far each role may discount this account's quotes alone: sales up to the
    account's threshold, managers without limit (and they approve the rest)."""
    return ApprovalPolicy({"sales": account.approval_threshold, "manager": None})


@use_case
def create(
    session: Session,
    staff: User,
    account_id: int,
    *,
    now: datetime | None = None,
    valid_days: int | None = None,
) -> QuoteRecord:
    """A new draft quote for an account, numbered Q-YYYY-NNNNN, with the account's terms."""
    require_staff(staff)
    now = now or utcnow()
    account = business.get_account(session, staff, account_id)
    terms = business.pricing_terms(session, account)
    number = allocate_number(DatabaseSequence(session), now)
    days = valid_days if valid_days is not None else account.validity_days
    quote = Quote(number, str(account.id), actor(staff), now, now + timedelta(days=days), terms)
    quote.log(actor(staff), now, "created", f"for {account.name}")
    record = QuoteRecord(
        number=str(number),
        year=number.year,
        sequence=number.sequence,
        revision=1,
        account_id=account.id,
        status="draft",
        valid_until=quote.valid_until,
        created_by_id=staff.id,
        created_at=now,
        updated_at=now,
        terms=business.describe_terms(terms),
    )
    session.add(record)
    session.flush()
    return write_back(session, LoadedQuote(record, quote), staff, events_before=0, now=now)


@use_case
def set_discount(
    session: Session,
    staff: User,
    quote_id: int,
    discount: Discount | None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Set or remove the quote-level discount."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: q.set_discount(discount, by=actor(staff), at=at),
        now=now,
    )


@use_case
def set_valid_until(
    session: Session,
    staff: User,
    quote_id: int,
    valid_until: datetime,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Change the date until which the client may accept."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: q.set_valid_until(valid_until, by=actor(staff), at=at),
        now=now,
    )


@use_case
def reprice(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Reprice every line on today's catalog prices and the account's current terms."""
    loaded = editing(session, staff, quote_id, version)
    account = loaded.record.account
    current: dict[str, list[OptionPrice]] = {}
    for row in loaded.record.lines:
        _, options, _ = configured_options(session, account, row.catalog_id, row.selection)
        current[row.line_id] = options
    terms = business.pricing_terms(session, account)
    loaded.record.terms = business.describe_terms(terms)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: q.reprice(current, terms, by=actor(staff), at=at),
        now=now,
    )


def needs_approval(loaded: LoadedQuote, user: User) -> bool:
    """Whether the quote's discounts are above what `user` may give alone."""
    return lifecycle.needs_approval(
        loaded.quote, approval_policy(loaded.record.account), actor(user).role
    )


@use_case
def submit(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Ask a manager to approve the discounts."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: lifecycle.submit_for_approval(q, by=actor(staff), at=at),
        now=now,
    )


@use_case
def approve(
    session: Session,
    manager: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """A manager approves the discounts as they are (NotAllowedToApprove otherwise)."""
    loaded = editing(session, manager, quote_id, version)
    require_manager(manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.approve(
            q, approval_policy(loaded.record.account), by=actor(manager), at=at
        ),
        now=now,
    )


@use_case
def reject(
    session: Session,
    manager: User,
    quote_id: int,
    reason: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """A manager sends the quote back to draft with a reason."""
    loaded = editing(session, manager, quote_id, version)
    require_manager(manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.reject_approval(q, reason, by=actor(manager), at=at),
        now=now,
    )


@use_case
def send(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Send the quote to the client: from now on this revision is frozen."""
    loaded = editing(session, staff, quote_id, version)

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.send(quote, approval_policy(loaded.record.account), by=actor(staff), at=at)
        loaded.record.frozen = frozen_copy(quote)
        loaded.record.sent_at = at
        # Each contact's own timeline shows the quote too ("Received a quote").
        for contact_id in business.contact_user_ids(session, loaded.record.account):
            timeline.record(
                session,
                contact_id,
                "quoted",
                f"Quote {quote.number}",
                {
                    "quote": str(quote.number),
                    "total": loaded.record.frozen["totals"]["gross_total"],
                },
                channel="staff",
                actor_id=staff.id,
                now=at,
            )

    return run_step(session, staff, loaded, step, now=now)


@use_case
def cancel(
    session: Session,
    staff: User,
    quote_id: int,
    reason: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Withdraw the quote, with a reason."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: lifecycle.cancel(q, reason, by=actor(staff), at=at),
        now=now,
    )


@use_case
def revise(
    session: Session, staff: User, quote_id: int, *, now: datetime | None = None
) -> QuoteRecord:
    """A new draft revision (-R2, ...) of a sent, declined or expired quote; the old one
    becomes superseded and stays as the client received it."""
    loaded = editing(session, staff, quote_id, None)
    now = now or utcnow()
    before = len(loaded.quote.events)
    new = lifecycle.revise(loaded.quote, by=actor(staff), at=now)
    old = loaded.record
    record = QuoteRecord(
        number=str(new.number),
        year=new.number.year,
        sequence=new.number.sequence,
        revision=new.number.revision,
        account_id=old.account_id,
        status=new.status.value,
        valid_until=new.valid_until,
        created_by_id=staff.id,
        created_at=now,
        updated_at=now,
        terms=dict(old.terms),
    )
    session.add(record)
    session.flush()
    copies = {
        line.line_id: {
            "catalog_id": line.catalog_id,
            "catalog_version_id": line.catalog_version_id,
            "selection": dict(line.selection),
            "source_configuration_id": line.source_configuration_id,
        }
        for line in old.lines
    }
    write_back(session, loaded, staff, events_before=before, now=now)
    return write_back(
        session, LoadedQuote(record, new), staff, events_before=0, now=now, new_lines=copies
    )


def compare_revisions(session: Session, viewer: User, quote_id: int, other_id: int) -> RevisionDiff:
    """What changed from one revision to another of the same quote."""
    before, after = load(session, viewer, quote_id), load(session, viewer, other_id)
    if before.record.revision > after.record.revision:
        before, after = after, before
    return compare(before.quote, after.quote)


def pdf(session: Session, viewer: User, quote_id: int) -> tuple[str, bytes]:
    """The quote as a PDF with the seller's terms (and the account's own, when it has any)."""
    loaded = load(session, viewer, quote_id)
    account = loaded.record.account
    terms = SELLER.terms + (f"\n\n{account.terms}" if account.terms else "")
    company = Company(SELLER.name, SELLER.address, SELLER.vat_id, terms)
    body = render_quote_pdf(loaded.quote, company, client_name=account.name)
    return f"{loaded.record.number}.pdf", body


def source_configuration(
    session: Session, staff: User, account: BusinessAccount, configuration_id: int
) -> Configuration:
    """One of the account's contacts' past configurations, to start a line from."""
    require_staff(staff)
    configuration = configurations.get(session, staff, configuration_id)
    if configuration.owner_id not in business.contact_user_ids(session, account):
        raise NotFound("That configuration does not belong to this client.")
    return configuration


def today() -> datetime:
    """Now, in UTC (views use it for "expiring this week")."""
    return datetime.now(UTC)
