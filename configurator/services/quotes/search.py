"""Finding and reading quotes: search by number, client, status and product
line; quotes expiring this week; a quote's revisions, what changed between two
of them, and its history; a client's quotes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import RevisionDiff, compare
from configurator.services.business import accounts
from configurator.services.quotes.records import SEEN_BY_CLIENT, load, may_see, require_staff
from configurator.store.models import User
from configurator.store.quotes import AccountEvent, BusinessAccount, QuoteLineRecord, QuoteRecord
from configurator.store.types import utcnow


def revisions(session: Session, viewer: User, quote_id: int) -> list[QuoteRecord]:
    """Every revision of the quote the viewer may see, oldest first."""
    loaded = load(session, viewer, quote_id)
    rows = session.scalars(
        sa.select(QuoteRecord)
        .where(
            QuoteRecord.year == loaded.record.year, QuoteRecord.sequence == loaded.record.sequence
        )
        .order_by(QuoteRecord.revision)
    )
    return [row for row in rows if may_see(session, viewer, row)]


def search(
    session: Session,
    staff: User,
    *,
    text: str = "",
    status: str = "",
    catalog_id: str = "",
    account_id: int | None = None,
    limit: int = 100,
    now: datetime | None = None,
) -> list[QuoteRecord]:
    """Quotes by number (or part of it), client name, status (as of `now`: a sent quote past
    its validity is expired) and product line; newest first."""
    require_staff(staff)
    query = sa.select(QuoteRecord).join(BusinessAccount)
    text = text.strip()
    if text:
        # `%` and `_` typed by staff are meant literally, not as wildcards.
        pattern = f"%{_escape_like(text.lower())}%"
        query = query.where(
            sa.or_(
                sa.func.lower(QuoteRecord.number).like(pattern, escape="\\"),
                sa.func.lower(BusinessAccount.name).like(pattern, escape="\\"),
            )
        )
    if status:
        query = query.where(_status_is(status, now or utcnow()))
    if catalog_id:
        query = query.where(
            QuoteRecord.id.in_(
                sa.select(QuoteLineRecord.quote_id).where(QuoteLineRecord.catalog_id == catalog_id)
            )
        )
    if account_id is not None:
        query = query.where(QuoteRecord.account_id == account_id)
    query = query.order_by(QuoteRecord.created_at.desc(), QuoteRecord.id.desc()).limit(limit)
    return list(session.scalars(query))


def _status_is(status: str, now: datetime) -> sa.ColumnElement[bool]:
    """The status as staff read it now: a sent quote past its validity is expired."""
    past_due = sa.and_(QuoteRecord.status == "sent", QuoteRecord.valid_until <= now)
    if status == "expired":
        return sa.or_(QuoteRecord.status == "expired", past_due)
    if status == "sent":
        return sa.and_(QuoteRecord.status == "sent", QuoteRecord.valid_until > now)
    return QuoteRecord.status == status


def _escape_like(text: str) -> str:
    """`text` with LIKE's wildcards and its escape character taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def expiring_this_week(
    session: Session, staff: User, *, now: datetime | None = None
) -> list[QuoteRecord]:
    """Sent quotes whose validity ends within the next seven days, and those that ran out
    in the last seven (expired or not yet marked by the daily job: still worth a call),
    soonest first."""
    require_staff(staff)
    now = now or utcnow()
    return list(
        session.scalars(
            sa.select(QuoteRecord)
            .where(
                QuoteRecord.status.in_(("sent", "expired")),
                QuoteRecord.valid_until > now - timedelta(days=7),
                QuoteRecord.valid_until <= now + timedelta(days=7),
            )
            .order_by(QuoteRecord.valid_until)
        )
    )


def history(session: Session, staff: User, quote_id: int) -> list[AccountEvent]:
    """The quote's timeline entries (every revision of it), newest first, for staff."""
    require_staff(staff)
    record = load(session, staff, quote_id).record
    revisions = sa.select(QuoteRecord.id).where(
        QuoteRecord.year == record.year, QuoteRecord.sequence == record.sequence
    )
    return list(
        session.scalars(
            sa.select(AccountEvent)
            .where(AccountEvent.quote_id.in_(revisions))
            .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
        )
    )


def for_client(session: Session, contact: User) -> list[QuoteRecord]:
    """The quotes a contact's account received (sent revisions), newest first."""
    account = accounts.account_of(session, contact)
    if account is None or contact.is_staff:
        return []
    return list(
        session.scalars(
            sa.select(QuoteRecord)
            .where(
                QuoteRecord.account_id == account.id,
                QuoteRecord.status.in_(SEEN_BY_CLIENT),
                QuoteRecord.frozen.is_not(None),
            )
            .order_by(QuoteRecord.created_at.desc(), QuoteRecord.id.desc())
        )
    )


def compare_revisions(session: Session, viewer: User, quote_id: int, other_id: int) -> RevisionDiff:
    """What changed from one revision to another of the same quote."""
    before, after = load(session, viewer, quote_id), load(session, viewer, other_id)
    if before.record.revision > after.record.revision:
        before, after = after, before
    return compare(before.quote, after.quote)

def today() -> datetime:
    """Now, in UTC (views use it for "expiring this week")."""
    return datetime.now(UTC)
