"""Drafting a quote: staff create it for a business account with the account's
terms, set its discount and validity, reprice it on today's catalog and terms,
and start a new revision of a quote the client has seen.

Each use case loads the stored revision into the pure `configurator.quoting`
domain (`records`), runs the domain step (which enforces prices, statuses and
approval) and writes the outcome back; its unit of work commits. Money is
rounded only where the domain says (`quoting.pricing`): each line net, the
quote discount, the tax. Lines are in `lines`, approval in `approvals`,
sending in `sending`, the client's answers in `answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from configurator.quoting import (
    Discount,
    OptionPrice,
    OtherCurrency,
    Quote,
    QuoteError,
    RepriceReport,
    allocate_number,
    lifecycle,
)
from configurator.quoting.phrases import N_
from configurator.services.business import accounts, terms
from configurator.services.quotes import records
from configurator.services.quotes.lines import configured_options, require_fit
from configurator.services.quotes.records import (
    DatabaseSequence,
    LoadedQuote,
    actor,
    editing,
    require_staff,
    run_step,
    staff_step,
    write_back,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import QuoteRecord
from configurator.store.types import utcnow


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
    account = accounts.get_account(session, staff, account_id)
    pricing = terms.pricing_terms(session, account)
    number = allocate_number(DatabaseSequence(session), now)
    days = valid_days if valid_days is not None else account.validity_days
    quote = Quote(number, str(account.id), actor(staff), now, now + timedelta(days=days), pricing)
    quote.log(actor(staff), now, "created", f"for {account.name}")
    record = _stored(session, quote, account.id, staff, now, terms.describe_terms(pricing))
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
    return staff_step(
        session,
        staff,
        quote_id,
        version,
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
    return staff_step(
        session,
        staff,
        quote_id,
        version,
        lambda q, at: q.set_valid_until(valid_until, by=actor(staff), at=at),
        now=now,
    )

def _today(session: Session, loaded: LoadedQuote) -> tuple[dict[str, list[OptionPrice]], Any]:
    """Every line's options at today's catalog prices, and the account's current terms;
    OtherCurrency when a line's catalog is not priced in the account's currency."""
    require_fit(session, loaded.record)  # names each line with a retired option, to reconfigure
    account = loaded.record.account
    current: dict[str, list[OptionPrice]] = {}
    for row in loaded.record.lines:
        _, options, _ = configured_options(
            session, account, row.catalog_id, row.selection, account.currency
        )
        current[row.line_id] = options
    return current, terms.pricing_terms(session, account)


def preview_reprice(session: Session, staff: User, quote_id: int) -> RepriceReport | None:
    """What a reprice would change, line by line (locked lines keep their price), without
    changing anything; None when the quote is not a draft or a line no longer fits."""
    loaded = editing(session, staff, quote_id, None)
    if loaded.quote.frozen:
        return None
    try:
        current, pricing = _today(session, loaded)
    except QuoteError:
        return None
    return loaded.quote.preview_reprice(current, pricing)


@use_case
def reprice(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Reprice every line on today's catalog prices and the account's current terms
    (locked lines keep theirs)."""
    loaded = editing(session, staff, quote_id, version)
    current, pricing = _today(session, loaded)
    loaded.record.terms = terms.describe_terms(pricing)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: q.reprice(current, pricing, by=actor(staff), at=at),
        now=now,
    )

@use_case
def revise(
    session: Session, staff: User, quote_id: int, *, now: datetime | None = None
) -> QuoteRecord:
    """A new draft revision (-R2, ...) of a sent, declined or expired quote.

    A sent one stays open to the client's answer until the new revision is sent
    (`sending.send` supersedes it then); the client never has nothing to accept.
    Only the newest revision can be revised."""
    loaded = editing(session, staff, quote_id, None)
    newer = records.newer_revision(session, loaded.record)
    if newer is not None:
        raise QuoteError(N_(
            "%(newer)s is already the newer revision of %(number)s; "
            "change that one instead of starting another",
            newer=newer.number, number=loaded.record.number))
    now = now or utcnow()
    before = len(loaded.quote.events)
    lifecycle.expire_if_due(loaded.quote, at=now)  # past its validity: nothing left to accept
    new = lifecycle.revise(loaded.quote, by=actor(staff), at=now)
    old = loaded.record
    record = _stored(session, new, old.account_id, staff, now, dict(old.terms))
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


