"""The store: migrations match the models, money and time types, immutability."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from configurator.store import Base, ImmutableRecordError, Order, Revision, User
from configurator.store.migrate import downgrade, upgrade
from tests.helpers import gen_configuration, gen_order, gen_user


def test_migrations_create_exactly_the_models(db_engine):
    with db_engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrations_go_down_and_up_again(db_engine):
    downgrade(db_engine)
    assert "users" not in sa.inspect(db_engine).get_table_names()
    upgrade(db_engine)
    assert "users" in sa.inspect(db_engine).get_table_names()


def test_money_is_exact_decimal(session, bike):
    user = gen_user(session)
    configuration = gen_configuration(session, user)
    session.expire_all()
    revision = session.scalar(
        sa.select(Revision).where(Revision.configuration_id == configuration.id)
    )
    assert revision.price == Decimal("185.00")
    assert isinstance(revision.price, Decimal)


def test_times_are_utc_aware(session, bike):
    user = gen_user(session)
    session.expire_all()
    user = session.get(User, user.id)
    assert user.created_at.tzinfo is not None
    assert user.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - user.created_at) < timedelta(minutes=1)


def test_naive_datetimes_are_refused(session):
    user = User(email="n@example.com", name="N", password_hash="x", created_at=datetime(2024, 1, 1))
    session.add(user)
    with pytest.raises(sa.exc.StatementError):
        session.flush()


def test_emails_are_unique(session):
    session.add_all(
        [
            User(email="same@example.com", name="A", password_hash="x"),
            User(email="same@example.com", name="B", password_hash="x"),
        ]
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_passwords_are_hashed(session):
    user = gen_user(session)
    assert "password123" not in user.password_hash
    assert user.check_password("password123")
    assert not user.check_password("password124")


def test_revisions_are_immutable(session, bike):
    configuration = gen_configuration(session, gen_user(session))
    revision = session.scalar(
        sa.select(Revision).where(Revision.configuration_id == configuration.id)
    )
    revision.price = Decimal("1.00")
    with pytest.raises(ImmutableRecordError):
        session.flush()


def test_order_snapshot_is_immutable_but_status_may_change(session, bike):
    order = gen_order(session, gen_user(session))
    order.status = "shipped"
    session.flush()
    order.snapshot = {"lines": []}
    with pytest.raises(ImmutableRecordError):
        session.flush()
    session.rollback()
    assert session.get(Order, order.id).snapshot["lines"]
