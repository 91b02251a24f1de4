"""Erasure (the right to be forgotten): personal data removed, orders kept anonymised.

Orders stay for accounting, still pointing to the same user row, which keeps
no name, e-mail, country or password any more; their snapshots lose the
delivery address (the country stays, for VAT). What only describes the person
goes: saved configurations, the address book, messages, the timeline, the
computed value, the business contact link, API tokens. One entry stays on the timeline: that the
data was erased, and when (staff must be able to tell why a customer is gone).
The guest record of a confirmed address (name and delivery address typed at a guest
checkout) is erased with the account, the same way.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline, users
from configurator.services.errors import ServiceError
from configurator.services.privacy import consent
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order, User
from configurator.store.quotes import AccountContact
from configurator.store.tokens import ApiToken
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue

ERASED_NAME = "Erased customer"
ERASED_ADDRESS = ["(erased)"]
# Everything a customer owns that is about them and nothing else, removed on erasure.
PERSONAL_RECORDS = (
    (Configuration, Configuration.owner_id),
    (Address, Address.owner_id),
    (Message, Message.recipient_id),
    (Interaction, Interaction.customer_id),
    (CustomerValue, CustomerValue.customer_id),
    (AccountContact, AccountContact.user_id),
    (ApiToken, ApiToken.user_id),
)


class NotErasable(ServiceError):
    """Staff accounts are not erased this way (their actions are the shop's records)."""


@use_case
def erase(session: Session, customer: User, *, now: datetime | None = None) -> User:
    """Remove the customer's personal data; their orders stay, anonymised."""
    if customer.is_staff:
        raise NotErasable("Staff accounts are closed by an administrator, not erased here.")
    if customer.erased_at is not None:
        return customer
    now = now or utcnow()
    guest = _guest_record(session, customer)
    for person in (customer, guest) if guest is not None else (customer,):
        _erase_row(session, person, now)
    return customer


def _guest_record(session: Session, customer: User) -> User | None:
    """The guest record of the customer's address, when the address is confirmed as
    theirs: it keeps the name and address typed at a guest checkout (an empty shell
    once its orders were claimed, or orders placed afterwards). An unconfirmed
    address proves nothing, so its guest record is left alone."""
    if customer.email_verified_at is None:
        return None
    return session.scalar(sa.select(User).where(
        User.email == users.guest_email(customer.email), User.erased_at.is_(None)))


def _erase_row(session: Session, person: User, now: datetime) -> None:
    for model, owner in PERSONAL_RECORDS:
        # The database unlinks what refers to them (orders keep their snapshot).
        session.execute(sa.delete(model).where(owner == person.id))
    _anonymise(person, now)
    _anonymise_deliveries(session, person.id)
    consent.refuse_all(session, person.id, now)
    timeline.record(session, person.id, "erased", N_("Personal data erased"), now=now)


def _anonymise_deliveries(session: Session, customer_id: int) -> None:
    """Drop the delivery address kept in each order's snapshot; the country stays (VAT).

    A bulk UPDATE: snapshots are otherwise never rewritten, but erasure is the
    one change the law asks of them, and the accounting figures stay as they were.
    """
    rows = session.execute(
        sa.select(Order.id, Order.snapshot).where(Order.owner_id == customer_id)
    ).all()
    for order_id, snapshot in rows:
        if "address" not in snapshot.get("checkout", {}):
            continue
        kept = dict(snapshot, checkout=dict(snapshot["checkout"], address=ERASED_ADDRESS))
        session.execute(
            sa.update(Order).where(Order.id == order_id).values(snapshot=kept)
            .execution_options(synchronize_session="fetch")
        )


def _anonymise(customer: User, now: datetime) -> None:
    customer.email = f"erased-{customer.id}@erased.invalid"
    customer.name = ERASED_NAME
    customer.country = None
    customer.phone = None
    customer.email_verified_at = None  # the address it vouched for is gone
    customer.tier = None  # a profile of the person, not needed for accounting
    # Nobody knows this password: the account can never be signed in to again.
    customer.set_password(secrets.token_urlsafe(32), method="pbkdf2:sha256:1000")
    customer.erased_at = now
