"""Tiers: the configuration file, scores at the band limits, the command, and
tier-gated options of a demo catalog appearing and disappearing."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from configurator.cli import main
from configurator.config import REPO_ROOT
from configurator.services import catalogs, customer_value, orders
from configurator.services.configuring import configurations
from configurator.services.customer_value.tiers import (
    TierConfigError,
    choose_tier,
    parse_tier_config,
    score,
    tier_config,
)
from configurator.store.types import utcnow
from tests.helpers import gen_user
from tests.services.test_value import CONFIG, CONFIG_TEXT

CITY_BIKE = REPO_ROOT / "catalog" / "city-bike.yaml"


def test_the_shipped_tier_file_is_valid():
    config = tier_config(REPO_ROOT / "config" / "tiers.yaml")
    assert [tier.id for tier in config.tiers] == ["platinum", "gold", "silver"]
    assert config.tier_name(None) == "Standard"


@pytest.mark.parametrize(
    ("days", "expected"), [(0, 5), (30, 5), (31, 4), (90, 4), (180, 3), (365, 2), (366, 1)]
)
def test_recency_score_at_the_band_limits(days, expected):
    assert score(CONFIG, days, Decimal(0), Decimal(0)).recency == expected


@pytest.mark.parametrize(
    ("per_year", "revenue", "expected"),
    [("0.5", "499.99", (1, 1)), ("1", "500", (2, 2)), ("3.99", "4999", (3, 3)), ("8", "10000", (5, 5))],
)
def test_frequency_and_monetary_scores(per_year, revenue, expected):
    scores = score(CONFIG, None, Decimal(per_year), Decimal(revenue))
    assert (scores.frequency, scores.monetary) == expected
    assert scores.recency == 1  # never ordered


def test_first_tier_whose_conditions_all_hold():
    figures = {"revenue": Decimal(3000), "rfm": 10, "orders": 2}
    assert choose_tier(CONFIG, figures) == "silver"  # gold needs rfm 11
    assert choose_tier(CONFIG, dict(figures, rfm=11)) == "gold"
    assert choose_tier(CONFIG, dict(figures, revenue=Decimal(8000))) == "platinum"
    assert choose_tier(CONFIG, {"revenue": Decimal(0), "rfm": 3, "orders": 0}) is None


def test_max_recency_condition_and_unknown_figures():
    config = parse_tier_config(
        CONFIG_TEXT.split("tiers:")[0] + "tiers:\n  - {id: active, max_recency_days: 90}\n"
    )
    assert choose_tier(config, {"recency_days": 90}) == "active"
    assert choose_tier(config, {"recency_days": 91}) is None
    assert choose_tier(config, {"recency_days": None}) is None  # never ordered


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("min_rfm: 11", "min_rfm: 11, colour: red"), "tiers[1] 'gold': unknown key 'colour'"),
        (("[1, 2, 4, 8]", "[1, 4, 2, 8]"), "rfm.orders_per_year: the 4 numbers must be strictly"),
        (("[30, 90, 180, 365]", "[30, 90]"), "rfm.recency_days: give 4 ascending numbers"),
        (("min_revenue: 8000", "min_revenue: -1"), "tiers[0] 'platinum': min_revenue: expected a number of 0"),
        (("min_revenue: 8000", "min_revenue: lots"), "min_revenue: expected a number, not 'lots'"),
        (("lifetime_years: 3", "lifetime_years: 3\nbonus: 1"), "unknown key 'bonus'"),
        (("currency: EUR", "currency: EURO"), "currency 'EURO' is not a 3-letter code"),
    ],
)
def test_bad_tier_files_say_what_and_where(change, message):
    with pytest.raises(TierConfigError) as error:
        parse_tier_config(CONFIG_TEXT.replace(*change), "config/tiers.yaml")
    assert message in str(error.value)
    assert str(error.value).startswith("config/tiers.yaml:")


def test_not_yaml_is_one_clear_error():
    with pytest.raises(TierConfigError, match="not valid YAML"):
        parse_tier_config("tiers: [", "t.yaml")


def test_command_recomputes_and_reports_changes(tmp_path, monkeypatch, capsys):
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        gen_user(session, "ex-gold@example.com", tier="gold")
    tiers = tmp_path / "tiers.yaml"
    tiers.write_text(CONFIG_TEXT)
    assert main(["customers", "recompute-tiers", "--tiers", str(tiers)]) == 0
    out = capsys.readouterr().out
    assert "Gold -> Standard" in out
    assert "1 customers valued, 1 tier changes" in out
    engine.dispose()


def test_command_with_a_broken_tier_file_prints_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    tiers = tmp_path / "tiers.yaml"
    tiers.write_text(CONFIG_TEXT.replace("[1, 2, 4, 8]", "[8]"))
    assert main(["customers", "recompute-tiers", "--tiers", str(tiers)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "rfm.orders_per_year" in err[0]


# ------------------------------------------------ tier-gated options of a demo catalog


def white_glove_possible(catalog, customer) -> bool:
    return "white_glove" in catalog.domains({}, customer=customer.facts()).domains["delivery"]


def order_city_bike(session, customer, now):
    catalog = catalogs.engine_catalog(catalogs.current(session, "city-bike"))
    selection = dict(catalog.complete({}, customer=customer.facts()).selections)
    configuration = configurations.create(
        session, customer, "city-bike", "Bike", selection, now=now
    )
    return orders.place(session, customer, configuration.id, now=now)


def test_tier_gated_delivery_appears_with_gold_and_disappears_when_it_lapses(
    session, tmp_path, monkeypatch
):
    """White-glove delivery (city bike) is for gold and platinum members only."""
    tiers = tmp_path / "tiers.yaml"
    tiers.write_text(
        CONFIG_TEXT.split("tiers:")[0]
        + "tiers:\n  - {id: gold, name: Gold, min_orders: 2, max_recency_days: 365}\n"
    )
    monkeypatch.setenv("CONFIGURATOR_TIERS", str(tiers))
    catalogs.load_file(session, CITY_BIKE)
    catalog = catalogs.engine_catalog(catalogs.current(session, "city-bike"))
    customer = gen_user(session, country="fr")
    start = utcnow() - timedelta(days=800)
    assert not white_glove_possible(catalog, customer)
    order_city_bike(session, customer, start)
    assert customer.tier is None and not white_glove_possible(catalog, customer)
    order_city_bike(session, customer, start + timedelta(days=10))
    assert customer.tier == "gold"
    assert white_glove_possible(catalog, customer)
    # Two years without an order: the recomputation lowers the tier, the benefit goes.
    customer_value.valuation.recompute_all(session, config=tier_config(Path(tiers)))
    assert customer.tier is None
    assert not white_glove_possible(catalog, customer)


def test_the_engine_sees_business_or_not(session):
    """`customer.business` is `yes` for business customers, `no` for everyone else."""
    from configurator.engine import Catalog

    text = (REPO_ROOT / "tests" / "data" / "bike.yaml").read_text().replace(
        "forbid: customer.segment != business and billing == invoice_60",
        "forbid: not customer.business == yes and billing == invoice_60",
    )
    assert "customer.business" in text and "customer.segment" not in text
    catalog = Catalog.from_text(text)
    company = gen_user(session, segment="business", tier="gold", country="at")
    person = gen_user(session, segment="consumer", country=None)
    assert company.facts() == {"segment": "business", "country": "at", "tier": "gold", "business": "yes"}
    assert person.facts() == {"segment": "consumer", "business": "no"}
    assert "invoice_60" in catalog.domains({}, customer=company.facts()).domains["billing"]
    assert "invoice_60" not in catalog.domains({}, customer=person.facts()).domains["billing"]
