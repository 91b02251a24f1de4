"""Run every trigger once, on a given clock, within the weekly limit.

The most urgent first: a quote about to expire, then a refill, then saved
configurations, then news of a product line. A customer gets at most `weekly_limit` trigger messages in any
7 days; what the limit holds back is proposed again on a later run while its
moment lasts (its dedupe key was never written). Messages of a purpose the
customer refused are not written (the outbox asks the consent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.messages import outbox
from configurator.services.triggers import new_options, quote_expiry, refill, saved
from configurator.services.triggers.candidates import Candidate
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.types import utcnow

# Offers by e-mail (services/offers/mailing.py) count towards the same weekly limit.
OFFER_KIND = "offer"
KINDS = (quote_expiry.KIND, refill.KIND, saved.PRICE_DROP, saved.OUTDATED, new_options.KIND, OFFER_KIND)
WEEK = timedelta(days=7)
DEFAULT_REFILL_LINES = ("coffee-subscription",)
JOB = "triggers.run"


@dataclass
class Report:
    """What a run did, counted by outcome, and the keys of the messages it wrote."""

    outcomes: Counter = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line, e.g. `2 written, 1 over the weekly limit, 3 sent before, 0 refused`."""
        o = self.outcomes
        return (f"{o['written']} written, {o['over_limit']} over the weekly limit, "
                f"{o['sent_before']} sent before, {o['refused']} refused by consent")


@use_case
def run(
    session: Session,
    *,
    weekly_limit: int,
    refill_lines: tuple[str, ...] = DEFAULT_REFILL_LINES,
    now: datetime | None = None,
) -> Report:
    """Write the trigger messages due at `now` (default: the current time)."""
    now = now or utcnow()
    report = Report()
    for candidate in _all(session, refill_lines, now):
        outcome = _offer(session, candidate, weekly_limit, now)
        report.outcomes[outcome] += 1
        if outcome == "written":
            report.written.append(candidate.dedupe_key)
    return report


def _all(session: Session, refill_lines: tuple[str, ...], now: datetime) -> Iterable[Candidate]:
    yield from quote_expiry.candidates(session, now)
    yield from refill.candidates(session, refill_lines, now)
    yield from saved.candidates(session)
    yield from new_options.candidates(session)


def _offer(session: Session, candidate: Candidate, weekly_limit: int, now: datetime) -> str:
    """Write one candidate unless sent before or over the limit; says which."""
    if session.scalar(sa.select(Message.id).where(Message.dedupe_key == candidate.dedupe_key)):
        return "sent_before"
    if sent_this_week(session, candidate.recipient.id, now) >= weekly_limit:
        return "over_limit"
    written = outbox.enqueue(session, candidate.draft, recipient=candidate.recipient,
                             dedupe_key=candidate.dedupe_key, now=now)
    return "written" if written is not None else "refused"


def sent_this_week(session: Session, customer_id: int, now: datetime) -> int:
    """Trigger and offer messages written to the customer in the 7 days up to `now`."""
    return session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.recipient_id == customer_id,
            Message.kind.in_(KINDS),
            Message.created_at > now - WEEK,
            Message.created_at <= now,
        )
    ) or 0
