"""A guest order placed with the address of a confirmed account (issue 17), read
back through a second session: it stays on the guest record, its confirmation
carries a one-time link, and only that account, signed in, adds it (with its
configuration, address, timeline and confirmation) once, before the link expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import guest_claims, guest_orders
from configurator.services.guest_claims import ClaimRefused
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow
from tests.services.read_back import reads_back
from tests.services.test_read_back_guest import confirm_sign_up, order_as_guest


def claim_token(session, order) -> str:
    """The token of the link in the order's confirmation (before it is sent)."""
    url = session.scalar(sa.select(Message.action_url).where(
        Message.dedupe_key == f"order-confirmation:{order.number}"))
    assert url.startswith(guest_claims.CLAIM_PATH)
    return url.removeprefix(guest_claims.CLAIM_PATH)


@reads_back(guest_claims.claim_order)
def test_only_the_confirmed_account_adds_the_order_once(session, second_session, bike):
    account = confirm_sign_up(session, "gina@example.com")
    stranger = confirm_sign_up(session, "sam@example.com")
    order = order_as_guest(session, bike)
    kept_before = order_as_guest(session, bike)  # another guest order of the address
    with second_session() as other:
        guest = other.get(User, other.get(Order, order.id).owner_id)
        assert guest_orders.is_guest(guest)  # a typed address attaches nothing
        mail = other.scalar(sa.select(Message).where(
            Message.dedupe_key == f"order-confirmation:{order.number}"))
        assert (mail.to_address, mail.action_label, mail.secret) == (
            "gina@example.com", "Add this order to your account", True)
        assert other.scalar(sa.select(OneTimeLink.purpose).where(
            OneTimeLink.user_id == account.id, OneTimeLink.purpose == "claim")) == "claim"
    token = claim_token(session, order)

    with pytest.raises(ClaimRefused, match="another account") as refused:
        guest_claims.claim_order(session, stranger, token)
    assert refused.value.status == 403
    with pytest.raises(ClaimRefused, match="used already"):  # another order's number
        guest_claims.claim_order(session, account, kept_before.number + token[len(order.number):])
    assert guest_claims.invitation(session, account, token).order.id == order.id

    guest_claims.claim_order(session, account, token)
    with second_session() as other:
        assert other.get(Order, order.id).owner_id == account.id
        assert other.get(Order, kept_before.id).owner_id == guest.id  # only the link's order
        assert other.get(Configuration, order.configuration_id).owner_id == account.id
        assert other.get(Configuration, kept_before.configuration_id).owner_id == guest.id
        assert [a.owner_id for a in other.scalars(sa.select(Address).order_by(Address.id))] == [
            account.id, guest.id]
        ordered = {i.detail["order"]: i.customer_id for i in other.scalars(
            sa.select(Interaction).where(Interaction.kind == "ordered"))}
        assert ordered == {order.number: account.id, kept_before.number: guest.id}
        assert other.scalar(sa.select(Message.recipient_id).where(
            Message.dedupe_key == f"order-confirmation:{order.number}")) == account.id
        added = other.scalars(sa.select(Interaction.subject).where(
            Interaction.customer_id == account.id, Interaction.kind == "guest_order_claimed")).all()
        assert added == [f"Your guest order {order.number} is now in your account"]
    with pytest.raises(ClaimRefused, match="used already") as used:
        guest_claims.claim_order(session, account, token)
    assert used.value.status == 410


def test_an_expired_link_adds_nothing(session, second_session, bike):
    account = confirm_sign_up(session, "gina@example.com")
    order = order_as_guest(session, bike)
    token = claim_token(session, order)
    later = utcnow() + guest_claims.CLAIM_LIFETIME + timedelta(minutes=1)
    with pytest.raises(ClaimRefused, match="expired") as expired:
        guest_claims.claim_order(session, account, token, now=later)
    assert expired.value.status == 410
    with second_session() as other:
        assert other.get(Order, order.id).owner_id != account.id
        assert other.scalar(sa.select(OneTimeLink.used_at).where(
            OneTimeLink.purpose == "claim")) is None


def test_an_unconfirmed_account_gets_the_sign_up_link_and_claims_at_confirmation(session, bike):
    from configurator.services import verification
    from tests.services.test_read_back_guest import FAST

    verification.sign_up(session, "gina@example.com", "password123", "Gina", password_method=FAST)
    order = order_as_guest(session, bike)
    assert session.scalar(sa.select(Message.action_url).where(
        Message.dedupe_key == f"order-confirmation:{order.number}")) == "/auth/signup"
    assert session.scalar(sa.select(sa.func.count(OneTimeLink.id)).where(
        OneTimeLink.purpose == "claim")) == 0


def test_the_link_goes_straight_to_the_shop_and_is_not_kept(session, bike, smtp_server):
    confirm_sign_up(session, "gina@example.com")
    order = order_as_guest(session, bike)
    token = claim_token(session, order)
    message = session.scalar(sa.select(Message).where(
        Message.dedupe_key == f"order-confirmation:{order.number}"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport,
                            TrackingLinks("http://shop.test", "s")) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    text = received.get_body(("plain",)).get_content()
    assert f"Add this order to your account: http://shop.test{guest_claims.CLAIM_PATH}{token}" in text
    assert order.number in text
    session.expire_all()
    assert session.get(Message, message.id).action_url is None  # only its hash stays
