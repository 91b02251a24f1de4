"""Personal defaults and the customer's timeline."""

from datetime import timedelta

import pytest

from configurator.services import customer_value, timeline
from configurator.services.errors import NotFound
from configurator.store.types import utcnow
from tests.helpers import CARBON_BIKE, STEEL_BIKE, gen_configuration, gen_order, gen_user


def test_personal_defaults_are_what_the_customer_usually_picks(session, bike):
    owner = gen_user(session)
    assert customer_value.defaults.personal_defaults(session, owner, "test-bike") == {}
    gen_configuration(session, owner, STEEL_BIKE)
    gen_order(session, owner, STEEL_BIKE)
    gen_configuration(session, owner, CARBON_BIKE)
    usual = customer_value.defaults.personal_defaults(session, owner, "test-bike")
    assert usual["frame"][0] == "steel"
    assert usual["packaging"] == ["box"]
    assert customer_value.defaults.personal_defaults(session, gen_user(session), "test-bike") == {}


def test_everything_lands_on_the_timeline(session, bike):
    owner = gen_user(session)
    gen_order(session, owner)
    kinds = [event.kind for event in timeline.for_customer(session, owner, owner.id)]
    assert kinds == ["ordered", "saved", "signed_up"]
    assert all(event.channel == "web" for event in timeline.for_customer(session, owner, owner.id))


def test_views_are_recorded_once_per_half_hour(session, bike):
    owner = gen_user(session)
    now = utcnow()
    assert timeline.record_view(session, owner, "test-bike", "Test bike", now=now) is not None
    assert (
        timeline.record_view(
            session, owner, "test-bike", "Test bike", now=now + timedelta(minutes=5)
        )
        is None
    )
    assert (
        timeline.record_view(
            session, owner, "test-bike", "Test bike", now=now + timedelta(minutes=31)
        )
        is not None
    )


def test_timelines_are_private_but_staff_see_them(session, bike):
    owner, other = gen_user(session), gen_user(session)
    staff = gen_user(session, role="staff")
    with pytest.raises(NotFound):
        timeline.for_customer(session, other, owner.id)
    assert timeline.for_customer(session, staff, owner.id)
