"""A sent quote about to expire: each contact of its account hears it in time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_, Day, Joined
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import User
from configurator.store.quotes import AccountContact, QuoteRecord

KIND = "quote_expiring"
LEAD = timedelta(days=3)


def candidates(session: Session, now: datetime) -> Iterator[Candidate]:
    """A reminder to every contact of each sent quote that expires within LEAD."""
    query = (
        sa.select(QuoteRecord, User)
        .join(AccountContact, AccountContact.account_id == QuoteRecord.account_id)
        .join(User, User.id == AccountContact.user_id)
        .where(
            QuoteRecord.status == "sent",
            QuoteRecord.valid_until > now,
            QuoteRecord.valid_until <= now + LEAD,
            User.erased_at.is_(None),
        )
        .order_by(QuoteRecord.valid_until, QuoteRecord.id, User.id)
    )
    for quote, contact in session.execute(query):
        yield Candidate(contact, _reminder(quote), f"quote-expiry:{quote.number}:{contact.id}")


def _reminder(quote: QuoteRecord) -> Draft:
    # Phrases: the outbox writes them in the contact's saved language.
    until = Day(quote.valid_until.date())
    number, account = quote.number, quote.account.name
    return Draft(
        kind=KIND,
        subject=N_("Quote %(number)s expires on %(until)s", number=number, until=until),
        body=Joined((
            N_("Our quote %(number)s for %(account)s is valid until %(until)s. After that its "
               "prices no longer hold and we have to quote again.",
               number=number, account=account, until=until),
            N_("Accepting it takes one click."),
        ), "\n\n"),
        reason=N_("Quote %(number)s for %(account)s expires on %(until)s.",
                  number=number, account=account, until=until),
        action_url=f"/account/quotes/{quote.id}",
        action_label=N_("Review and accept"),
        purpose="service",
    )
