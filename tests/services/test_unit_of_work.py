"""The unit of work: the outermost one commits once at its end, an exception
anywhere rolls the whole use case back, and nested use cases join."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from configurator.services import orders
from configurator.services.errors import NotOrderable
from configurator.services.unit_of_work import (
    DEPTH,
    USE_CASES,
    in_unit_of_work,
    unit_of_work,
    use_case,
)
from configurator.store import Revision, User, session_factory
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user


@pytest.fixture
def commits(session):
    """The number of commits the session makes from now on."""
    count = [0]
    event.listen(session, "after_commit", lambda _session: count.__setitem__(0, count[0] + 1))
    return count


def emails(db_engine) -> set[str]:
    """The users' emails as a second session sees them: only what was committed."""
    with session_factory(db_engine)() as other:
        return set(other.scalars(sa.select(User.email)))


def add_user(session, email: str) -> None:
    session.add(User(email=email, name=email, password_hash="x"))
    session.flush()


def test_the_outermost_unit_commits_at_its_end(session, db_engine, commits):
    with unit_of_work(session):
        add_user(session, "a@example.com")
        assert emails(db_engine) == set()  # nothing is visible before the end
    assert emails(db_engine) == {"a@example.com"}
    assert commits[0] == 1


def test_an_exception_rolls_the_whole_unit_back(session, db_engine, commits):
    with pytest.raises(RuntimeError), unit_of_work(session):
        add_user(session, "a@example.com")
        raise RuntimeError("refused")
    assert emails(db_engine) == set()
    assert commits[0] == 0
    add_user(session, "b@example.com")  # the session is usable again
    assert not in_unit_of_work(session)


def test_a_nested_unit_joins_and_commits_nothing_of_its_own(session, db_engine, commits):
    with unit_of_work(session):
        with unit_of_work(session):
            add_user(session, "inner@example.com")
            assert session.info[DEPTH] == 2
        assert emails(db_engine) == set()  # the inner end committed nothing
        add_user(session, "outer@example.com")
    assert emails(db_engine) == {"inner@example.com", "outer@example.com"}
    assert commits[0] == 1


def test_a_failure_after_a_nested_unit_rolls_back_its_writes_too(session, db_engine):
    with pytest.raises(RuntimeError), unit_of_work(session):
        with unit_of_work(session):
            add_user(session, "inner@example.com")
        raise RuntimeError("the rest of the use case failed")
    assert emails(db_engine) == set()
    assert session.info[DEPTH] == 0


def test_a_use_case_is_one_unit_of_work_and_registered(session, db_engine, commits):
    @use_case
    def sign_up_two(session, first: str, second: str) -> None:
        add_user(session, first)
        sign_up_one(session, second)  # another use case: joins

    @use_case
    def sign_up_one(session, email: str) -> None:
        add_user(session, email)

    sign_up_two(session, "a@example.com", "b@example.com")
    assert emails(db_engine) == {"a@example.com", "b@example.com"}
    assert commits[0] == 1
    assert USE_CASES[f"{__name__}.{sign_up_two.__qualname__}"] is sign_up_two


def test_ordering_unsaved_picks_commits_once(session, db_engine, bike, commits):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    commits[0] = 0
    orders.save_and_place(
        session, owner, configuration.id, 1, dict(COMPLETE_BIKE, frame="steel")
    )
    assert commits[0] == 1  # revise and place, one transaction


def test_a_refused_order_keeps_no_new_revision(session, db_engine, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    with pytest.raises(NotOrderable):  # incomplete: place refuses after revise wrote
        orders.save_and_place(session, owner, configuration.id, 1, {"frame": "steel"})
    with session_factory(db_engine)() as other:
        numbers = other.scalars(
            sa.select(Revision.number).where(Revision.configuration_id == configuration.id)
        )
        assert list(numbers) == [1]
