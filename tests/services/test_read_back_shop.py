"""The shop's use cases read back through a second session: sign-up, tokens,
catalogs, configurations, orders, the timeline and the demo seed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import api_tokens, catalogs, demo, orders, timeline, users
from configurator.services.configuring import configurations
from configurator.services.errors import InvalidSelection, NotOrderable, StaleRevision
from configurator.store import CatalogVersion, Configuration, Interaction, Order, Revision, User
from configurator.store.tokens import ApiToken
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_order, gen_user
from tests.services.read_back import reads_back


def kinds(other, customer_id: int) -> list[str]:
    """The customer's timeline kinds, oldest first."""
    query = sa.select(Interaction.kind).where(Interaction.customer_id == customer_id)
    return list(other.scalars(query.order_by(Interaction.id)))


def revision_numbers(other, configuration_id: int) -> list[int]:
    query = sa.select(Revision.number).where(Revision.configuration_id == configuration_id)
    return sorted(other.scalars(query))


@reads_back(users.sign_up)
def test_sign_up(session, second_session):
    user = users.sign_up(session, " Ada@Example.com ", "password123", "Ada")
    with second_session() as other:
        stored = other.scalar(sa.select(User).where(User.email == "ada@example.com"))
        assert stored.id == user.id and stored.check_password("password123")
        assert kinds(other, user.id) == ["signed_up"]


@reads_back(api_tokens.create, api_tokens.authenticate, api_tokens.revoke)
def test_token_create_use_and_revoke(session, second_session):
    user = gen_user(session)
    token, raw = api_tokens.create(session, user, "laptop", ["catalog:read"])
    with second_session() as other:
        assert other.get(ApiToken, token.id).secret_hash == api_tokens.hash_token(raw)
    assert api_tokens.authenticate(session, raw).id == token.id
    with second_session() as other:
        assert other.get(ApiToken, token.id).last_used_at is not None
    api_tokens.revoke(session, user, token.id)
    with second_session() as other:
        assert other.get(ApiToken, token.id).revoked_at is not None


@reads_back(catalogs.load_text)
def test_catalog_load(session, second_session):
    result = catalogs.load_file(session, DATA / "bike.yaml")
    catalogs.load_bytes(session, (DATA / "bike-v2.yaml").read_bytes(), "bike-v2.yaml")
    with second_session() as other:
        assert other.get(CatalogVersion, result.version.id).fingerprint == result.version.fingerprint
        assert [v.number for v in catalogs.versions(other, "test-bike")] == [1, 2]


@reads_back(configurations.create, configurations.revise, configurations.rename)
def test_configuration_create_revise_rename(session, second_session, bike):
    owner = gen_user(session)
    configuration = configurations.create(session, owner, "test-bike", "Mine", COMPLETE_BIKE)
    configurations.revise(session, owner, configuration.id, 1, STEEL_BIKE)
    configurations.rename(session, owner, configuration.id, "Steel one")
    with second_session() as other:
        stored = other.get(Configuration, configuration.id)
        assert (stored.name, stored.revision_count) == ("Steel one", 2)
        assert revision_numbers(other, configuration.id) == [1, 2]
        assert kinds(other, owner.id) == ["signed_up", "saved", "changed", "renamed"]


def test_a_refused_revision_keeps_the_previous_state(session, second_session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    configurations.revise(session, owner, configuration.id, 1, STEEL_BIKE)
    with pytest.raises(StaleRevision):  # another tab still on revision 1
        configurations.revise(session, owner, configuration.id, 1, COMPLETE_BIKE)
    with pytest.raises(InvalidSelection):
        configurations.revise(session, owner, configuration.id, 2, {"frame": "titanium"})
    with second_session() as other:
        assert revision_numbers(other, configuration.id) == [1, 2]
        assert other.get(Configuration, configuration.id).revision_count == 2


@reads_back(orders.place, orders.reorder)
def test_place_and_reorder(session, second_session, bike):
    owner = gen_user(session)
    first = gen_order(session, owner)
    again = orders.reorder(session, owner, first.number)
    with second_session() as other:
        stored = other.get(Order, again.id)
        assert stored.reorder_of_id == first.id and stored.total == first.total
        value = other.get(CustomerValue, owner.id)  # the order hook's writes are committed too
        assert (value.order_count, value.revenue) == (2, first.total + again.total)
        assert kinds(other, owner.id)[-2:] == ["ordered", "reordered"]


@reads_back(orders.save_and_place)
def test_order_with_unsaved_picks(session, second_session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    order = orders.save_and_place(session, owner, configuration.id, 1, STEEL_BIKE)
    with second_session() as other:
        assert revision_numbers(other, configuration.id) == [1, 2]
        assert other.get(Order, order.id).revision.number == 2


def test_a_refused_order_keeps_neither_the_order_nor_the_revision(session, second_session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    with pytest.raises(NotOrderable):  # incomplete picks: place refuses after revise wrote
        orders.save_and_place(session, owner, configuration.id, 1, {"frame": "steel"})
    with second_session() as other:
        assert revision_numbers(other, configuration.id) == [1]
        assert other.scalar(sa.select(sa.func.count(Order.id))) == 0


@reads_back(timeline.record_view)
def test_record_view(session, second_session, bike):
    customer = gen_user(session)
    now = utcnow()
    timeline.record_view(session, customer, "test-bike", "Test bike", now=now)
    timeline.record_view(session, customer, "test-bike", "Test bike", now=now + timedelta(minutes=5))
    with second_session() as other:
        assert kinds(other, customer.id) == ["signed_up", "viewed"]  # once per half hour


@reads_back(demo.seed.seed)
def test_demo_seed(session, second_session, tmp_path):
    catalog_dir, seed_dir = tmp_path / "catalog", tmp_path / "seed"
    catalog_dir.mkdir()
    seed_dir.mkdir()
    (catalog_dir / "bike.yaml").write_bytes((DATA / "bike.yaml").read_bytes())
    (seed_dir / "staff.yaml").write_text("- {email: s@example.com, name: S, password: demo-s}\n")
    (seed_dir / "customers.yaml").write_text(
        "- {email: a@example.com, name: A, password: demo-a, configurations: 4}\n"
    )
    report = demo.seed.seed(session, catalog_dir, seed_dir)
    with second_session() as other:
        assert sorted(other.scalars(sa.select(User.email))) == ["a@example.com", "s@example.com"]
        assert other.scalar(sa.select(sa.func.count(Configuration.id))) == report.configurations
        assert other.scalar(sa.select(sa.func.count(Order.id))) == report.orders
