"""The cart: several configurations with quantities, ordered in one checkout as one
order with several items; read back through a second session, on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from configurator.services import (
    cart,
    cart_checkout,
    catalogs,
    checkout,
    invoices,
    orders,
    payments,
    workbench,
)
from configurator.services.customer_value import personalize
from configurator.services.errors import NotFound, NotOrderable, StaleRevision
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.services.workbench import saved_view
from configurator.store.cart import CartLine
from configurator.store.deliveries import Delivery
from configurator.store.messages import Message
from configurator.store.models import Interaction, Order, Revision
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.read_back import reads_back

REPO = Path(__file__).resolve().parents[2]
HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")
COFFEE = {  # a weekly coffee with a one-off dripper (as in test_read_back_deliveries.py)
    "extras": ["pour_over_dripper"], "amount": "g250", "frequency": "weekly", "roast": "medium",
    "origin": "house_blend", "process": "washed", "grind": "whole_bean", "packing": "letterbox_box",
    "bag": "kraft_valve_bag", "label": "standard_label", "carrier": "letterbox_post",
    "delivery_day": "any_day", "plan": "pay_per_delivery", "payment": "card",
}


@pytest.fixture
def mia(session, bike):
    return gen_user(session, "mia@example.com", name="Mia")


def _two_in_cart(session, mia):
    carbon = gen_configuration(session, mia, CARBON_BIKE, name="Carbon racer")
    alu = gen_configuration(session, mia, COMPLETE_BIKE, name="Alu commuter")
    cart.add(session, mia, carbon.id)
    cart.add(session, mia, alu.id, 2)
    return carbon, alu


@reads_back(cart.add, cart.set_quantity, cart.remove)
def test_the_cart_is_kept_with_quantities(session, second_session, mia):
    carbon, alu = _two_in_cart(session, mia)
    cart.add(session, mia, carbon.id)  # again: one line, one more of it
    line = session.scalar(sa.select(CartLine).where(CartLine.configuration_id == alu.id))
    cart.set_quantity(session, mia, line.id, 3)
    with second_session() as other:
        kept = dict(other.execute(sa.select(CartLine.configuration_id, CartLine.quantity)).all())
        assert kept == {carbon.id: 2, alu.id: 3}
    cart.remove(session, mia, line.id)
    with second_session() as other:
        assert other.scalars(sa.select(CartLine.configuration_id)).all() == [carbon.id]
    assert cart.count(session, mia) == 2


def test_the_cart_totals_each_line_and_the_whole(session, mia):
    _two_in_cart(session, mia)
    contents = cart.contents(session, mia)
    carbon, alu = contents.items
    assert (carbon.unit_total, carbon.quantity) == (Decimal("825.00"), 1)
    assert alu.quantity == 2 and Decimal(alu.snapshot["total"]) == 2 * alu.unit_total
    assert contents.total == Decimal(carbon.snapshot["total"]) + Decimal(alu.snapshot["total"])
    assert contents.vat.gross == contents.total and contents.vat.country == "de"
    assert contents.vat.net + contents.vat.vat == contents.total
    assert alu.vat.gross == Decimal(alu.snapshot["total"])
    assert contents.orderable and contents.recurring is None


def test_quantities_and_others_lines_are_refused_in_words(session, mia):
    carbon, _ = _two_in_cart(session, mia)
    line = session.scalar(sa.select(CartLine).where(CartLine.configuration_id == carbon.id))
    with pytest.raises(NotOrderable, match="between 1 and 99"):
        cart.set_quantity(session, mia, line.id, 0)
    with pytest.raises(NotOrderable, match="between 1 and 99"):
        cart.add(session, mia, carbon.id, 99)
    bob = gen_user(session, "bob@example.com")
    with pytest.raises(NotFound):
        cart.remove(session, bob, line.id)
    with pytest.raises(NotFound):
        cart.add(session, bob, carbon.id)


def test_an_incomplete_line_blocks_the_checkout(session, mia):
    _two_in_cart(session, mia)
    unfinished = gen_configuration(session, mia, {"frame": "alu"}, name="Unfinished")
    cart.add(session, mia, unfinished.id)
    contents = cart.contents(session, mia)
    assert not contents.orderable
    assert "complete" in contents.items[-1].problem.lower()
    with pytest.raises(NotOrderable, match="cannot be ordered"):
        cart_checkout.place_order(session, mia, contents.token, terms_accepted=True, new_address=HOME)
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


@reads_back(cart_checkout.place_order)
def test_one_checkout_orders_every_line_as_one_order(session, second_session, mia):
    carbon, alu = _two_in_cart(session, mia)
    contents = cart.contents(session, mia)
    order = cart_checkout.place_order(
        session, mia, contents.token, terms_accepted=True, new_address=HOME
    )
    again = cart_checkout.place_order(  # the same form posted twice: the same order
        session, mia, contents.token, terms_accepted=True, new_address=HOME
    )
    assert again.id == order.id
    with second_session() as other:
        stored = other.scalar(sa.select(Order).where(Order.number == order.number))
        items = orders.items_of(stored.snapshot)
        assert [item["configuration"]["name"] for item in items] == ["Carbon racer", "Alu commuter"]
        assert [item["quantity"] for item in items] == [1, 2]
        assert stored.total == sum(Decimal(item["total"]) for item in items)
        assert stored.snapshot["checkout"]["vat"]["gross"] == str(stored.total)
        assert other.scalar(sa.select(sa.func.count()).select_from(CartLine)) == 0
        assert other.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
        assert other.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 1
        subject = other.scalar(sa.select(Interaction.subject).where(Interaction.kind == "ordered"))
        assert subject == f"Order {order.number}: Carbon racer, Alu commuter"
    invoice = invoices.invoice(session, mia, order.number)
    assert {line["item"] for line in invoice.lines} == {"Carbon racer", "Alu commuter"}
    assert payments.provider().payment(order).kind == "prepayment"


def test_a_changed_cart_is_not_ordered_unseen(session, mia):
    carbon, _ = _two_in_cart(session, mia)
    token = cart.contents(session, mia).token
    cart.add(session, mia, carbon.id)
    with pytest.raises(checkout.CheckoutRefused, match="changed"):
        cart_checkout.place_order(session, mia, token, terms_accepted=True, new_address=HOME)
    with pytest.raises(checkout.CheckoutRefused, match="terms"):
        cart_checkout.place_order(session, mia, token, terms_accepted=False, new_address=HOME)


@reads_back(cart.add_new, cart.save_and_add, cart.add_again)
def test_adding_from_the_configurator_and_again_from_an_order(session, second_session, mia):
    line = cart.add_new(session, mia, "test-bike", "From the shop", CARBON_BIKE)
    saved = gen_configuration(session, mia, COMPLETE_BIKE, name="Saved")
    cart.save_and_add(session, mia, saved.id, 1, CARBON_BIKE)
    with second_session() as other:
        names = other.execute(
            sa.select(CartLine.quantity).where(CartLine.id == line.id)
        ).scalar_one()
        assert names == 1 and other.scalar(sa.select(sa.func.count()).select_from(CartLine)) == 2
    order = cart_checkout.place_order(
        session, mia, cart.contents(session, mia).token, terms_accepted=True, new_address=HOME
    )
    assert orders.items_of(order.snapshot)[1]["configuration"]["revision"] == 2
    with pytest.raises(NotOrderable, match="several configurations"):
        orders.reorder(session, mia, order.number)
    assert cart.add_again(session, mia, order.number) == 2
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(CartLine)) == 2


def test_the_confirmation_lists_every_item_over_smtp(session, mia, smtp_server):
    _two_in_cart(session, mia)
    order = cart_checkout.place_order(
        session, mia, cart.contents(session, mia).token, terms_accepted=True, new_address=HOME
    )
    message = session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport, TrackingLinks("http://shop.test", "s")) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    text = received.get_body(("plain",)).get_content()
    assert order.number in received["Subject"]
    assert "Carbon racer (Test bike): 1 x 825.00 = 825.00" in text
    assert "Alu commuter (Test bike): 2 x" in text
    assert f"Total {order.total:,} EUR" in text  # grouped thousands, as amounts in phrases are


def test_a_subscription_and_a_one_off_item_pay_the_subscription_again(session, mia):
    catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml")
    coffee = gen_configuration(session, mia, COFFEE, name="Weekly", catalog_id="coffee-subscription")
    bike = gen_configuration(session, mia, CARBON_BIKE, name="Bike")
    cart.add(session, mia, coffee.id)
    cart.add(session, mia, bike.id)
    contents = cart.contents(session, mia)
    recurring = contents.recurring
    assert recurring.today == contents.total and recurring.per_delivery == Decimal("8.90")
    order = cart_checkout.place_order(session, mia, contents.token, terms_accepted=True, new_address=HOME)
    planned = session.scalars(sa.select(Delivery).where(Delivery.order_id == order.id)).all()
    assert len(planned) > 1 and planned[1].amount == Decimal("8.90")


def test_each_cart_item_keeps_its_catalog_version_and_readers_see_every_item(
        session, second_session, mia):
    """Issue 14's left-over: a cart order of a bike and then a weekly coffee. The order's
    own column is the bike's version; the coffee keeps its own, and the release impact,
    the saved-work page and the suggestions of the coffee line all see the coffee."""
    coffee_version = catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml")
    bike = gen_configuration(session, mia, CARBON_BIKE, name="Bike")
    coffee = gen_configuration(session, mia, COFFEE, name="Weekly", catalog_id="coffee-subscription")
    cart.add(session, mia, bike.id)
    cart.add(session, mia, coffee.id)
    contents = cart.contents(session, mia)
    order = cart_checkout.place_order(session, mia, contents.token, terms_accepted=True,
                                      new_address=HOME)
    with second_session() as other:
        stored = other.scalar(sa.select(Order).where(Order.number == order.number))
        first, second = orders.items_of(stored.snapshot)
        bike_version = catalogs.current(other, "test-bike").id
        assert stored.catalog_version_id == first["catalog_version_id"] == bike_version
        assert second["catalog_version_id"] == coffee_version.version.id != first["catalog_version_id"]
        affected = list(workbench.impact.subscriptions(other, "coffee-subscription"))
        assert [(work.record_id, dict(work.selection)) for work in affected] == [
            (stored.id, COFFEE)]
        assert list(workbench.impact.subscriptions(other, "test-bike")) == []  # a one-off bike
        view = saved_view.describe(other, "coffee-subscription", "subscription", stored.id)
        assert len(view.items) == 1
        rows = personalize.training_rows(other, "coffee-subscription")
        assert (COFFEE, personalize.ORDER_WEIGHT) in [(dict(r.selections), r.weight) for r in rows]
        bike_rows = personalize.training_rows(other, "test-bike")
        assert (CARBON_BIKE, personalize.ORDER_WEIGHT) in [
            (dict(r.selections), r.weight) for r in bike_rows]


def test_a_cart_order_to_iran_counts_the_iranian_weekend(session, second_session, mia):
    _two_in_cart(session, mia)
    token = cart.contents(session, mia, "IR").token
    tehran = checkout.AddressInput("Sara Ahmadi", "Valiasr St. 12", "1434843111", "Tehran", "IR")
    wednesday = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    order = cart_checkout.place_order(session, mia, token, terms_accepted=True,
                                      new_address=tehran, now=wednesday)
    # The carbon bike's three working days from Wednesday: Thursday 3rd, then not Iran's
    # Friday nor the German weekend, Monday 7th, Tuesday 8th (Monday to Friday: the 7th).
    with second_session() as other:
        assert other.get(Order, order.id).snapshot["estimated_delivery"] == "2026-12-08"


@reads_back(cart.change_line)
def test_a_reopened_line_is_saved_in_its_place_with_its_quantity(session, second_session, mia):
    carbon, alu = _two_in_cart(session, mia)
    line = session.scalar(sa.select(CartLine).where(CartLine.configuration_id == alu.id))
    assert cart.place_of(session, mia, line.id) == (2, line)
    cart.change_line(session, mia, line.id, 1, dict(COMPLETE_BIKE, frame="steel"))
    with second_session() as other:
        kept = other.execute(sa.select(CartLine.id, CartLine.configuration_id, CartLine.quantity)
                             .order_by(CartLine.added_at, CartLine.id)).all()
        assert [tuple(row) for row in kept][1] == (line.id, alu.id, 2)
        newest = other.scalar(sa.select(Revision).where(Revision.configuration_id == alu.id)
                              .order_by(Revision.number.desc()).limit(1))
        assert (newest.number, newest.selection["frame"]) == (2, "steel")
    with pytest.raises(StaleRevision):  # another tab saved revision 2 meanwhile
        cart.change_line(session, mia, line.id, 1, CARBON_BIKE)
    with pytest.raises(NotFound):
        cart.change_line(session, gen_user(session, "bob@example.com"), line.id, 2, CARBON_BIKE)
    assert cart.contents(session, mia).items[1].snapshot["selection"]["frame"] == "steel"
