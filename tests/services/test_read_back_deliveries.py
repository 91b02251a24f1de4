"""Subscriptions: an order keeps today's total apart from what is paid per delivery,
its deliveries follow the schedule it was ordered with, and its delivery date
comes from the picks' lead times. Read back through a second session."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, checkout, deliveries, fulfilment, orders
from configurator.store.deliveries import Delivery
from configurator.store.models import Order
from tests.helpers import CARBON_BIKE, gen_configuration, gen_user
from tests.services.read_back import reads_back

REPO = Path(__file__).resolve().parents[2]
HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)  # a Monday
COFFEE = {
    "extras": ["pour_over_dripper"],
    "amount": "g250",
    "frequency": "weekly",
    "roast": "medium",
    "origin": "house_blend",
    "process": "washed",
    "grind": "whole_bean",
    "packing": "letterbox_box",
    "bag": "kraft_valve_bag",
    "label": "standard_label",
    "carrier": "letterbox_post",
    "delivery_day": "any_day",
    "plan": "pay_per_delivery",
    "payment": "card",
}


@pytest.fixture
def coffee(session):
    return catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml").version


@pytest.fixture
def mia(session, coffee, bike):
    return gen_user(session, "mia@example.com", name="Mia")


def test_the_recurrence_of_a_weekly_coffee_with_a_dripper(coffee):
    recurring = deliveries.recurrence(catalogs.engine_catalog(coffee), COFFEE)
    assert (recurring.today, recurring.one_off, recurring.per_delivery) == (
        Decimal("32.90"), Decimal("24.00"), Decimal("8.90"),
    )
    assert recurring.every_days == 7 and recurring.schedule == "Every week" and recurring.recurs


def test_a_single_order_of_coffee_does_not_recur(coffee):
    single = {**COFFEE, "frequency": "one_off"}
    recurring = deliveries.recurrence(catalogs.engine_catalog(coffee), single)
    assert not recurring.repeats and not recurring.recurs


@reads_back(checkout.place_order)
def test_a_subscription_order_keeps_its_totals_and_plans_its_deliveries(session, second_session, mia):
    configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
    order = checkout.place_order(
        session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME, now=MONDAY
    )
    with second_session() as other:
        stored = other.scalar(sa.select(Order).where(Order.number == order.number))
        kept = stored.snapshot["recurring"]
        assert (kept["today"], kept["one_off"], kept["per_delivery"]) == ("32.90", "24.00", "8.90")
        assert kept["every_days"] == 7
        dripper = next(line for line in stored.snapshot["lines"] if line["option"] == "pour_over_dripper")
        beans = next(line for line in stored.snapshot["lines"] if line["option"] == "g250")
        assert "recurring" not in dripper and beans["recurring"] == "per_delivery"
        # Monday + 1 handling day + 2 transit days (no lead time): Thursday.
        assert stored.snapshot["estimated_delivery"] == "2026-12-10"
        planned = list(other.scalars(sa.select(Delivery).order_by(Delivery.number)))
        assert planned[0].due_on == date(2026, 12, 10) and planned[0].amount == Decimal("32.90")
        assert planned[1].due_on == date(2026, 12, 17) and planned[1].amount == Decimal("8.90")
        assert len(planned) == 13  # weekly, within 90 days of the order
        assert {delivery.status for delivery in planned} == {"scheduled"}


@reads_back(deliveries.extend, deliveries.send_due)
def test_the_periodic_job_plans_ahead_and_lists_what_is_due(session, second_session, mia):
    configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
    order = orders.place(session, mia, configuration.id, now=MONDAY)
    assert deliveries.extend(session, today=date(2027, 1, 7)) == 4  # 31 days later: 4 weeks more
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 17
        due = deliveries.due(other, date(2026, 12, 17))
        assert [(d.order.number, d.number) for d in due] == [(order.number, 1), (order.number, 2)]
    assert deliveries.extend(session, today=date(2027, 1, 7)) == 0  # nothing twice
    sent = deliveries.send_due(session, date(2026, 12, 10))
    assert [d.number for d in sent] == [1]
    with second_session() as other:
        assert [d.number for d in deliveries.due(other, date(2026, 12, 17))] == [2]


@reads_back(fulfilment.cancel)
def test_cancelling_a_subscription_cancels_the_deliveries_not_sent(session, second_session, mia):
    configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
    order = orders.place(session, mia, configuration.id, now=MONDAY)
    fulfilment.cancel(session, mia, order.number)
    with second_session() as other:
        statuses = set(other.scalars(sa.select(Delivery.status)))
        assert statuses == {"cancelled"}
        assert deliveries.due(other, date(2027, 12, 31)) == []


def test_a_monthly_schedule_keeps_the_day_or_the_months_last(session, mia):
    assert deliveries.after(date(2027, 1, 31), 2, None, 1) == date(2027, 2, 28)
    assert deliveries.after(date(2027, 1, 31), 13, None, 1) == date(2028, 1, 31)
    assert deliveries.after(date(2027, 1, 31), 3, 14, None) == date(2027, 2, 28)


def test_a_bike_order_is_one_delivery_and_its_date_counts_working_days(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    friday = datetime(2026, 12, 11, 17, 0, tzinfo=timezone.utc)
    order = orders.place(session, mia, configuration.id, now=friday)
    assert "recurring" not in order.snapshot
    planned = deliveries.of(session, order)
    assert [(d.number, d.amount) for d in planned] == [(1, order.total)]
    # Friday + 3 working days: Wednesday.
    assert planned[0].due_on == date(2026, 12, 16) == date.fromisoformat(order.snapshot["estimated_delivery"])


def test_lead_days_of_the_picks_move_the_date(coffee):
    catalog = catalogs.engine_catalog(coffee)
    plain = deliveries.estimated_delivery(catalog, COFFEE, MONDAY)
    labelled = deliveries.estimated_delivery(catalog, {**COFFEE, "label": "personalised_label"}, MONDAY)
    assert (plain, labelled) == (date(2026, 12, 10), date(2026, 12, 11))


def test_the_command_lists_the_deliveries_due(tmp_path, monkeypatch, capsys):
    from configurator.cli import main
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml")
        mia = gen_user(session, "mia@example.com")
        configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
        order = orders.place(session, mia, configuration.id, now=MONDAY)
    assert main(["deliveries", "due", "--on", "2026-12-17"]) == 0
    out = capsys.readouterr().out
    assert f"2026-12-10  {order.number}  #1  32.90 EUR  Coffee subscription" in out
    assert f"2026-12-17  {order.number}  #2  8.90 EUR" in out and "2 deliveries due" in out
    assert main(["deliveries", "due", "--on", "2026-12-17", "--mark-sent"]) == 0
    assert "2 deliveries sent" in capsys.readouterr().out
    assert main(["deliveries", "due", "--on", "2026-12-17"]) == 0
    assert "0 deliveries due" in capsys.readouterr().out
    assert main(["deliveries", "due", "--on", "Christmas"]) == 2
    assert "--on: not a day" in capsys.readouterr().err
    engine.dispose()


@reads_back(fulfilment.move)
def test_staff_moving_an_order_e_mails_the_customer_and_ships_a_single_delivery(
    session, second_session, mia
):
    from configurator.store.messages import Message
    from tests.services.quote_factories import gen_staff

    staff = gen_staff(session, "staff")
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    order = orders.place(session, mia, configuration.id, now=MONDAY)
    for status in ("confirmed", "in_production", "shipped"):
        fulfilment.move(session, staff, order.number, status)
    with second_session() as other:
        news = list(other.scalars(
            sa.select(Message).where(Message.kind == "order_status").order_by(Message.id)
        ))
        assert [message.subject for message in news] == [
            f"Your order {order.number} is confirmed",
            f"Your order {order.number} is in production",
            f"Your order {order.number} is shipped",
        ]
        assert news[0].recipient_id == mia.id and "until production starts" in news[0].body
        assert other.scalar(sa.select(Delivery.status)) == "sent"


def test_shipping_a_subscription_order_leaves_its_deliveries_planned(session, mia):
    from tests.services.quote_factories import gen_staff

    staff = gen_staff(session, "staff")
    configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
    order = orders.place(session, mia, configuration.id, now=MONDAY)
    for status in ("confirmed", "in_production", "shipped"):
        fulfilment.move(session, staff, order.number, status)
    assert {delivery.status for delivery in deliveries.of(session, order)} == {"scheduled"}


@reads_back(checkout.place_order)
def test_an_order_of_three_keeps_unit_prices_and_multiplies_totals_and_deliveries(
    session, second_session, mia
):
    configuration = gen_configuration(session, mia, COFFEE, catalog_id="coffee-subscription")
    order = checkout.place_order(
        session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME, now=MONDAY,
        quantity=3,
    )
    with second_session() as other:
        stored = other.scalar(sa.select(Order).where(Order.number == order.number))
        assert stored.total == Decimal("98.70") and stored.snapshot["unit_total"] == "32.90"
        assert stored.snapshot["quantity"] == 3
        assert stored.snapshot["checkout"]["vat"]["gross"] == "98.70"
        assert stored.snapshot["recurring"]["per_delivery"] == "26.70"
        planned = list(other.scalars(sa.select(Delivery).order_by(Delivery.number)))
        assert (planned[0].amount, planned[1].amount) == (Decimal("98.70"), Decimal("26.70"))
        assert next(line for line in stored.snapshot["lines"] if line["option"] == "g250")["amount"] == "8.90"


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_a_quantity_out_of_range_is_refused_in_words_and_nothing_is_written(session, mia, quantity):
    from configurator.services.errors import NotOrderable

    configuration = gen_configuration(session, mia, CARBON_BIKE)
    with pytest.raises(NotOrderable, match="between 1 and 99"):
        checkout.place_order(
            session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME, quantity=quantity
        )
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_a_reorder_orders_the_same_quantity(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    order = checkout.place_order(
        session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME, quantity=2
    )
    again = orders.reorder(session, mia, order.number)
    assert orders.quantity_of(again) == 2 and again.total == order.total == Decimal("1650.00")


def test_public_holidays_are_no_working_days():
    wednesday = date(2026, 12, 23)
    # Thursday 24th, (Friday 25th and the weekend closed), Monday 28th, Tuesday 29th.
    assert deliveries.add_working_days(wednesday, 3) == date(2026, 12, 29)
    # The delivery country's holidays count too: Nowruz closes Iran 21-24 March 2027.
    friday = date(2027, 3, 19)
    assert deliveries.add_working_days(friday, 1) == date(2027, 3, 22)
    assert deliveries.add_working_days(friday, 1, "IR") == date(2027, 3, 25)
    # A country code the calendar does not know counts weekdays only.
    assert deliveries.add_working_days(friday, 1, "XX") == date(2027, 3, 22)


def test_an_order_to_the_netherlands_skips_kings_day(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    utrecht = checkout.AddressInput("Mia Muster", "Oudegracht 1", "3511 AA", "Utrecht", "NL")
    monday = datetime(2027, 4, 26, 9, 0, tzinfo=timezone.utc)
    order = checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True,
                                 new_address=utrecht, now=monday)
    # Three working days from Monday, King's Day (Tuesday 27 April) closed in the
    # Netherlands: Friday 30th (to Germany it would be Thursday 29th).
    assert order.snapshot["estimated_delivery"] == "2027-04-30"


def test_an_order_to_iran_placed_on_a_wednesday_skips_the_iranian_friday(session, second_session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    tehran = checkout.AddressInput("Sara Ahmadi", "Valiasr St. 12", "1434843111", "Tehran", "IR")
    wednesday = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    order = checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True,
                                 new_address=tehran, now=wednesday)
    # Three working days from Wednesday 2 December, shipped from Germany: Thursday 3rd
    # (a working day in Iran), not Friday 4th (Iran's weekend) nor the German weekend,
    # Monday 7th, Tuesday 8th. Counting Monday to Friday it would be Monday 7th.
    with second_session() as other:
        stored = other.get(Order, order.id)
        assert stored.snapshot["estimated_delivery"] == "2026-12-08"


def test_each_countrys_weekend_comes_from_the_holidays_package(monkeypatch):
    wednesday = date(2026, 12, 2)
    assert deliveries.add_working_days(wednesday, 3, "DE") == date(2026, 12, 7)
    # Shipped within Iran: Thursday and Saturday are working days, Friday is not.
    monkeypatch.setattr(deliveries, "SHIP_FROM", "IR")
    assert deliveries.add_working_days(wednesday, 2, "IR") == date(2026, 12, 5)
    assert deliveries.add_working_days(wednesday, 3, "IR") == date(2026, 12, 6)
