"""A cart order holding two items of one product line is one purchase of that line
(quantities shared out), not two: the needs profile and the offers' "bought again and
again" count it once. On every database (the `session` fixture)."""

from __future__ import annotations

from decimal import Decimal

from configurator.services import cart, cart_checkout, checkout, customer_value
from configurator.services.offers import choice
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, gen_configuration, gen_user

HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")


def gen_cart_order(session, owner, *picks_and_quantities):
    """One cart order of the test bike with an item per (picks, quantity)."""
    for number, (selection, quantity) in enumerate(picks_and_quantities, start=1):
        configuration = gen_configuration(session, owner, selection, name=f"Bike {number}")
        cart.add(session, owner, configuration.id, quantity)
    token = cart.contents(session, owner).token
    return cart_checkout.place_order(session, owner, token, terms_accepted=True, new_address=HOME)


def _frame(profile):
    [line] = profile
    [frame] = [f for _, features in line.dimensions for f in features if f.feature == "frame"]
    return line, {t.option: (t.share, t.ordered) for t in frame.tendencies}


def test_two_bikes_in_one_cart_order_are_one_order_in_the_needs_profile(session, bike):
    customer = gen_user(session)
    staff = gen_user(session, role="staff")
    gen_cart_order(session, customer, (CARBON_BIKE, 3), (COMPLETE_BIKE, 1))
    line, frame = _frame(customer_value.needs.profile(session, staff, customer.id))
    assert (line.configurations, line.orders) == (2, 1)
    # Weights: each saved configuration 1; the order 3, shared 3:1 by quantity, so
    # carbon 1 + 9/4, alu 1 + 3/4, out of 2 + 3 = 5.
    assert frame == {"carbon": (Decimal("65.0"), 1), "alu": (Decimal("35.0"), 1)}


def test_a_cart_order_of_two_bikes_is_not_bought_again_and_again(session, bike):
    customer = gen_user(session)
    gen_cart_order(session, customer, (COMPLETE_BIKE, 1), (dict(COMPLETE_BIKE, extras=["bell"]), 1))
    items = choice.choose(session, customer)
    assert [item.kind for item in items] == ["premium"]  # alu ordered once: nothing repeated
    gen_cart_order(session, customer, (COMPLETE_BIKE, 2))
    again = choice.choose(session, customer)
    assert [(i.kind, i.option) for i in again][:2] == [("again", "alu"), ("again", "rim")]
    assert again[0].why == "You ordered it 2 times"
