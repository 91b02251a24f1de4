"""A guest's cart (issue 17): several configured products kept by a random token,
ordered as a guest in one order with several items, moved into the account's cart at
sign-in, cleaned after 30 days; read back through a second session, on every database."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import (
    cart,
    catalogs,
    checkout,
    guest_cart_checkout,
    guest_carts,
    guest_claims,
    orders,
)
from configurator.services.errors import InvalidSelection, NotFound, NotOrderable
from configurator.store import User, session_factory
from configurator.store.cart import CartLine
from configurator.store.guest_carts import GuestCart, GuestCartItem
from configurator.store.messages import Message
from configurator.store.models import Configuration, Interaction, Order
from configurator.store.types import utcnow
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.read_back import reads_back

HOME = checkout.AddressInput("Gina Gast", "Hauptstr. 1", "10115", "Berlin", "DE")
SUBMISSION = "review-form-token-0001"


@pytest.fixture
def token(bike):
    return guest_carts.new_token()


def two_in_cart(session, token):
    guest_carts.add(session, token, "test-bike", "Carbon racer", CARBON_BIKE)
    guest_carts.add(session, token, "test-bike", "Alu commuter", COMPLETE_BIKE, 2)


def check_out(session, token, email="gina@example.com", **extra):
    reviewed = guest_carts.contents(session, token).token
    return guest_cart_checkout.place_order(session, token, reviewed, email, address=HOME,
                                           terms_accepted=True, **extra)


@reads_back(guest_carts.add, guest_carts.set_quantity, guest_carts.remove, guest_carts.change)
def test_the_guest_cart_is_kept_by_its_token(session, second_session, token):
    two_in_cart(session, token)
    guest_carts.add(session, token, "test-bike", "Carbon again", CARBON_BIKE)  # same picks: one item
    with second_session() as other:
        kept = other.execute(sa.select(GuestCartItem.name, GuestCartItem.quantity)
                             .order_by(GuestCartItem.id)).all()
        assert kept == [("Carbon racer", 2), ("Alu commuter", 2)]
        stored = other.scalars(sa.select(GuestCart.token_hash)).one()
        assert token not in stored  # only the token's digest is kept
    carbon, alu = (item.key for item in guest_carts.contents(session, token).items)
    guest_carts.set_quantity(session, token, alu, 3)
    guest_carts.remove(session, token, carbon)
    guest_carts.change(session, token, alu, "Steel now", dict(COMPLETE_BIKE, frame="steel"))
    with second_session() as other:
        item = other.scalars(sa.select(GuestCartItem)).one()
        assert (item.name, item.quantity, item.selection["frame"]) == ("Steel now", 3, "steel")
    assert guest_carts.count(session, token) == 3


def test_another_token_reaches_nothing(session, token):
    two_in_cart(session, token)
    item = guest_carts.contents(session, token).items[0].key
    stranger = guest_carts.new_token()
    for attempt in (lambda: guest_carts.set_quantity(session, stranger, item, 5),
                    lambda: guest_carts.remove(session, stranger, item),
                    lambda: guest_carts.item_of(session, stranger, item),
                    lambda: guest_carts.remove(session, "not a token", item)):
        with pytest.raises(NotFound):
            attempt()
    assert guest_carts.contents(session, stranger).empty
    assert guest_carts.count(session, None) == 0
    assert guest_carts.contents(session, token).items[0].quantity == 1


def test_the_guest_cart_is_priced_as_for_any_visitor(session, token):
    two_in_cart(session, token)
    contents = guest_carts.contents(session, token, "fr")
    carbon, alu = contents.items
    assert (carbon.unit_total, carbon.quantity, carbon.currency) == (Decimal("825.00"), 1, "EUR")
    assert Decimal(alu.snapshot["total"]) == 2 * alu.unit_total
    assert contents.total == Decimal(carbon.snapshot["total"]) + Decimal(alu.snapshot["total"])
    assert contents.vat.country == "fr" and contents.vat.gross == contents.total
    assert contents.orderable and contents.offer is None


def test_bad_picks_and_quantities_are_refused_in_words(session, token):
    with pytest.raises(InvalidSelection):
        guest_carts.add(session, token, "test-bike", "", {"frame": "gold"})
    with pytest.raises(NotFound):
        guest_carts.add(session, token, "no-such-line", "", COMPLETE_BIKE)
    guest_carts.add(session, token, "test-bike", "", COMPLETE_BIKE)
    with pytest.raises(NotOrderable, match="between 1 and 99"):
        guest_carts.add(session, token, "test-bike", "", COMPLETE_BIKE, 99)
    item = guest_carts.contents(session, token).items[0]
    assert item.name == "My Test bike"  # no name: the product line's
    with pytest.raises(NotOrderable, match="between 1 and 99"):
        guest_carts.set_quantity(session, token, item.key, 0)


def test_an_item_of_an_older_catalog_blocks_the_checkout_until_reopened(session, token):
    guest_carts.add(session, token, "test-bike", "Carbon racer", CARBON_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    contents = guest_carts.contents(session, token)
    assert not contents.orderable and "catalog has changed" in str(contents.items[0].problem)
    with pytest.raises(NotOrderable, match="cannot be ordered"):
        check_out(session, token)
    item = contents.items[0].key
    guest_carts.change(session, token, item, "Carbon racer", guest_carts.item_of(
        session, token, item).selection)
    assert guest_carts.contents(session, token).orderable


@reads_back(guest_cart_checkout.place_order)
def test_a_guest_cart_is_one_guest_order_with_several_items(session, second_session, token):
    two_in_cart(session, token)
    order = check_out(session, token, email=" Gina@Example.com", locale="vi",
                      submission=SUBMISSION)
    with second_session() as other:
        stored = other.scalars(sa.select(Order)).one()
        guest = other.get(User, stored.owner_id)
        assert guest.email == "gina@example.com@guest.invalid" and guest.locale == "vi"
        items = orders.items_of(stored.snapshot)
        assert [(item["configuration"]["name"], item["quantity"]) for item in items] == [
            ("Carbon racer", 1), ("Alu commuter", 2)]
        saved = other.scalars(sa.select(Configuration.id).where(
            Configuration.owner_id == guest.id).order_by(Configuration.id)).all()
        assert [item["configuration"]["id"] for item in items] == saved
        assert stored.total == sum(Decimal(item["total"]) for item in items)
        assert stored.snapshot["checkout"]["guest"] is True
        assert stored.snapshot["checkout"]["vat"]["gross"] == str(stored.total)
        assert "offer" not in stored.snapshot
        message = other.scalars(sa.select(Message)).one()
        assert (message.kind, message.to_address, message.action_url) == (
            "order_confirmation", "gina@example.com", "/auth/signup")
        ordered = other.scalar(sa.select(Interaction.subject).where(Interaction.kind == "ordered"))
        assert ordered == f"Order {order.number}: Carbon racer, Alu commuter"
        assert other.scalar(sa.select(sa.func.count()).select_from(GuestCart)) == 0
        assert other.scalar(sa.select(sa.func.count()).select_from(CartLine)) == 0


def test_the_same_review_form_posted_twice_places_one_order(session, second_session, token):
    two_in_cart(session, token)
    reviewed = guest_carts.contents(session, token).token
    first = guest_cart_checkout.place_order(session, token, reviewed, "gina@example.com",
                                            address=HOME, terms_accepted=True,
                                            submission=SUBMISSION)
    again = guest_cart_checkout.place_order(session, token, reviewed, "gina@example.com",
                                            address=HOME, terms_accepted=True,
                                            submission=SUBMISSION)
    assert again.id == first.id
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 1
        assert other.scalar(sa.select(sa.func.count(Message.id))) == 1


@pytest.mark.parametrize("refusal", ["terms", "e-mail", "changed", "empty"])
def test_a_failed_checkout_keeps_the_cart(session, second_session, token, refusal):
    two_in_cart(session, token)
    reviewed = guest_carts.contents(session, token).token
    if refusal == "changed":
        guest_carts.add(session, token, "test-bike", "", dict(COMPLETE_BIKE, frame="steel"))
    cart_token = guest_carts.new_token() if refusal == "empty" else token
    with pytest.raises(checkout.CheckoutRefused, match={
            "terms": "terms", "e-mail": "valid e-mail", "changed": "changed",
            "empty": "empty"}[refusal]):
        guest_cart_checkout.place_order(
            session, cart_token, reviewed, "no-address" if refusal == "e-mail" else "g@example.com",
            address=HOME, terms_accepted=refusal != "terms")
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 0
        assert other.scalar(sa.select(sa.func.count(User.id))) == 0  # no guest record either
        assert other.scalar(sa.select(sa.func.count(GuestCartItem.id))) == (
            3 if refusal == "changed" else 2)


def test_the_claim_link_moves_every_item_of_a_guest_cart_order(session, token):
    account = gen_user(session, "gina@example.com", name="Gina")
    account.email_verified_at = utcnow()
    session.commit()
    two_in_cart(session, token)
    order = check_out(session, token)
    link = session.scalar(sa.select(Message.action_url).where(Message.kind == "order_confirmation"))
    assert link.startswith(guest_claims.CLAIM_PATH)
    guest_claims.claim_order(session, account, link.removeprefix(guest_claims.CLAIM_PATH))
    assert session.get(Order, order.id).owner_id == account.id
    moved = session.scalars(sa.select(Configuration.name).where(
        Configuration.owner_id == account.id).order_by(Configuration.id)).all()
    assert moved == ["Carbon racer", "Alu commuter"]


@reads_back(guest_carts.move_to_account)
def test_at_sign_in_the_items_move_into_the_accounts_cart(session, second_session, token):
    mia = gen_user(session, "mia@example.com", name="Mia")
    kept = gen_configuration(session, mia, CARBON_BIKE, name="Her carbon")
    cart.add(session, mia, kept.id)
    two_in_cart(session, token)
    guest_carts.add(session, token, "test-bike", "", CARBON_BIKE)  # now 2 of the carbon
    assert guest_carts.move_to_account(session, token, mia) == 2
    with second_session() as other:
        lines = other.execute(sa.select(Configuration.name, CartLine.quantity)
                              .join(CartLine.configuration).order_by(CartLine.id)).all()
        assert lines == [("Her carbon", 2), ("Alu commuter", 2)]  # no second carbon line
        assert other.scalar(sa.select(sa.func.count()).select_from(GuestCart)) == 0
    assert guest_carts.move_to_account(session, token, mia) == 0  # used up
    assert cart.contents(session, mia).orderable


def test_a_moved_item_keeps_its_catalog_version(session, token):
    mia = gen_user(session, "mia@example.com")
    guest_carts.add(session, token, "test-bike", "Old", CARBON_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    guest_carts.move_to_account(session, token, mia)
    (item,) = cart.contents(session, mia).items
    assert item.revision.catalog_version.number == 1 and "catalog has changed" in str(item.problem)


@reads_back(guest_carts.expire)
def test_carts_left_alone_for_30_days_are_cleaned(session, second_session, token):
    two_in_cart(session, token)
    fresh = guest_carts.new_token()
    later = utcnow() + timedelta(days=20)
    guest_carts.add(session, fresh, "test-bike", "", COMPLETE_BIKE, now=later)
    assert guest_carts.find(session, token, now=utcnow() + timedelta(days=31)) is None
    assert guest_carts.expire(session, now=utcnow() + timedelta(days=31)) == 1
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(GuestCart)) == 1
        assert other.scalar(sa.select(sa.func.count()).select_from(GuestCartItem)) == 1


@pytest.mark.postgresql_only  # SQLite serialises every writer, so there is no race to test
@pytest.mark.parametrize("same_form", [True, False])
def test_two_checkouts_of_one_cart_at_once_place_one_order(db_engine, session, token, same_form):
    two_in_cart(session, token)
    reviewed = guest_carts.contents(session, token).token
    make = session_factory(db_engine)
    start = threading.Barrier(2)
    answers: list[str] = []

    def post_once(submission: str) -> None:
        with make() as own:
            start.wait()
            try:
                answers.append(guest_cart_checkout.place_order(
                    own, token, reviewed, "gina@example.com", address=HOME, terms_accepted=True,
                    submission=submission).number)
            except checkout.CheckoutRefused as refused:
                answers.append(str(refused))

    forms = [SUBMISSION, SUBMISSION if same_form else "review-form-token-0002"]
    threads = [threading.Thread(target=post_once, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with make() as other:
        number = other.scalars(sa.select(Order.number)).one()
    # The same form: both see its order; another form at the same moment: the cart is gone.
    assert sorted(answers) == sorted([number, number if same_form else "Your cart is empty."])
