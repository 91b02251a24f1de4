"""Customer value: hand-made histories with answers worked out by hand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, customer_value, orders
from configurator.services.customer_value.figures import OrderValue
from configurator.services.customer_value.tiers import parse_tier_config
from configurator.store.models import Interaction
from configurator.store.value import CustomerValue
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user

CONFIG_TEXT = """
currency: EUR
lifetime_years: 3
rfm:
  recency_days: [30, 90, 180, 365]
  orders_per_year: [1, 2, 4, 8]
  revenue: [500, 2000, 5000, 10000]
slipping_factor: 2
slipping_after_days: 365
tiers:
  - {id: platinum, name: Platinum, min_revenue: 8000}
  - {id: gold, name: Gold, min_revenue: 2500, min_rfm: 11}
  - {id: silver, name: Silver, min_orders: 2}
"""
CONFIG = parse_tier_config(CONFIG_TEXT)


def at(year, month, day):
    return datetime(year, month, day, 12, tzinfo=UTC)


def eur(amount, margin, when):
    return OrderValue(when, Decimal(amount), None if margin is None else Decimal(margin), "EUR")


def test_three_orders_in_half_a_year():
    history = [
        eur("1000.00", "400.00", at(2026, 1, 1)),
        eur("500.00", "150.00", at(2026, 4, 1)),
        eur("1500.00", "650.00", at(2026, 7, 1)),
    ]
    result = customer_value.figures.figures(history, CONFIG, at(2026, 7, 31))
    assert result.revenue == Decimal("3000.00")
    assert result.margin == Decimal("1200.00")
    assert result.order_count == 3
    assert result.recency_days == 30
    # 211 days since the first order count as a full year: 3 orders a year.
    assert result.orders_per_year == Decimal("3.00")
    # R: 30 days is within the first band (5); F: 3 a year reaches 1 and 2 (3);
    # M: 3000 reaches 500 and 2000 (3).
    assert (result.scores.recency, result.scores.frequency, result.scores.monetary) == (5, 3, 3)
    # average margin 400 x 3 orders a year x 3 years
    assert result.lifetime_value == Decimal("3600.00")
    # Jan 1 -> Jul 1 is 181 days over two gaps.
    assert result.usual_interval_days == Decimal("90.5")
    assert result.tier == "gold"  # 3000 >= 2500 and R+F+M = 11


def test_frequency_over_two_years_and_a_lower_tier_when_recency_drops():
    history = [eur("800.00", "300.00", at(2024, 1, 1) + timedelta(days=d)) for d in (0, 200, 400, 600)]
    now = at(2024, 1, 1) + timedelta(days=730)
    result = customer_value.figures.figures(history, CONFIG, now)
    assert result.orders_per_year == Decimal("2.00")  # 4 orders x 365 / 730 days
    assert result.recency_days == 130  # 4th order on day 600
    assert result.revenue == Decimal("3200.00")
    # R: 130 days -> within 180 and 365 only (3); F: 2 (3); M: 3200 (3) -> 9 < 11: not gold.
    assert result.scores.total == 9
    assert result.tier == "silver"
    assert result.lifetime_value == Decimal("1800.00")  # 300 x 2 x 3


def test_no_orders_scores_lowest_and_gets_no_tier():
    result = customer_value.figures.figures([], CONFIG, at(2026, 1, 1))
    assert result.revenue == Decimal("0.00")
    assert result.margin is None and result.lifetime_value is None
    assert result.recency_days is None
    assert result.scores.total == 3
    assert result.tier is None


def test_other_currencies_and_future_orders_do_not_count():
    history = [
        eur("9000.00", "100.00", at(2026, 1, 1)),
        OrderValue(at(2026, 1, 2), Decimal("5000.00"), Decimal(1), "USD"),
        eur("9000.00", "100.00", at(2027, 1, 1)),
    ]
    result = customer_value.figures.figures(history, CONFIG, at(2026, 2, 1))
    assert result.revenue == Decimal("9000.00")
    assert result.order_count == 1
    assert result.tier == "platinum"


def test_margin_unknown_when_no_order_has_costs():
    history = [eur("100.00", None, at(2026, 1, 1)), eur("50.00", None, at(2026, 2, 1))]
    result = customer_value.figures.figures(history, CONFIG, at(2026, 3, 1))
    assert result.margin is None and result.lifetime_value is None
    assert result.revenue == Decimal("150.00")


@pytest.mark.parametrize(
    ("recency", "interval", "slipping"),
    [(200, Decimal(90), True), (180, Decimal(90), False), (400, None, True), (300, None, False)],
)
def test_slipping_away_beyond_twice_the_usual_interval(recency, interval, slipping):
    assert customer_value.figures.is_slipping(CONFIG, recency, interval) is slipping


# ------------------------------------------------------------------ with the store

COSTED_BIKE = (
    (DATA / "bike.yaml")
    .read_text()
    .replace("price: 120.00}", "price: 120.00, cost: 50.00}")
    .replace("price: 30.00}", "price: 30.00, cost: 12.00}")
    .replace("price: 10.00}", "price: 10.00, cost: 4.00}")
    .replace("price: 25.00}", "price: 25.00, cost: 20.00}")
)


@pytest.fixture
def tier_file(tmp_path, monkeypatch):
    """A tier file the order hook reads: silver from 1 order, gold from 300 EUR."""
    path = tmp_path / "tiers.yaml"
    path.write_text(
        CONFIG_TEXT.split("tiers:")[0]
        + "tiers:\n  - {id: gold, name: Gold, min_revenue: 300}\n"
        + "  - {id: silver, name: Silver, min_orders: 1}\n"
    )
    monkeypatch.setenv("CONFIGURATOR_TIERS", str(path))
    return path


def test_order_margin_from_the_catalog_version_it_was_placed_with(session):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    owner = gen_user(session)
    order = gen_order(session, owner)
    # alu 120-50, rim 30-12, box 10-4, courier 25-20, prepay 0 (no cost)
    assert order.total == Decimal("185.00")
    assert customer_value.margins.order_margin(order) == Decimal("99.00")
    # A newer catalog version with other costs does not change the old order's margin.
    catalogs.load_text(session, COSTED_BIKE.replace("cost: 50.00", "cost: 90.00"), "v2.yaml")
    assert customer_value.margins.order_margin(order) == Decimal("99.00")


def test_order_margin_counts_every_unit_ordered(session):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    order = orders.place(session, owner, configuration.id, quantity=3)
    assert order.total == Decimal("555.00")
    assert customer_value.margins.order_margin(order) == 3 * Decimal("99.00")


def test_order_margin_unknown_for_a_catalog_without_costs(session, bike):
    order = gen_order(session, gen_user(session))
    assert customer_value.margins.order_margin(order) is None


def test_each_order_updates_value_and_tier_on_the_timeline(session, tier_file):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    owner = gen_user(session)
    assert owner.tier is None
    gen_order(session, owner)
    stored = session.get(CustomerValue, owner.id)
    assert (stored.revenue, stored.margin, stored.order_count) == (
        Decimal("185.00"),
        Decimal("99.00"),
        1,
    )
    assert owner.tier == "silver"
    gen_order(session, owner)  # 370 EUR now: gold
    session.expire_all()
    assert session.get(CustomerValue, owner.id).revenue == Decimal("370.00")
    assert owner.tier == "gold"
    changes = session.scalars(
        sa.select(Interaction)
        .where(Interaction.customer_id == owner.id, Interaction.kind == "tier_changed")
        .order_by(Interaction.id)
    ).all()
    # The first order sets the tier without a change entry: nothing was earned before it.
    assert [c.subject for c in changes] == ["Tier: Silver → Gold"]
    assert changes[0].detail["from"] == "silver" and changes[0].detail["to"] == "gold"


def test_the_first_order_records_no_tier_change_from_a_tier_not_earned_by_orders(session, tier_file):
    """Issue 14, item 10: a seeded Gold customer's first order said "Tier changed Gold -> Silver"."""
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    owner = gen_user(session, tier="gold")
    gen_order(session, owner)
    assert owner.tier == "silver"
    kinds = session.scalars(
        sa.select(Interaction.kind).where(Interaction.customer_id == owner.id)
    ).all()
    assert "ordered" in kinds and "tier_changed" not in kinds


