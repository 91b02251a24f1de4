"""Configurations and revisions: numbering, stale tabs, diffs, ownership."""

from datetime import timedelta
from decimal import Decimal

import pytest

from configurator.services import catalogs, configuring
from configurator.services.configuring import configurations
from configurator.services.errors import InvalidSelection, NotFound, StaleRevision
from configurator.store.types import utcnow
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_user


def test_create_makes_revision_one(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, COMPLETE_BIKE, name="  Commuter  ")
    latest = configurations.latest_revision(session, configuration)
    assert configuration.name == "Commuter"
    assert (latest.number, latest.price, latest.complete) == (1, Decimal("185.00"), True)


def test_empty_name_gets_a_default(session, bike):
    configuration = gen_configuration(session, gen_user(session), name="")
    assert configuration.name == "My Test bike"


def test_revise_adds_numbered_revisions(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    second = configurations.revise(session, owner, configuration.id, 1, STEEL_BIKE)
    third = configurations.revise(session, owner, configuration.id, 2, CARBON_BIKE)
    assert (second.number, third.number) == (2, 3)
    assert [r.number for r in configurations.revisions(session, owner, configuration.id)] == [
        3,
        2,
        1,
    ]
    assert configurations.revision(session, owner, configuration.id, 1).selection == COMPLETE_BIKE


def test_an_unchanged_selection_makes_no_revision(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    same = configurations.revise(session, owner, configuration.id, 1, dict(COMPLETE_BIKE))
    assert same.number == 1


def test_a_stale_revision_from_another_tab_is_refused_and_nothing_lost(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    configurations.revise(session, owner, configuration.id, 1, STEEL_BIKE)  # tab A
    with pytest.raises(StaleRevision) as caught:  # tab B still thinks revision 1 is newest
        configurations.revise(session, owner, configuration.id, 1, CARBON_BIKE)
    assert caught.value.latest_number == 2
    assert "Revision 2" in str(caught.value)
    assert configurations.latest_revision(session, configuration).selection == STEEL_BIKE
    # Tab B saves again on top of what it now knows:
    assert configurations.revise(session, owner, configuration.id, 2, CARBON_BIKE).number == 3


def test_unknown_options_are_refused(session, bike):
    owner = gen_user(session)
    with pytest.raises(InvalidSelection):
        configurations.create(session, owner, "test-bike", "x", {"frame": "titanium"})
    configuration = gen_configuration(session, owner)
    with pytest.raises(InvalidSelection):
        configurations.revise(session, owner, configuration.id, 1, {"wheels": "big"})
    assert configurations.latest_revision(session, configuration).number == 1


def test_diff_names_what_changed(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    configurations.revise(session, owner, configuration.id, 1, dict(CARBON_BIKE, extras=["bell"]))
    diff = configuring.diff.diff(session, owner, configuration.id, 2, 1)
    changes = {c.feature_name: (c.before, c.after) for c in diff.changes}
    assert changes == {
        "Frame": (["Aluminium"], ["Carbon"]),
        "Brakes": (["Rim brakes"], ["Hydraulic disc"]),
        "Extras": ([], ["Bell"]),
    }
    assert diff.price_delta == Decimal("645.00")
    assert not diff.catalog_changed


def test_list_is_newest_first_with_latest_revision(session, bike):
    owner = gen_user(session)
    old = configurations.create(
        session, owner, "test-bike", "old", COMPLETE_BIKE, now=utcnow() - timedelta(days=9)
    )
    gen_configuration(session, owner, name="new")
    configurations.revise(session, owner, old.id, 1, STEEL_BIKE)
    rows = configurations.list_for(session, owner)
    assert [(r.configuration.name, r.latest.number) for r in rows] == [("old", 2), ("new", 1)]


def test_another_customer_can_neither_see_nor_change(session, bike):
    owner, other = gen_user(session), gen_user(session)
    configuration = gen_configuration(session, owner)
    for call in (
        lambda: configurations.get(session, other, configuration.id),
        lambda: configurations.revisions(session, other, configuration.id),
        lambda: configuring.diff.diff(session, other, configuration.id, 1, 1),
        lambda: configurations.revise(session, other, configuration.id, 1, STEEL_BIKE),
        lambda: configurations.create(
            session, other, "test-bike", "x", COMPLETE_BIKE, derived_from_id=configuration.id
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert configurations.list_for(session, other) == []


def test_staff_may_look(session, bike):
    configuration = gen_configuration(session, gen_user(session))
    staff = gen_user(session, role="staff")
    assert configurations.get(session, staff, configuration.id).id == configuration.id


def test_recheck_latest_after_a_catalog_change(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, STEEL_BIKE)
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    _, version, result = configurations.recheck_latest(session, owner, configuration.id)
    assert version.number == 2
    assert not result.fits
    assert [line.option for line in result.problems] == ["steel"]
    assert result.repaired["frame"] in {"alu", "carbon"}
