"""Needs profile: shares worked out by hand from a small history."""

from decimal import Decimal

import pytest

from configurator.services import catalogs, customer_value
from configurator.services.errors import NotFound
from tests.conftest import DATA
from tests.helpers import (
    CARBON_BIKE,
    COMPLETE_BIKE,
    STEEL_BIKE,
    gen_configuration,
    gen_order,
    gen_user,
)


def shares(feature_needs):
    return {t.option: (t.share, t.ordered) for t in feature_needs.tendencies}


def by_feature(catalog_needs):
    return {f.feature: f for _, features in catalog_needs.dimensions for f in features}


def test_orders_weigh_three_times_a_saved_configuration(session, bike):
    customer = gen_user(session)
    staff = gen_user(session, role="staff")
    gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["bell", "rack"]))
    gen_configuration(session, customer, STEEL_BIKE)
    gen_order(session, customer, CARBON_BIKE)  # its configuration (1) and the order (3)
    [line] = customer_value.needs.profile(session, staff, customer.id)
    assert (line.catalog_id, line.configurations, line.orders) == ("test-bike", 3, 1)
    features = by_feature(line)
    # weights: alu 1, steel 1, carbon 1 + 3 = 4; out of 6
    assert shares(features["frame"]) == {
        "carbon": (Decimal("66.7"), 1),
        "alu": (Decimal("16.7"), 0),
        "steel": (Decimal("16.7"), 0),
    }
    assert features["frame"].tendencies[0].option == "carbon"  # most chosen first
    assert shares(features["brakes"]) == {
        "disc_hydraulic": (Decimal("66.7"), 1),
        "rim": (Decimal("33.3"), 0),
    }
    assert shares(features["extras"]) == {"bell": (Decimal("16.7"), 0), "rack": (Decimal("16.7"), 0)}
    assert shares(features["packaging"]) == {"box": (Decimal("100.0"), 1)}
    assert [name for name, _ in line.dimensions] == ["Product", "Packaging", "Delivery", "Billing"]
    assert features["frame"].tendencies[0].name == "Carbon"


def test_a_retired_option_keeps_its_ordered_name(session, bike):
    customer = gen_user(session)
    staff = gen_user(session, role="staff")
    gen_order(session, customer, STEEL_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")  # no steel frame any more
    [line] = customer_value.needs.profile(session, staff, customer.id)
    [steel] = by_feature(line)["frame"].tendencies
    assert (steel.option, steel.name, steel.share) == ("steel", "Steel", Decimal("100.0"))


def test_a_customer_without_history_has_an_empty_profile(session, bike):
    staff = gen_user(session, role="staff")
    assert customer_value.needs.profile(session, staff, gen_user(session).id) == []


def test_only_staff_see_a_profile(session, bike):
    customer = gen_user(session)
    other = gen_user(session)
    staff = gen_user(session, role="staff")
    gen_order(session, customer)
    for viewer, whose in [(customer, customer.id), (other, customer.id), (staff, staff.id)]:
        with pytest.raises(NotFound):
            customer_value.needs.profile(session, viewer, whose)
    with pytest.raises(NotFound):
        customer_value.needs.profile(session, staff, 999_999)
