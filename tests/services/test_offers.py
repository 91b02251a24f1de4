"""Offers: a stable random holdout, and the uplift report on data whose uplift is known."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from configurator.services.offers import holdout, uplift

TENTH = Decimal("0.1")


def test_a_customer_stays_in_the_same_group():
    first = [holdout.group("spring", customer, TENTH) for customer in range(500)]
    again = [holdout.group("spring", customer, TENTH) for customer in range(500)]
    assert first == again
    assert holdout.position("spring", 7) == Decimal(
        int.from_bytes(hashlib.sha256(b"spring:7").digest()[:8], "big")
    ) / Decimal(2**64)


def test_the_holdout_is_about_its_share_and_differs_per_campaign():
    spring = [holdout.group("spring", c, TENTH) for c in range(10_000)]
    autumn = [holdout.group("autumn", c, TENTH) for c in range(10_000)]
    assert 900 <= spring.count("holdout") <= 1100
    assert spring != autumn


@pytest.mark.parametrize("share", [Decimal("-0.1"), Decimal("1.5")])
def test_a_share_outside_0_and_1_is_refused(share):
    with pytest.raises(ValueError):
        holdout.group("spring", 1, share)


def customers(buyers: int, total: int, amount: str) -> uplift.Group:
    return uplift.Group([Decimal(amount)] * buyers + [Decimal(0)] * (total - buyers))


def test_the_known_uplift_is_found_with_its_interval():
    # 15 % of the offer group bought 100.00, 10 % of the holdout did.
    found = uplift.report(customers(150, 1000, "100.00"), customers(100, 1000, "100.00"))
    assert found.conversion.estimate == Decimal("0.05")
    # sqrt(.15 * .85 / 1000 + .1 * .9 / 1000) = 0.0147479; times 1.959964 = 0.0289053
    assert found.conversion.low.quantize(Decimal("0.0001")) == Decimal("0.0211")
    assert found.conversion.high.quantize(Decimal("0.0001")) == Decimal("0.0789")
    assert found.conversion.excludes_zero
    assert found.revenue_per_customer.estimate == Decimal("5.00")
    assert found.revenue_per_customer.excludes_zero
    assert not found.small


def test_no_uplift_gives_an_interval_around_zero_and_small_groups_are_flagged():
    found = uplift.report(customers(2, 20, "50.00"), customers(2, 20, "50.00"))
    assert found.conversion.estimate == 0 and not found.conversion.excludes_zero
    assert found.small


def test_an_empty_group_is_refused():
    with pytest.raises(ValueError):
        uplift.report(uplift.Group([]), customers(1, 10, "5.00"))
