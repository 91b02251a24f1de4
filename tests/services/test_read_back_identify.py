"""The merge and its undo read back through a second session: what moved,
the audit entries, and the values of both customers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services import timeline, users
from configurator.services.identify import merging
from configurator.store.identity import CustomerMerge
from configurator.store.models import Configuration, Interaction, Order, User
from configurator.store.value import CustomerValue
from tests.helpers import PASSWORD, STEEL_BIKE, gen_configuration, gen_order, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back


def owners(other, model, column) -> dict[int, int]:
    return dict(other.execute(sa.select(model.id, column)).all())


@reads_back(merging.merge, merging.undo)
def test_a_merge_moves_in_one_commit_and_its_undo_moves_exactly_back(
    session, second_session, bike
):
    staff = gen_staff(session, "staff")
    web = gen_user(session, "anna.berg@gmail.com", name="Anna Berg")
    gen_order(session, web)
    other = gen_user(session, "annaberg+shop@gmail.com", name="Anna Berg")
    gen_configuration(session, other, STEEL_BIKE, name="Second bike")
    gen_order(session, other)
    with second_session() as before:
        orders_before = owners(before, Order, Order.owner_id)
        configurations_before = owners(before, Configuration, Configuration.owner_id)
        revenue_web = before.get(CustomerValue, web.id).revenue
        revenue_other = before.get(CustomerValue, other.id).revenue

    record = merging.merge(session, staff, web.id, other.id)

    with second_session() as other_session:
        assert set(owners(other_session, Order, Order.owner_id).values()) == {web.id}
        assert set(owners(other_session, Configuration, Configuration.owner_id).values()) == {web.id}
        assert other_session.get(CustomerValue, web.id).revenue == revenue_web + revenue_other
        audit = other_session.scalars(sa.select(Interaction).where(
            Interaction.customer_id == web.id, Interaction.kind == "merged")).one()
        assert (audit.actor_id, audit.channel) == (staff.id, "staff")
        assert audit.detail["moved"]["orders"] == 1
        assert other_session.get(CustomerMerge, record.id).moved["orders"]
        assert users.authenticate(other_session, other.email, PASSWORD) is None

    merging.undo(session, staff, record.id)

    with second_session() as after:
        assert owners(after, Order, Order.owner_id) == orders_before
        assert owners(after, Configuration, Configuration.owner_id) == configurations_before
        assert after.get(CustomerValue, web.id).revenue == revenue_web
        assert after.get(CustomerValue, other.id).revenue == revenue_other
        assert after.get(CustomerMerge, record.id).undone_at is not None
        assert users.authenticate(after, other.email, PASSWORD).id == other.id
        assert after.get(User, other.id).email == "annaberg+shop@gmail.com"


@pytest.fixture
def silver_from_one_order(tmp_path, monkeypatch):
    """A tier file: Silver from one order."""
    path = tmp_path / "tiers.yaml"
    path.write_text(
        "currency: EUR\nlifetime_years: 3\nrfm:\n  recency_days: [30, 90, 180, 365]\n"
        "  orders_per_year: [1, 2, 4, 8]\n  revenue: [500, 2000, 5000, 10000]\n"
        "slipping_factor: 2\nslipping_after_days: 365\n"
        "tiers:\n  - {id: silver, name: Silver, min_orders: 1}\n"
    )
    monkeypatch.setenv("CONFIGURATOR_TIERS", str(path))


def tier_entries(other, customer) -> list[tuple[str, str]]:
    return [(entry.subject, entry.detail["because"]) for entry in other.scalars(
        sa.select(Interaction).where(Interaction.customer_id == customer.id,
                                     Interaction.kind == "tier_changed").order_by(Interaction.id))]


@reads_back(merging.merge, merging.undo)
def test_every_tier_a_merge_or_its_undo_changes_is_on_the_timeline(
    session, second_session, bike, silver_from_one_order
):
    """Into a new sign-up (never valued) the merge brings a Silver customer's orders, and
    the undo gives them back: both tier changes each way are on the timelines (the
    sign-up's Standard -> Silver and the undo's Standard -> Silver were missing)."""
    staff = gen_staff(session, "staff")
    earned = gen_user(session, "anna@example.com", name="Anna Berg")
    gen_order(session, earned)
    signup = gen_user(session, "anna+shop@example.com", name="Anna B.")
    assert (earned.tier, signup.tier) == ("silver", None)

    record = merging.merge(session, staff, signup.id, earned.id)
    merging.undo(session, staff, record.id)

    with second_session() as other:
        assert tier_entries(other, signup) == [
            ("Tier: Standard → Silver", "merge"), ("Tier: Silver → Standard", "merge undone")]
        assert tier_entries(other, earned)[-2:] == [
            ("Tier: Silver → Standard", "merge"), ("Tier: Standard → Silver", "merge undone")]
        assert other.get(User, earned.id).tier == "silver"


@reads_back(merging.merge, merging.undo)
def test_the_merge_entries_are_written_in_the_readers_language(session, second_session, bike):
    """The timeline entries of a merge and its undo were English sentences on a Persian
    or Vietnamese customer's timeline."""
    from configurator.services.configuring.wording import phrase_text

    staff = gen_staff(session, "staff")
    kept = gen_user(session, "sara@example.com", name="Sara")
    merged = gen_user(session, "sara+shop@example.com", name="Sara A.")
    merging.undo(session, staff, merging.merge(session, staff, kept.id, merged.id).id)
    with second_session() as other:
        said = {entry.kind: phrase_text(timeline.subject_of(entry), "vi") for entry in other.scalars(
            sa.select(Interaction).where(Interaction.customer_id == kept.id))}
        assert said["merged"] == "Đã hợp nhất với Sara A. <sara+shop@example.com>"
        assert said["merge_undone"] == "Đã hoàn tác việc hợp nhất với Sara A."
