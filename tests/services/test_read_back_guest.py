"""Guest orders (issue 17), read back through a second session: a guest orders by
e-mail, the confirmation goes to that address over real SMTP, and the order moves
to the account that signs up with the address only once the address is confirmed."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from configurator.services import checkout, guest_orders, verification
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import User, session_factory
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order
from tests.helpers import CARBON_BIKE, gen_user
from tests.services.read_back import reads_back

FAST = "pbkdf2:sha256:1000"
HOME = checkout.AddressInput("Gina Gast", "Hauptstr. 1", "10115", "Berlin", "DE")


def order_as_guest(session, bike, email="gina@example.com", **extra):
    return guest_orders.place_order(session, email, bike.catalog_id, CARBON_BIKE,
                                    name="My bike", address=HOME, terms_accepted=True, **extra)


def confirm_sign_up(session, email="gina@example.com"):
    """Sign up with `email` and follow the confirmation link; the account."""
    verification.sign_up(session, email, "password123", "Gina", password_method=FAST)
    account = session.scalar(sa.select(User).where(User.email == email))
    link = session.scalar(sa.select(Message.action_url).where(
        Message.kind == "email_verification", Message.recipient_id == account.id))
    verification.confirm(session, link.removeprefix(verification.VERIFY_PATH))
    return account


@reads_back(guest_orders.place_order)
def test_a_guest_orders_by_e_mail(session, second_session, bike):
    order = order_as_guest(session, bike, email=" Gina@Example.com", locale="vi")
    with second_session() as other:
        kept = other.scalars(sa.select(Order)).one()
        guest = other.get(User, kept.owner_id)
        assert (guest.email, guest.locale, guest.name) == (
            "gina@example.com@guest.invalid", "vi", "Gina Gast")
        assert guest_orders.is_guest(guest) and not guest.check_password("")
        assert kept.number == order.number and kept.snapshot["checkout"]["guest"] is True
        assert kept.snapshot["checkout"]["country"] == "de"
        message = other.scalars(sa.select(Message)).one()
        assert (message.kind, message.to_address, message.recipient_id) == (
            "order_confirmation", "gina@example.com", guest.id)
        assert message.action_url == "/auth/signup"
    # A second guest order of the address goes to the same guest record.
    order_as_guest(session, bike, email="gina@example.com")
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(User.id))) == 1
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 2


@pytest.mark.parametrize("email", ["", "no-address", "a@b", "two@at@example.com",
                                   "x" * 250 + "@example.com"])
def test_a_bad_e_mail_is_refused_in_words(session, bike, email):
    with pytest.raises(checkout.CheckoutRefused, match="valid e-mail"):
        order_as_guest(session, bike, email=email)
    assert session.scalar(sa.select(sa.func.count(Order.id))) == 0


def test_no_terms_no_order(session, bike):
    with pytest.raises(checkout.CheckoutRefused, match="terms"):
        guest_orders.place_order(session, "gina@example.com", bike.catalog_id, CARBON_BIKE,
                                 name="", address=HOME, terms_accepted=False)
    assert session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_checkout_refused_after_the_guest_record_leaves_nothing(session, second_session, bike):
    """The guest record is made before the address is read; a refused address rolls
    it back with the rest (on SQLite a savepoint once committed it on its own)."""
    nowhere = checkout.AddressInput("Gina Gast", "", "", "", "DE")
    with pytest.raises(checkout.CheckoutRefused):
        guest_orders.place_order(session, "gina@example.com", bike.catalog_id, CARBON_BIKE,
                                 name="", address=nowhere, terms_accepted=True)
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(User.id))) == 0
        assert other.scalar(sa.select(sa.func.count(Address.id))) == 0


def test_the_guest_confirmation_arrives_over_smtp(session, bike, smtp_server):
    order = order_as_guest(session, bike)
    message = session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport,
                            TrackingLinks("http://shop.test", "s")) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    assert received["To"] == "gina@example.com" and order.number in received["Subject"]
    assert "Hauptstr. 1" in received.get_body(("plain",)).get_content()


@reads_back(verification.confirm)
def test_the_orders_move_only_when_the_address_is_confirmed(session, second_session, bike):
    first, second = order_as_guest(session, bike), order_as_guest(session, bike)
    guest_id = first.owner_id
    verification.sign_up(session, "gina@example.com", "password123", "Gina", password_method=FAST)
    with second_session() as other:  # signed up, not confirmed: nothing moved
        account = other.scalar(sa.select(User).where(User.email == "gina@example.com"))
        assert other.scalars(sa.select(Order.owner_id)).all() == [guest_id, guest_id]
    link = session.scalar(sa.select(Message.action_url).where(
        Message.kind == "email_verification"))
    verification.confirm(session, link.removeprefix(verification.VERIFY_PATH))
    with second_session() as other:
        assert set(other.scalars(sa.select(Order.owner_id))) == {account.id}
        assert set(other.scalars(sa.select(Configuration.owner_id))) == {account.id}
        assert set(other.scalars(sa.select(Address.owner_id))) == {account.id}
        guest_mail = other.scalar(sa.select(Message.recipient_id).where(
            Message.kind == "order_confirmation"))
        assert guest_mail == account.id  # the confirmations show in the account's inbox
        claimed = other.scalars(sa.select(Interaction.subject).where(
            Interaction.customer_id == account.id, Interaction.kind == "guest_order_claimed")
            .order_by(Interaction.id)).all()
        assert claimed == [f"Your guest order {first.number} is now in your account",
                           f"Your guest order {second.number} is now in your account"]
        ordered = other.scalars(sa.select(Interaction.customer_id).where(
            Interaction.kind == "ordered")).all()
        assert ordered == [account.id, account.id]  # the guest's timeline moved along


def test_another_address_claims_nothing(session, bike):
    order = order_as_guest(session, bike)
    account = confirm_sign_up(session, "other@example.com")
    assert session.get(Order, order.id).owner_id != account.id


def test_an_account_made_otherwise_claims_at_its_first_proof(session, bike):
    """An account staff made (no sign-up link) claims when a reset link proves the address."""
    order = order_as_guest(session, bike)
    account = gen_user(session, "gina@example.com")
    assert session.get(Order, order.id).owner_id != account.id
    from configurator.services import passwords

    passwords.request_reset(session, "gina@example.com")
    link = session.scalar(sa.select(Message.action_url).where(Message.kind == "password_reset"))
    passwords.use_link(session, link.removeprefix("/auth/reset/"), "reset", "new-password1",
                       password_method=FAST)
    assert session.get(Order, order.id).owner_id == account.id


SUBMISSION = "review-form-token-0001"


def test_the_same_review_form_posted_twice_places_one_order(session, second_session, bike):
    first = order_as_guest(session, bike, submission=SUBMISSION)
    again = order_as_guest(session, bike, submission=SUBMISSION)
    assert again.id == first.id
    assert guest_orders.placed_with(session, " GINA@example.com", SUBMISSION).id == first.id
    assert guest_orders.placed_with(session, "other@example.com", SUBMISSION) is None
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 1
        assert other.scalar(sa.select(sa.func.count(Message.id))) == 1  # one confirmation
        assert other.get(Order, first.id).snapshot["checkout"]["submission"] == SUBMISSION
    # Another review (another token), or none: another order, as the guest asked.
    assert order_as_guest(session, bike, submission="review-form-token-0002").id != first.id
    assert order_as_guest(session, bike, submission="no").id != first.id  # not a token: ignored
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 3


@pytest.mark.postgresql_only  # SQLite serialises every writer, so there is no race to test
@pytest.mark.parametrize("known_guest", [False, True])
def test_two_posts_at_once_place_one_order(backend, db_engine, session, bike, known_guest):
    if known_guest:  # the guest record exists (locked), or is being made by both (unique e-mail)
        order_as_guest(session, bike)
    make = session_factory(db_engine)
    start = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def post_once() -> None:
        with make() as own:
            start.wait()
            try:
                numbers.append(order_as_guest(own, bike, submission=SUBMISSION).number)
            except Exception as error:  # noqa: BLE001  (reported by the main thread)
                errors.append(error)

    threads = [threading.Thread(target=post_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    with make() as other:
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 1 + known_guest
        assert other.scalar(sa.select(sa.func.count(User.id))) == 1


@reads_back(guest_orders.place_order)
def test_an_unnamed_guest_configuration_is_named_like_an_unnamed_save(
    session, second_session, bike
):
    """It was named by the product line's id ("test-bike"), which the account's list and
    timeline showed once the order was claimed; an unnamed save is "My Test bike"."""
    guest_orders.place_order(session, "gina@example.com", bike.catalog_id, CARBON_BIKE, name="",
                             address=HOME, terms_accepted=True)
    with second_session() as other:
        assert other.scalars(sa.select(Configuration.name)).one() == "My Test bike"