def test_reorder_also_counts(session, tier_file):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    owner = gen_user(session)
    first = gen_order(session, owner)
    orders.reorder(session, owner, first.number)
    assert session.get(CustomerValue, owner.id).order_count == 2
    assert owner.tier == "gold"


def test_recompute_all_lowers_a_tier_and_skips_staff(session, bike):
    owner = gen_user(session, tier="gold")
    staff = gen_user(session, role="staff")
    config = parse_tier_config(CONFIG_TEXT)
    gen_configuration(session, owner, COMPLETE_BIKE)  # saved, never ordered
    report = customer_value.valuation.recompute_all(session, config=config)
    assert report.valued == 1
    assert report.changes == [(owner.id, "gold", None)]
    assert owner.tier is None
    assert session.get(CustomerValue, staff.id) is None
    note = session.scalar(sa.select(Interaction).where(Interaction.kind == "tier_changed"))
    assert note.subject == "Tier: Gold → Standard" and note.channel == "staff"
    # Nothing changes the second time: no new timeline entry.
    assert customer_value.valuation.recompute_all(session, config=config).changes == []


def test_business_account_aggregates_its_contacts(session, tier_file):
    """Two contacts order 185 EUR each: the account has 370 EUR, so both are gold."""
    from configurator.services import business

    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    buyer = gen_user(session, segment="business")
    finance = gen_user(session, segment="business")
    outsider = gen_user(session)
    account = business.accounts.create_account(session, "ACME GmbH", "DE")
    business.accounts.add_contact(session, account, buyer, "buyer")
    business.accounts.add_contact(session, account, finance, "finance")
    session.commit()
    gen_order(session, buyer)
    assert (buyer.tier, finance.tier) == ("silver", "silver")
    gen_order(session, finance)
    gen_order(session, outsider)
    assert (buyer.tier, finance.tier, outsider.tier) == ("gold", "gold", "silver")
    together = customer_value.valuation.account_figures(session, account, config=parse_tier_config(CONFIG_TEXT))
    assert (together.revenue, together.margin, together.order_count) == (
        Decimal("370.00"),
        Decimal("198.00"),
        2,
    )
    # Each contact keeps their own figures; the tier is the account's.
    assert session.get(CustomerValue, buyer.id).revenue == Decimal("185.00")
    assert session.get(CustomerValue, buyer.id).tier == "gold"
    report = customer_value.valuation.recompute_all(session)
    assert report.changes == []


def test_stored_totals_seen_a_year_later():
    """Recency, frequency, scores and lifetime value move with time; the totals do not."""
    history = [eur("1000.00", "400.00", at(2026, 1, 1)), eur("500.00", "150.00", at(2026, 4, 1))]
    then = customer_value.figures.figures(history, CONFIG, at(2026, 4, 1))
    stored = CustomerValue(customer_id=1, currency="EUR")
    customer_value.valuation._copy(then, stored, "EUR", at(2026, 4, 1))
    later = customer_value.figures.as_of(stored, CONFIG, at(2027, 4, 1))
    assert later.revenue == Decimal("1500.00") and later.order_count == 2
    assert later.recency_days == 365
    assert later.orders_per_year == Decimal("1.60")  # 2 x 365 / 455 days (Jan 1 2026 -> Apr 1 2027)
    assert (later.scores.recency, later.scores.frequency, later.scores.monetary) == (2, 2, 2)
    # average margin 275 x (730 / 455) orders a year x 3 years = 1323.626...
    assert later.lifetime_value == Decimal("1323.63")
    assert then.scores.recency == 5 and then.lifetime_value == Decimal("1650.00")  # 275 x 2 x 3
