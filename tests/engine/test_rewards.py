"""An offer's reward on the engine's price: exact Decimal, and its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.engine import load_catalog
from configurator.engine.rewards import Reward, apply
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
