"""Consent per purpose: read it, change it (noted on the timeline), and ask it.

Transactional messages (an order confirmation, a password reset) need no
consent: the customer asked for them. Everything else asks `allows` first.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.privacy import CONSENT_PURPOSES, DEFAULTS, Consent
from configurator.store.types import utcnow

LABELS = {
    "personalization": "Personalized suggestions and offers from my history",
    "service": "Messages about my quotes, orders and subscriptions",
    "marketing": "Offers and news by e-mail",
}


class UnknownPurpose(ValueError):
    """A purpose this shop does not ask consent for."""


def choices(session: Session, customer: User) -> dict[str, bool]:
    """Every purpose with the customer's answer (the default where they gave none)."""
    stored = dict(
        session.execute(
            sa.select(Consent.purpose, Consent.granted).where(Consent.customer_id == customer.id)
        ).all()
    )
    return {purpose: stored.get(purpose, DEFAULTS[purpose]) for purpose in CONSENT_PURPOSES}


def allows(session: Session, customer: User, purpose: str) -> bool:
    """Whether we may use the customer's data for `purpose`; never after erasure."""
    if purpose not in CONSENT_PURPOSES:
        raise UnknownPurpose(f"unknown consent purpose {purpose!r}")
    if customer.erased_at is not None:
        return False
    granted = session.scalar(
        sa.select(Consent.granted).where(
            Consent.customer_id == customer.id, Consent.purpose == purpose
        )
    )
    return DEFAULTS[purpose] if granted is None else granted


def refusing(purpose: str) -> sa.Select:
    """The ids of customers who refused `purpose` (for queries that must leave them out)."""
    return sa.select(Consent.customer_id).where(
        Consent.purpose == purpose, Consent.granted.is_(False)
    )


@use_case
def change(
    session: Session, customer: User, wanted: dict[str, bool], *, now: datetime | None = None
) -> list[str]:
    """Set the customer's answers; returns the purposes that changed (each on the timeline)."""
    unknown = sorted(set(wanted) - set(CONSENT_PURPOSES))
    if unknown:
        raise UnknownPurpose(f"unknown consent purpose {unknown[0]!r}")
    now = now or utcnow()
    current = choices(session, customer)
    changed = [purpose for purpose, granted in wanted.items() if current[purpose] != granted]
    for purpose in changed:
        _store(session, customer.id, purpose, wanted[purpose], now)
        label = N_(LABELS[purpose])  # the catalogs have each label (the consent page's)
        subject = (N_("Allowed: %(purpose)s", purpose=label) if wanted[purpose]
                   else N_("Refused: %(purpose)s", purpose=label))
        timeline.record(
            session, customer.id, "consent_changed", subject,
            {"purpose": purpose, "granted": wanted[purpose]}, now=now,
        )
    return changed


def refuse_all(session: Session, customer_id: int, now: datetime) -> None:
    """Every purpose refused, within the caller's use case (erasure), without timeline entries."""
    for purpose in CONSENT_PURPOSES:
        _store(session, customer_id, purpose, False, now)


def _store(session: Session, customer_id: int, purpose: str, granted: bool, now: datetime) -> None:
    row = session.get(Consent, (customer_id, purpose))
    if row is None:
        session.add(Consent(customer_id=customer_id, purpose=purpose, granted=granted, changed_at=now))
    else:
        row.granted = granted
        row.changed_at = now
