"""An offer's reward at the cart's checkout (issue 17), read back through a second
session: the same rules as the checkout of one configuration (offer group only, not
after unsubscribing, an offered item in the order), one reward per order, the
largest an item would get alone, priced by the engine; accepted once."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from configurator.services import cart, cart_checkout, catalogs, checkout, invoices
from configurator.services.customer_value import margins
from configurator.services.offers import campaigns, holdout
from configurator.store.models import Interaction, Order
from configurator.store.offers import OfferEvent
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, gen_configuration
from tests.services.read_back import reads_back
from tests.services.test_read_back_offers import gen_campaign, gen_customer_in, kinds

HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")


def fill_cart(session, customer):
    """A carbon racer (825.00) and two alu commuters (185.00 each)."""
    carbon = gen_configuration(session, customer, CARBON_BIKE, name="Carbon racer")
    alu = gen_configuration(session, customer, COMPLETE_BIKE, name="Alu commuter")
    cart.add(session, customer, carbon.id)
    cart.add(session, customer, alu.id, 2)


def order_cart(session, customer):
    token = cart.contents(session, customer).token
    return cart_checkout.place_order(session, customer, token, terms_accepted=True, new_address=HOME)


@reads_back(cart_checkout.place_order)
def test_the_cart_order_gets_the_largest_reward_of_its_items(session, second_session, bike):
    campaign = gen_campaign(session)  # 10 % off an order with an offered item
    customer = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, customer)  # offered: alu, rim (ordered twice), carbon (premium)
    fill_cart(session, customer)
    contents = cart.contents(session, customer)
    # Alone, the racer gets 82.50 off and the two commuters 2 x 18.50: the racer's wins.
    assert [item.offer["amount"] for item in contents.items] == ["-82.50", "-37.00"]
    assert contents.offer == {"campaign": "spring", "label": "Spring offer",
                              "reason": "Spring offer: 10 % off", "amount": "-82.50",
                              "item": "Carbon racer"}
    assert contents.total == Decimal("825.00") + 2 * Decimal("185.00") - Decimal("82.50")

    order = order_cart(session, customer)
    with second_session() as other:
        kept = other.get(Order, order.id)
        assert kept.total == Decimal("1112.50")
        assert kept.snapshot["offer"]["amount"] == "-82.50"
        assert kept.snapshot["checkout"]["vat"]["gross"] == "1112.50"
        assert kinds(other, customer.id) == ["shown", "accepted"]
        assert other.scalar(sa.select(OfferEvent.order_id).where(OfferEvent.kind == "accepted")) == order.id
        assert other.scalar(sa.select(Interaction.subject).where(
            Interaction.kind == "offer_accepted")) == \
            f"Accepted the offer: Spring offer: 10 % off on order {order.number}"
        lines = invoices.invoice(other, other.get(type(customer), customer.id), order.number).lines
        assert lines[-1]["amount"] == "-82.50"  # the invoice lists the reward
    again = cart_checkout.place_order(session, customer, contents.token, terms_accepted=True,
                                      new_address=HOME)
    assert again.id == order.id
    assert kinds(session, customer.id) == ["shown", "accepted"]  # a double post accepts once


def test_the_holdout_and_the_unsubscribed_pay_list_price_in_the_cart(session, bike):
    campaign = gen_campaign(session)
    held = gen_customer_in(session, campaign, holdout.HOLDOUT)
    campaigns.reach(session, held)
    fill_cart(session, held)
    assert cart.contents(session, held).offer is None
    order = order_cart(session, held)
    assert "offer" not in order.snapshot and order.total == Decimal("1195.00")

    left = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, left)
    fill_cart(session, left)
    assert cart.contents(session, left).offer is not None
    campaigns.unsubscribe(session, left, campaign.id)
    assert cart.contents(session, left).offer is None
    assert "offer" not in order_cart(session, left).snapshot


def test_the_reward_gives_up_margin_in_a_cart_order(session, bike, tmp_path):
    """Two customers order the same cart, one with the 10 % (82.50) off: the margin
    (net of VAT, less the options' cost) differs by exactly what their nets differ."""
    text = (DATA / "bike.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 2")
    costed = re.sub(r"price: (\d+\.\d+)\}",
                    lambda found: f"price: {found.group(1)}, cost: {Decimal(found.group(1)) / 2}}}", text)
    (tmp_path / "bike.yaml").write_text(costed, encoding="utf-8")
    catalogs.load_file(session, tmp_path / "bike.yaml")  # version 2, with a cost on every option
    campaign = gen_campaign(session)
    shown = gen_customer_in(session, campaign, holdout.OFFER)
    held = gen_customer_in(session, campaign, holdout.HOLDOUT)
    orders = {}
    for customer in (shown, held):
        campaigns.reach(session, customer)
        fill_cart(session, customer)
        orders[customer.id] = order_cart(session, customer)
    with_reward, without = orders[shown.id], orders[held.id]
    assert Decimal(with_reward.snapshot["offer"]["amount"]) == Decimal("-82.50")
    nets = [Decimal(order.snapshot["checkout"]["vat"]["net"]) for order in (with_reward, without)]
    assert nets[1] - nets[0] == Decimal("69.33")  # 82.50 without its 19 % VAT
    assert margins.order_margin(without) - margins.order_margin(with_reward) == nets[1] - nets[0]
