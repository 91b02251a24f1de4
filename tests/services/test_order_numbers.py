"""Order numbers: a per-year sequence (`ORD-2026-000001`), shared by the shop,
reorders and quotes turned into orders, gap-free, and unique under concurrent
placing on PostgreSQL. Orders placed before keep their random codes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import cart, cart_checkout, checkout, orders, quotes, sequences
from configurator.services.errors import NotOrderable
from configurator.store import User, session_factory
from configurator.store.models import Order, OrderSequence
from tests.helpers import CARBON_BIKE, gen_configuration, gen_user
from tests.services.quote_factories import BIKE

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")


def test_orders_are_numbered_per_year(session, bike):
    owner = gen_user(session)
    first = orders.place(session, owner, gen_configuration(session, owner).id, now=NOW)
    second = orders.place(session, owner, gen_configuration(session, owner).id, now=NOW)
    next_year = orders.place(session, owner, gen_configuration(session, owner).id,
                             now=NOW.replace(year=2027))
    assert [first.number, second.number, next_year.number] == [
        "ORD-2026-000001", "ORD-2026-000002", "ORD-2027-000001"]
    again = orders.reorder(session, owner, first.number, now=NOW)
    assert again.number == "ORD-2026-000003"
    assert orders.get(session, owner, "ord-2026-000002 ").id == second.id


def test_an_accepted_quote_becomes_the_next_order_of_the_year(session, people):
    owner = gen_user(session)
    shop_order = orders.place(session, owner, gen_configuration(session, owner, CARBON_BIKE).id,
                              now=NOW)
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    record = quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 1,
                                   now=NOW)
    record = quotes.sending.send(session, people["sales"], record.id, now=NOW)
    record = quotes.answers.accept(session, people["contact"], record.id, signature="Eva Fischer",
                                   now=NOW + timedelta(days=1))
    order = quotes.answers.convert_to_order(session, people["sales"], record.id,
                                            now=NOW + timedelta(days=2))
    assert (shop_order.number, order.number) == ("ORD-2026-000001", "ORD-2026-000002")
    assert order.number in quotes.records.load(session, people["sales"], record.id) \
        .quote.events[-1].detail


def test_orders_placed_before_keep_their_codes(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    old = Order(number="K7QF-3M2P", owner_id=owner.id, catalog_version_id=bike.id,
                snapshot={"lines": []}, total=Decimal("1.00"), currency="EUR", created_at=NOW)
    session.add(old)
    session.commit()
    new = orders.place(session, owner, configuration.id, now=NOW)
    assert new.number == "ORD-2026-000001"
    assert orders.get(session, owner, "k7qf-3m2p").id == old.id


def test_a_rolled_back_order_gives_its_number_back(session, bike):
    assert sequences.next_number(session, OrderSequence, 2030) == 1
    session.rollback()
    assert sequences.next_number(session, OrderSequence, 2030) == 1
    assert sequences.next_number(session, OrderSequence, 2030) == 2


PLACERS = 6
ORDERS_EACH = 4


@pytest.mark.postgresql_only  # SQLite serialises every writer, so there is no race to test
def test_concurrent_orders_get_unique_gapless_numbers(backend, db_engine, session, bike):
    owners = [gen_user(session) for _ in range(PLACERS)]
    work = {owner.id: [gen_configuration(session, owner).id for _ in range(ORDERS_EACH)]
            for owner in owners}
    make = session_factory(db_engine)
    start = threading.Barrier(PLACERS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def place_orders(owner_id: int) -> None:
        with make() as own:
            owner = own.get(User, owner_id)
            start.wait()
            try:
                for configuration_id in work[owner_id]:
                    numbers.append(orders.place(own, owner, configuration_id, now=NOW).number)
            except Exception as error:  # noqa: BLE001  (reported by the main thread)
                errors.append(error)

    threads = [threading.Thread(target=place_orders, args=(owner_id,)) for owner_id in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == [f"ORD-2026-{n:06d}" for n in range(1, PLACERS * ORDERS_EACH + 1)]


def _number_taken_meanwhile(monkeypatch, taken: str) -> None:
    """The sequence hands out a number another order holds already (as a lost race would)."""
    monkeypatch.setattr(orders, "new_number", lambda session, now: taken)


def test_an_order_whose_number_was_taken_meanwhile_is_refused_and_not_kept(
    session, second_session, bike, monkeypatch
):
    owner = gen_user(session)
    first = orders.place(session, owner, gen_configuration(session, owner).id, now=NOW)
    configuration_id = gen_configuration(session, owner).id
    _number_taken_meanwhile(monkeypatch, first.number)
    with pytest.raises(NotOrderable, match="could not be placed"):
        orders.place(session, owner, configuration_id, now=NOW)
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_a_cart_order_whose_number_was_taken_meanwhile_is_refused_and_the_cart_kept(
    session, second_session, bike, monkeypatch
):
    owner = gen_user(session)
    first = orders.place(session, owner, gen_configuration(session, owner).id, now=NOW)
    carbon = gen_configuration(session, owner, CARBON_BIKE).id
    cart.add(session, owner, carbon, 2)
    token = cart.contents(session, owner).token
    _number_taken_meanwhile(monkeypatch, first.number)
    with pytest.raises(NotOrderable, match="could not be placed"):
        cart_checkout.place_order(session, owner, token, terms_accepted=True, new_address=HOME)
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
        kept = cart.contents(other, other.get(User, owner.id))
        assert [(item.configuration.id, item.quantity) for item in kept.items] == [(carbon, 2)]
