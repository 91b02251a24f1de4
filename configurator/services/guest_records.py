"""What a guest record is: a customer row nobody can sign in to, one per e-mail
address, holding that address's guest orders (see `guest_orders`). Apart so that
`guest_orders` and `guest_claims` both read it without importing each other."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from configurator.services import users
from configurator.services.customer_value import valuation
from configurator.services.customer_value.tiers import TierConfigError
from configurator.store.models import User

log = logging.getLogger(__name__)

GUEST_HASH = "!guest"  # not a hash werkzeug reads: every password check fails
GUEST_DOMAIN = users.GUEST_DOMAIN
guest_email = users.guest_email


def is_guest(user: User) -> bool:
    """Whether `user` is a guest record (nobody signs in to it)."""
    return user.password_hash == GUEST_HASH


def revalue(session: Session, customers: tuple[User, ...], now: datetime) -> None:
    """Value the account and the guest record again from the orders each owns now, after
    orders moved between them (a broken tier file never stops the move)."""
    for customer in customers:
        try:
            valuation.refresh(session, customer, now=now, because="guest_orders")
        except TierConfigError as error:
            log.warning("customer value not updated after guest orders moved: %s", error)
            return
