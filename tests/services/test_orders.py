"""Orders: immutable snapshots, re-checks and reorders after catalog changes."""

from decimal import Decimal

import pytest

from configurator.services import catalogs, orders
from configurator.services.configuring import configurations
from configurator.services.errors import NotFound, NotOrderable
from tests.conftest import DATA
from tests.helpers import (
    CARBON_BIKE,
    COMPLETE_BIKE,
    STEEL_BIKE,
    gen_configuration,
    gen_order,
    gen_user,
)


def test_place_keeps_a_snapshot_with_names_and_prices(session, bike):
    owner = gen_user(session)
    order = gen_order(session, owner, CARBON_BIKE)
    assert order.total == Decimal("825.00")
    lines = {
        line["feature"]: (line["option_name"], line["amount"]) for line in order.snapshot["lines"]
    }
    assert lines["frame"] == ("Carbon", "640.00")
    assert order.snapshot["catalog"]["version"] == 1
    assert order.number.startswith("ORD-")


def test_incomplete_configurations_cannot_be_ordered(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, {"frame": "alu"})
    with pytest.raises(NotOrderable):
        orders.place(session, owner, configuration.id)


def test_a_catalog_change_never_changes_a_placed_order(session, bike):
    owner = gen_user(session)
    order = gen_order(session, owner, CARBON_BIKE)
    before = dict(order.snapshot)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    session.expire_all()
    again = orders.get(session, owner, order.number)
    assert again.snapshot == before and again.total == Decimal("825.00")


def test_an_outdated_revision_must_be_reviewed_before_ordering(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    with pytest.raises(NotOrderable, match="catalog has changed"):
        orders.place(session, owner, configuration.id)


def test_reorder_at_todays_prices(session, bike):
    owner = gen_user(session)
    order = gen_order(session, owner, CARBON_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    _, _, result = orders.recheck_order(session, owner, order.number)
    assert result.fits and result.total_now == Decimal("885.00")
    assert [line.status for line in result.lines if line.feature == "frame"] == ["price"]
    again = orders.reorder(session, owner, order.number)
    assert again.total == Decimal("885.00") and again.reorder_of_id == order.id
    assert again.snapshot["catalog"]["version"] == 2


def test_reorder_of_a_retired_option_shows_what_no_longer_fits_and_a_repair(session, bike):
    owner = gen_user(session)
    order = gen_order(session, owner, STEEL_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    _, _, result = orders.recheck_order(session, owner, order.number)
    assert not result.fits
    assert [(line.option, line.status) for line in result.problems] == [("steel", "retired")]
    assert result.repaired["frame"] == "alu"  # the cheapest frame that fits the rest
    assert result.repaired_total == Decimal("185.00")
    with pytest.raises(NotOrderable):
        orders.reorder(session, owner, order.number)


def test_reorder_when_rules_now_forbid_a_pick(session, bike):
    owner = gen_user(session, segment="business")
    order = gen_order(session, owner, dict(COMPLETE_BIKE, billing="invoice_60"))
    owner.segment = "consumer"  # the account is no longer a business one
    session.commit()
    _, _, result = orders.recheck_order(session, owner, order.number)
    assert [(line.option, line.status) for line in result.problems] == [("invoice_60", "conflict")]
    assert "business accounts" in result.problems[0].reason


def test_orders_are_private(session, bike):
    owner, other = gen_user(session), gen_user(session)
    order = gen_order(session, owner)
    configuration = gen_configuration(session, owner)
    for call in (
        lambda: orders.get(session, other, order.number),
        lambda: orders.recheck_order(session, other, order.number),
        lambda: orders.reorder(session, other, order.number),
        lambda: orders.place(session, other, configuration.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert orders.list_for(session, other) == []
    assert [o.number for o in orders.list_for(session, owner)] == [order.number]


def test_start_from_an_order_or_a_configuration(session, bike):
    owner = gen_user(session)
    order = gen_order(session, owner, STEEL_BIKE)
    start = orders.start_from(session, owner, order.number.lower())
    assert start.selection == STEEL_BIKE and start.source_id is None
    assert start.notice == f"Started from order {order.number}; everything still fits."
    configuration = gen_configuration(session, owner, CARBON_BIKE, name="Fast")
    start = configurations.start_from(session, owner, configuration.id)
    assert (start.selection, start.source_id) == (CARBON_BIKE, configuration.id)
    assert start.notice == "Started from “Fast”; everything still fits."
    with pytest.raises(NotFound):
        orders.start_from(session, gen_user(session), order.number)


def test_a_reorder_names_the_order_it_repeats(session, bike):
    owner = gen_user(session)
    first = gen_order(session, owner)
    again = orders.reorder(session, owner, first.number)
    assert orders.earlier_number(session, again) == first.number
    assert orders.earlier_number(session, first) is None


@pytest.mark.parametrize("number", ["K7QF\x00-3M2P", "X" * 33, "\n"])
def test_text_that_cannot_be_an_order_number_is_not_found(session, bike, number):
    with pytest.raises(NotFound):
        orders.get(session, gen_user(session), number)
