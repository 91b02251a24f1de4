"""A customer is valued in the currency they buy in, with that currency's
thresholds from the tier file, never converted: a VND buyer and an IRR buyer get
tiers from đồng and rial amounts, the dashboard shows every amount with its
currency and lists open quotes per currency. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from configurator.services import business, catalogs, insights, orders, quotes
from configurator.services.customer_value import figures as value_figures
from configurator.services.customer_value.figures import OrderValue
from configurator.services.customer_value.margins import order_net
from configurator.services.customer_value.tiers import (
    TierConfigError,
    parse_tier_config,
    tier_config,
)
from configurator.services.identify import merging
from configurator.store.value import CustomerValue
from tests.conftest import DATA
from tests.helpers import gen_configuration, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff
from tests.services.test_value import CONFIG_TEXT

CURRENCIES_TEXT = CONFIG_TEXT + """
currencies:
  VND:
    revenue: [1000000, 4000000, 10000000, 20000000]
    tiers:
      platinum: {min_revenue: 16000000}
      gold: {min_revenue: 6000000}
  IRR:
    revenue: [500000000, 2000000000, 5000000000, 10000000000]
    tiers:
      platinum: {min_revenue: 8000000000}
      gold: {min_revenue: 3000000000}
"""
CONFIG = parse_tier_config(CURRENCIES_TEXT)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def bought(amount, currency, month):
    return OrderValue(datetime(2026, month, 1, 12, tzinfo=UTC), Decimal(amount), None, currency)


def test_a_vnd_buyer_is_valued_in_dong_with_the_dong_thresholds():
    history = [bought("5000000", "VND", 9), bought("2000000", "VND", 11)]
    result = value_figures.figures(history, CONFIG, NOW)
    assert (result.currency, result.revenue, result.order_count) == ("VND", Decimal("7000000.00"), 2)
    # 7,000,000 đồng reaches the đồng gold threshold (6,000,000), far below the euro one.
    assert result.tier == "gold"
    # M: 7,000,000 reaches 1,000,000 and 4,000,000 of the đồng bands.
    assert result.scores.monetary == 3


def test_an_irr_buyer_is_valued_in_rials_and_not_made_platinum_by_the_digits():
    history = [bought("950000000", "IRR", 10)]
    result = value_figures.figures(history, CONFIG, NOW)
    assert (result.currency, result.revenue) == ("IRR", Decimal("950000000.00"))
    # Against the euro thresholds 950 million would be platinum; in rials it is one rug.
    assert result.tier is None
    assert result.scores.monetary == 2


def test_the_currency_of_most_orders_decides_and_the_others_do_not_count():
    history = [bought("100.00", "EUR", 3), bought("3000000", "VND", 5), bought("4000000", "VND", 7)]
    result = value_figures.figures(history, CONFIG, NOW)
    assert (result.currency, result.revenue, result.order_count) == ("VND", Decimal("7000000.00"), 2)


def test_a_currency_without_thresholds_is_not_valued():
    result = value_figures.figures([bought("900.00", "USD", 6)], CONFIG, NOW)
    assert (result.currency, result.order_count, result.revenue) == ("EUR", 0, Decimal("0.00"))


def test_a_tier_must_give_its_money_threshold_in_every_currency():
    text = CURRENCIES_TEXT.replace("      gold: {min_revenue: 6000000}\n", "")
    with pytest.raises(TierConfigError, match=r"currencies\.VND\.tiers\.gold: give min_revenue"):
        parse_tier_config(text)


def test_the_shops_tier_file_values_dong_and_rials():
    config = tier_config()
    assert config.currencies[:1] == ("EUR",)
    assert {"VND", "IRR"} <= set(config.currencies)
    vnd, irr = config.in_currency("VND"), config.in_currency("IRR")
    assert vnd.tiers[-1].conditions["min_revenue"] < irr.tiers[-1].conditions["min_revenue"]


def priced_in(session, tmp_path, catalog_id, currency, factor):
    """The test bike as another product line priced in whole units of `currency`."""
    text = (DATA / "bike.yaml").read_text()
    text = text.replace("catalog: test-bike", f"catalog: {catalog_id}").replace(
        "currency: EUR", f"currency: {currency}")
    text = re.sub(r"price: (\d+)\.00", lambda m: f"price: {int(m[1]) * factor}", text)
    (tmp_path / f"{catalog_id}.yaml").write_text(text)
    return catalogs.load_file(session, tmp_path / f"{catalog_id}.yaml").version


@pytest.fixture
def shops(session, tmp_path, bike):
    priced_in(session, tmp_path, "dong-bike", "VND", 27_000)
    priced_in(session, tmp_path, "rial-bike", "IRR", 1_200_000)
    session.commit()


def place(session, customer, catalog_id):
    configuration = gen_configuration(session, customer, BIKE, catalog_id=catalog_id)
    return orders.place(session, customer, configuration.id)


def test_vnd_and_irr_buyers_are_stored_and_shown_in_their_currency(session, second_session, shops):
    lan = gen_user(session, name="Lan", country="vn")
    sara = gen_user(session, name="Sara", country="ir")
    session.commit()
    vnd_order, irr_order = place(session, lan, "dong-bike"), place(session, sara, "rial-bike")
    assert (vnd_order.currency, irr_order.currency) == ("VND", "IRR")

    with second_session() as other:
        lan_value = other.get(CustomerValue, lan.id)
        sara_value = other.get(CustomerValue, sara.id)
        assert (lan_value.currency, lan_value.order_count) == ("VND", 1)
        assert lan_value.revenue == order_net(vnd_order) > 1_000_000
        assert (sara_value.currency, sara_value.order_count) == ("IRR", 1)
        assert sara_value.revenue > 100_000_000

    board = insights.dashboard(session, gen_staff(session), config=tier_config())
    valued = {row.customer.name: row.figures for row in board.customers}
    assert (valued["Lan"].currency, valued["Sara"].currency) == ("VND", "IRR")
    assert board.not_valued == 0
    # A bike's worth of đồng reaches a đồng tier (in euros' terms it would not count at all).
    assert valued["Lan"].tier is not None
    # The tier table adds amounts per currency only.
    by_currency: dict[str, Decimal] = {}
    for tier in board.tiers:
        for currency, amount in tier.revenue.items():
            by_currency[currency] = by_currency.get(currency, Decimal(0)) + amount
    assert by_currency == {"VND": valued["Lan"].revenue, "IRR": valued["Sara"].revenue}


def test_open_quotes_are_listed_per_currency_biggest_first(session, shops):
    sales = gen_staff(session)
    eur_account, _ = gen_account(session)
    tehran = business.accounts.create_account(session, "فرش تهران", "IR", currency="IRR")
    session.commit()
    records = {}
    for name, account, catalog_id, quantity in [
        ("eur_small", eur_account, "test-bike", 1),
        ("irr", tehran, "rial-bike", 1),
        ("eur_big", eur_account, "test-bike", 4),
    ]:
        record = quotes.drafts.create(session, sales, account.id)
        records[name] = quotes.lines.add_line(session, sales, record.id, catalog_id, BIKE, quantity)
    board = insights.dashboard(session, sales, config=CONFIG)
    # The rial quote has the most digits but does not top the euro ones.
    assert [row.record.number for row in board.quotes] == [
        records["eur_big"].number, records["eur_small"].number, records["irr"].number]
    assert [(currency, len(rows)) for currency, rows in board.quotes_by_currency] == [
        ("EUR", 2), ("IRR", 1)]


def test_a_merge_preview_names_each_revenues_currency(session, shops):
    lan = gen_user(session, name="Nguyễn Thị Lan", country="vn")
    again = gen_user(session, name="Nguyễn Thị Lan", country="vn")
    session.commit()
    order = place(session, lan, "dong-bike")
    shown = merging.preview(session, gen_staff(session), again.id, lan.id)
    assert (shown.revenue_merged, shown.currency_merged) == (order_net(order), "VND")
    assert (shown.revenue_kept, shown.currency_kept) == (Decimal("0.00"), "EUR")