@dataclass(frozen=True)
class Copied:
    """A quote copied into a new draft: the draft, what today's prices changed line by
    line (None when it could not be repriced), and why not."""

    record: QuoteRecord
    report: RepriceReport | None
    not_repriced: str = ""


@use_case
def copy(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    account_id: int | None = None,
    now: datetime | None = None,
) -> Copied:
    """A new draft quote (its own number) with the lines and discount of any revision of
    a quote, for the same account or `account_id`: dates, status, approval and history
    start afresh, locked prices are released, and the copy is repriced on today's
    catalog and the account's terms, so the report shows each line's difference.

    A line that no longer fits the catalog is copied as it was and named in
    `not_repriced`; the draft then asks to reconfigure it, as any draft does.
    """
    require_staff(staff)
    now = now or utcnow()
    source = records.load(session, staff, quote_id)
    account = accounts.get_account(session, staff, account_id or source.record.account_id)
    _require_same_currency(source.quote, account.currency)
    number = allocate_number(DatabaseSequence(session), now)
    quote = lifecycle.copy(
        source.quote, number, account=str(account.id), by=actor(staff), at=now,
        valid_until=now + timedelta(days=account.validity_days),
    )
    record = _stored(session, quote, account.id, staff, now, dict(source.record.terms))
    copies = {
        line.line_id: {
            "catalog_id": line.catalog_id,
            "catalog_version_id": line.catalog_version_id,
            "selection": dict(line.selection),
            # Another account's copy must not point at this client's configuration.
            "source_configuration_id": line.source_configuration_id
            if account.id == source.record.account_id
            else None,
        }
        for line in source.record.lines
    }
    record = write_back(
        session, LoadedQuote(record, quote), staff, events_before=0, now=now, new_lines=copies
    )
    fresh = LoadedQuote(record, quote)
    try:
        current, pricing = _today(session, fresh)
    except QuoteError as error:
        return Copied(record, None, str(error))
    record.terms = terms.describe_terms(pricing)
    reports: list[RepriceReport] = []
    record = run_step(
        session,
        staff,
        fresh,
        lambda q, at: reports.append(q.reprice(current, pricing, by=actor(staff), at=at)),
        now=now,
    )
    return Copied(record, reports[0])


def _require_same_currency(quote: Quote, currency: str) -> None:
    """OtherCurrency when a quote would be copied to an account that pays in another
    currency: its lines' prices would have to be converted, which we never do."""
    if quote.terms.currency.upper() != currency.upper():
        raise OtherCurrency(N_(
            "Quote %(number)s is in %(quote_currency)s and this client's price list is in "
            "%(currency)s; prices are never converted, so start a new quote for them instead.",
            number=str(quote.number), quote_currency=quote.terms.currency.upper(),
            currency=currency.upper()))


def _stored(
    session: Session, quote: Quote, account_id: int, staff: User, now: datetime, terms_text: dict
) -> QuoteRecord:
    """The row of a quote (revision) that has just been made in the domain: its
    number, status and validity come from `quote`; lines follow in write_back."""
    record = QuoteRecord(
        number=str(quote.number),
        year=quote.number.year,
        sequence=quote.number.sequence,
        revision=quote.number.revision,
        account_id=account_id,
        status=quote.status.value,
        valid_until=quote.valid_until,
        created_by_id=staff.id,
        created_at=now,
        updated_at=now,
        terms=terms_text,
    )
    session.add(record)
    session.flush()
    return record
