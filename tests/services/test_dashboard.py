"""The staff dashboard's figures: quote orders' margins, open quotes by value,
business accounts' key contacts, slipping away, staff only."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import (
    business,
    catalogs,
    checkout,
    customer_value,
    fulfilment,
    insights,
    orders,
    quotes,
)
from configurator.services.customer_value.tiers import parse_tier_config
from configurator.services.errors import NotFound
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue
from tests.helpers import gen_configuration, gen_order, gen_user
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_staff
from tests.services.test_value import CONFIG_TEXT, COSTED_BIKE

CONFIG = parse_tier_config(CONFIG_TEXT)


@pytest.fixture
def shop(session):
    """The test bike with costs; ACME (10 % off) with a decision maker; a seller."""
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    account, contact = gen_account(session)
    return {"account": account, "contact": contact, "sales": gen_staff(session)}


def sent(session, shop, selection, quantity):
    record = quotes.drafts.create(session, shop["sales"], shop["account"].id)
    record = quotes.lines.add_line(session, shop["sales"], record.id, "test-bike", selection, quantity)
    return quotes.sending.send(session, shop["sales"], record.id)


def test_an_order_from_a_quote_has_the_quotes_margin(session, shop):
    record = sent(session, shop, BIKE, 2)
    quotes.answers.accept(session, shop["contact"], record.id)
    order = quotes.answers.convert_to_order(session, shop["sales"], record.id)
    # Net 2 x 185.00 less 10 % = 333.00; cost 2 x (50 + 12 + 4 + 20) = 172.00.
    assert customer_value.margins.order_margin(order) == Decimal("161.00")


def test_open_quotes_by_net_value_and_key_contacts(session, shop):
    small = sent(session, shop, BIKE, 1)  # 166.50 net
    big = sent(session, shop, CARBON, 1)  # 825.00 less 10 % = 742.50 net
    draft = quotes.drafts.create(session, shop["sales"], shop["account"].id)
    ordered = sent(session, shop, BIKE, 3)
    quotes.answers.accept(session, shop["contact"], ordered.id)
    quotes.answers.convert_to_order(session, shop["sales"], ordered.id)
    buyer = gen_user(session, segment="business", name="Big Buyer")
    business.accounts.add_contact(session, shop["account"], buyer, "buyer")
    session.commit()
    gen_order(session, buyer, BIKE)  # 185.00 from the shop
    board = insights.dashboard(session, shop["sales"], config=CONFIG)
    assert [(row.record.number, row.net) for row in board.quotes] == [
        (big.number, Decimal("742.50")),
        (small.number, Decimal("166.50")),
        (draft.number, Decimal("0.00")),
    ]
    [account] = board.accounts
    # The quote order at its net 3 x 166.50 = 499.50 (not 594.41 with 19 % VAT), and
    # the web order placed without a VAT breakdown at its total.
    assert account.figures.order_count == 2
    assert account.figures.revenue == Decimal("499.50") + Decimal("185.00")
    contacts = [(c.user.name, c.role, c.key) for c in account.contacts]
    assert contacts[0] == ("ACME GmbH buyer", "decision_maker", True)
    assert contacts[1][0:2] == ("Big Buyer", "buyer")


def test_slipping_away_and_sorting(session, bike):
    staff = gen_user(session, role="staff")
    regular, lapsed = gen_user(session, name="Regular"), gen_user(session, name="Lapsed")
    start = utcnow() - timedelta(days=400)
    for day in (0, 30, 60):  # every 30 days, the last one 340 days ago: slipping
        orders.place(session, lapsed, gen_configuration(session, lapsed).id, now=start + timedelta(days=day))
    for day in (0, 200, 395):
        orders.place(session, regular, gen_configuration(session, regular).id, now=start + timedelta(days=day))
    customer_value.valuation.recompute_all(session, config=CONFIG)
    board = insights.dashboard(session, staff, config=CONFIG)
    assert [row.customer.name for row in board.slipping] == ["Lapsed"]
    assert board.slipping[0].figures.recency_days == 340
    assert board.slipping[0].usual_interval_days == Decimal("30.0")
    by_last = insights.dashboard(session, staff, sort="last_order", config=CONFIG)
    assert [row.customer.name for row in by_last.customers] == ["Regular", "Lapsed"]


def test_customers_and_guests_of_the_service_get_not_found(session, bike):
    customer = gen_user(session)
    with pytest.raises(NotFound):
        insights.dashboard(session, customer, config=CONFIG)
    with pytest.raises(NotFound):
        insights.customer_insight(session, customer, customer.id, config=CONFIG)


def test_revenue_is_net_of_vat_and_current_without_a_recomputation(session, shop):
    """Item 12 of issue 15: the dashboard counted VAT and waited for "Recompute"."""
    customer = gen_user(session, "mia@example.com", name="Mia")
    home = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")
    first = checkout.place_order(session, customer, gen_configuration(session, customer, CARBON).id,
                                 1, terms_accepted=True, new_address=home)
    second = checkout.place_order(session, customer, gen_configuration(session, customer, BIKE).id,
                                  1, terms_accepted=True, new_address=home)
    # 825.00 and 185.00 with 19 % German VAT: 693.28 and 155.46 before VAT.
    assert (first.total, second.total) == (Decimal("825.00"), Decimal("185.00"))
    row = mia_row(session, shop)
    assert (row.figures.revenue, row.figures.order_count) == (Decimal("848.74"), 2)
    assert customer_value.margins.order_net(first) == Decimal("693.28")
    fulfilment.cancel(session, customer, second.number)
    row = mia_row(session, shop)  # no recomputation in between
    assert (row.figures.revenue, row.figures.order_count) == (Decimal("693.28"), 1)
    session.execute(sa.delete(CustomerValue))  # the stored values are not what it shows
    session.commit()
    assert mia_row(session, shop).figures.revenue == Decimal("693.28")


def test_a_quote_order_counts_its_net_for_the_contact(session, shop):
    record = sent(session, shop, BIKE, 3)
    quotes.answers.accept(session, shop["contact"], record.id)
    order = quotes.answers.convert_to_order(session, shop["sales"], record.id)
    assert order.total == Decimal("594.41")  # what the client pays, with 19 % VAT
    stored = session.get(CustomerValue, shop["contact"].id)  # stored by the conversion itself
    assert stored.revenue == Decimal("499.50")
    board = insights.dashboard(session, shop["sales"], config=CONFIG)
    assert [(row.customer.id, row.figures.revenue) for row in board.customers] == [
        (shop["contact"].id, Decimal("499.50"))]


def mia_row(session, shop):
    board = insights.dashboard(session, shop["sales"], config=CONFIG)
    [row] = [row for row in board.customers if row.customer.name == "Mia"]
    return row


def test_whom_to_call_today(session, shop):
    """Sent quotes unanswered for a week, quotes running out, slipping accounts."""
    now = utcnow()
    quiet = quotes.drafts.create(session, shop["sales"], shop["account"].id,
                                 now=now - timedelta(days=10))
    quotes.lines.add_line(session, shop["sales"], quiet.id, "test-bike", BIKE, 1,
                          now=now - timedelta(days=10))
    quotes.sending.send(session, shop["sales"], quiet.id, now=now - timedelta(days=10))
    running_out = sent(session, shop, BIKE, 2)
    fresh = sent(session, shop, BIKE, 3)  # sent today, valid 30 days: nobody to call
    record = session.get(type(running_out), running_out.id)
    record.valid_until = now + timedelta(days=3)
    session.commit()
    board = insights.dashboard(session, shop["sales"], config=CONFIG, now=now)
    calls = [(c.why, c.quote.number if c.quote else None, c.contact.name) for c in board.calls]
    assert ("expiring", running_out.number, "ACME GmbH buyer") in calls
    assert ("no_answer", quiet.number, "ACME GmbH buyer") in calls
    assert fresh.number not in [number for _, number, _ in calls]
