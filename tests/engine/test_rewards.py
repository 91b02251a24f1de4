"""An offer's reward on the engine's price: exact Decimal, and its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.engine import load_catalog
from configurator.engine.rewards import Reward, apply, best
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE

BIKE = load_catalog(DATA / "bike.yaml")


def test_a_discount_comes_off_the_total_rounded_half_up_to_the_cent():
    breakdown = BIKE.price(dict(COMPLETE_BIKE, extras=["bell"]))  # 120+30+5+10+25 = 190
    priced = apply(breakdown, Reward("spring", "Spring offer", percent=Decimal("12.5")))
    assert priced.amount == Decimal("-23.75")
    assert priced.total == Decimal("166.25")
    assert priced.reason == "Spring offer: 12.5 % off"
    odd = apply(BIKE.price(dict(COMPLETE_BIKE, extras=["bell"])),
                Reward("x", "X", percent=Decimal("3.33")))
    assert odd.amount == Decimal("-6.33")  # 6.327 rounds to 6.33


def test_a_free_add_on_is_free_only_when_chosen():
    reward = Reward("bell", "Bell offer", free=("extras", "bell"))
    with_bell = apply(BIKE.price(dict(COMPLETE_BIKE, extras=["bell", "rack"])), reward)
    assert with_bell.amount == Decimal("-5.00")
    assert with_bell.reason == "Bell offer: Bell free"
    assert with_bell.total == BIKE.price(dict(COMPLETE_BIKE, extras=["rack"])).total
    assert apply(BIKE.price(COMPLETE_BIKE), reward) is None
    assert with_bell.to_json() == {
        "campaign": "bell", "label": "Bell offer", "reason": "Bell offer: Bell free", "amount": "-5.00"}


@pytest.mark.parametrize("given", [
    {}, {"percent": Decimal(0)}, {"percent": Decimal(95)},
    {"percent": Decimal(5), "free": ("extras", "bell")},
])
def test_a_reward_is_one_thing_within_bounds(given):
    with pytest.raises(ValueError):
        Reward("x", "X", **given)


def test_of_two_rewards_the_larger_wins_whatever_their_order():
    newest = Reward("spring", "Spring offer", percent=Decimal(10))
    older = Reward("rack", "Rack offer", free=("extras", "rack"))
    both = BIKE.price(dict(COMPLETE_BIKE, extras=["bell", "rack"]))
    assert both.total == Decimal("215.00")
    chosen = best(both, [newest, older])  # 10 % is 21.50; the rack is 25.00
    assert (chosen.reward, chosen.amount, chosen.total) == (older, Decimal("-25.00"), Decimal("190.00"))
    assert chosen.reason == "Rack offer: Rack free"
    without_rack = BIKE.price(dict(COMPLETE_BIKE, extras=["bell"]))
    assert best(without_rack, [newest, older]).reward == newest  # the rack's reward does not apply
    assert best(without_rack, [older]) is None
    same = Reward("autumn", "Autumn offer", percent=Decimal(10))
    assert best(both, [same, newest]).reward == same  # a tie goes to the first (the newest)
