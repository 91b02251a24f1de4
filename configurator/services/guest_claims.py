"""Adding a guest order to the account that already has its address.

A guest order placed with an address whose account is *confirmed* stays on the
guest record (`guest_orders`): a typed address proves nothing, so attaching on
it alone would let anyone fill someone else's account. Instead the order's
confirmation, e-mailed to that address, carries a one-time link ("Add this order
to your account"). Whoever reads that mailbox and is signed in as that account
confirms it (a POST, as the sign-up link's page does), and the order moves with
what belongs to it: its configuration, its delivery address, its timeline
entries and its confirmation message.

The link is a `one_time_links` row of purpose "claim" for the account; the
order's number is part of the token and so of its stored SHA-256 (the link
works for that one order only, and the database holds no working link).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import orders, sign_ins, timeline, users
from configurator.services.errors import ServiceError
from configurator.services.guest_records import guest_email, is_guest, revalue
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order, User
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow

CLAIM_PATH = "/account/guest-orders/add/"
CLAIM_LIFETIME = timedelta(days=30)  # the order's confirmation is read within a month
PURPOSE = "claim"


class ClaimRefused(ServiceError):
    """The link cannot add its order to this account; the message says why.
    `status` is what the page answers: 403 for another account, 410 for a used
    or expired link, 400 for an address not confirmed yet."""

    def __init__(self, message, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Invitation:
    """What a valid link offers the signed-in account: one guest order."""

    order: Order
    email: str


def confirmed_account(session: Session, email: str) -> User | None:
    """The customer account whose address `email` is confirmed, if any: only such an
    account is offered a guest order by link (others claim at confirmation)."""
    account = session.scalar(sa.select(User).where(User.email == users.normalize_email(email)))
    if (account is None or account.role != "customer" or account.email_verified_at is None
            or account.erased_at is not None or is_guest(account)
            or users.is_merged_away(session, account)):
        return None
    return account


def new_link(session: Session, account: User, order: Order, now: datetime) -> str:
    """Within the caller's use case: the path of a one-time link that adds `order`
    to `account` (only the SHA-256 of its token is stored)."""
    token = f"{order.number}.{secrets.token_urlsafe(32)}"
    session.add(OneTimeLink(user_id=account.id, purpose=PURPOSE, token_hash=sign_ins.digest(token),
                            created_at=now, expires_at=now + CLAIM_LIFETIME))
    session.flush()
    return CLAIM_PATH + token


def invitation(session: Session, account: User, token: str, *,
               now: datetime | None = None) -> Invitation:
    """What the link offers `account` (its page asks before anything moves);
    ClaimRefused, in words, when it cannot be used by them now."""
    _, order = _check(session, account, token, now or utcnow())
    return Invitation(order, account.email)


@use_case
def claim_order(session: Session, account: User, token: str, *,
                now: datetime | None = None) -> Order:
    """Add the link's guest order to `account`, once: the order, its configuration,
    its delivery address, its timeline entries and its confirmation move, and the
    timeline says so. ClaimRefused for another account, a used or expired link,
    or an account whose address is not confirmed (nothing moves then)."""
    now = now or utcnow()
    link, order = _check(session, account, token, now)
    used = session.execute(
        sa.update(OneTimeLink).where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # a second click at the same moment
        raise ClaimRefused(N_("This link was used already."), 410)
    guest = session.get(User, order.owner_id)
    _move(session, order, guest, account)
    timeline.record(session, account.id, "guest_order_claimed",
                    N_("Your guest order %(number)s is now in your account", number=order.number),
                    {"number": order.number, "by": "link"}, now=now)
    revalue(session, (account, guest), now)
    return order


def _check(session: Session, account: User, token: str, now: datetime) -> tuple[OneTimeLink, Order]:
    """The link and its order, when `account` may use it now."""
    link = _link(session, token)
    if link is None or link.used_at is not None:
        raise ClaimRefused(N_("This link was used already, or it is not one of ours."), 410)
    if link.expires_at <= now:
        raise ClaimRefused(N_("This link has expired. Orders placed as a guest stay with the "
                              "e-mail address; ask us and we add it to your account."), 410)
    if link.user_id != account.id:
        raise ClaimRefused(N_("This link is for another account. Sign in with the account of "
                              "the address the order confirmation went to."), 403)
    if account.email_verified_at is None or account.erased_at is not None:
        raise ClaimRefused(N_("Please confirm your e-mail address first."), 400)
    order = session.scalar(sa.select(Order).where(Order.number == token.partition(".")[0]))
    guest = session.get(User, order.owner_id) if order is not None else None
    if guest is None or not is_guest(guest) \
            or guest.email != guest_email(account.email):
        raise ClaimRefused(N_("This link was used already, or it is not one of ours."), 410)
    return link, order


def _link(session: Session, token: str) -> OneTimeLink | None:
    if not isinstance(token, str) or "." not in token or len(token) > 200:
        return None
    return session.scalar(sa.select(OneTimeLink).where(
        OneTimeLink.token_hash == sign_ins.digest(token), OneTimeLink.purpose == PURPOSE))


def _move(session: Session, order: Order, guest: User, account: User) -> None:
    """The order and what belongs to it only (the guest's other orders stay)."""
    # A bulk update, as a merge moves orders: the ORM refuses to change a placed
    # order's owner on the object (its frozen fields), which guards against slips.
    session.execute(sa.update(Order).where(Order.id == order.id, Order.owner_id == guest.id)
                    .values(owner_id=account.id).execution_options(synchronize_session="fetch"))
    for configuration_id in _configuration_ids(order):
        configuration = session.get(Configuration, configuration_id)
        if configuration is not None and configuration.owner_id == guest.id:
            configuration.owner_id = account.id
    delivered_to = order.snapshot.get("checkout", {}).get("address")
    for address in session.scalars(sa.select(Address).where(Address.owner_id == guest.id)):
        if address.lines() == delivered_to:
            address.owner_id = account.id
            break
    for entry in session.scalars(sa.select(Interaction).where(Interaction.customer_id == guest.id)):
        if _about(entry.detail or {}, order):
            entry.customer_id = account.id
    session.execute(sa.update(Message).where(
        Message.recipient_id == guest.id,
        Message.dedupe_key == f"order-confirmation:{order.number}",
    ).values(recipient_id=account.id).execution_options(synchronize_session=False))
    session.flush()


def _about(detail: dict, order: Order) -> bool:
    """Whether a timeline entry's detail is about this order or its configuration."""
    if order.number in (detail.get("order"), detail.get("number")):
        return True
    mentioned = {detail.get("configuration_id"), *(detail.get("configuration_ids") or ())}
    return bool(_configuration_ids(order) & mentioned)


def _configuration_ids(order: Order) -> set[int]:
    """The configurations an order was placed from: its own, or each cart item's."""
    found = {(item.get("configuration") or {}).get("id") for item in orders.items_of(order.snapshot)}
    return (found | {order.configuration_id}) - {None}
