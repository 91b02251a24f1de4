"""The demo catalogs in `catalog/` are usable, and their customer rules gate the right options.

Every option of a demo catalog must be reachable for some customer, a guest
(no customer facts at all) must be able to complete an order, and options
reserved for business accounts, members or some countries must be disabled
exactly for the customers they are not meant for.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from configurator.engine import load_catalog

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog"
CATALOG_PATHS = sorted(CATALOG_DIR.glob("*.yaml"))

# (catalog, feature, option, facts): disabled for a guest, possible with these facts.
GATED_OPTIONS = [
    ("city-bike", "delivery", "white_glove", {"tier": "gold"}),
    ("city-bike", "payment", "invoice_30", {"segment": "business"}),
    ("city-bike", "payment", "company_leasing", {"segment": "business", "country": "de"}),
    ("city-bike", "warranty", "platinum_care", {"tier": "platinum"}),
    ("city-bike", "invoice_format", "e_invoice", {"segment": "public"}),
    ("standing-desk", "delivery_slot", "after_hours", {"segment": "business"}),
    ("standing-desk", "delivery_slot", "priority_dispatch", {"tier": "platinum"}),
    ("standing-desk", "payment", "invoice_30", {"segment": "business"}),
    ("standing-desk", "payment", "invoice_60", {"segment": "business"}),
    ("standing-desk", "payment", "invoice_90", {"segment": "business", "tier": "gold"}),
    ("standing-desk", "warranty", "onsite_service_5y", {"segment": "business"}),
    ("standing-desk", "invoice_type", "reverse_charge", {"segment": "business", "country": "at"}),
    ("coffee-subscription", "carrier", "same_day_courier", {"city": "hamburg"}),
    ("coffee-subscription", "carrier", "member_express", {"tier": "gold"}),
    ("coffee-subscription", "payment", "invoice_30", {"segment": "business"}),
    ("coffee-subscription", "payment", "invoice_60", {"segment": "business", "tier": "platinum"}),
    ("coffee-subscription", "price_lock", "lock_12m", {"tier": "gold"}),
    ("phin-coffee", "payment", "invoice_30", {"segment": "business"}),
    ("kashan-carpet", "payment", "sayad_cheque_60", {"segment": "business"}),
    ("kashan-carpet", "official_invoice", "with_economic_code", {"segment": "business"}),
]

# (catalog, feature, option, facts): possible for a guest, disabled for these facts.
RESTRICTED_OPTIONS = [
    ("city-bike", "delivery", "express", {"country": "mt"}),
    ("city-bike", "payment", "instalments_12", {"segment": "business"}),
    ("standing-desk", "delivery", "express_freight", {"country": "is"}),
    ("standing-desk", "payment", "instalments", {"segment": "business"}),
    ("coffee-subscription", "carrier", "express_next_day", {"country": "cy"}),
]

# (catalog, feature, option, facts): facts that are not enough to unlock a gated option.
STILL_GATED_OPTIONS = [
    ("city-bike", "payment", "company_leasing", {"segment": "business", "country": "fr"}),
    ("city-bike", "delivery", "white_glove", {"tier": "silver"}),
    ("standing-desk", "payment", "invoice_90", {"segment": "business"}),
    ("standing-desk", "invoice_type", "reverse_charge", {"segment": "business", "country": "de"}),
    ("coffee-subscription", "payment", "invoice_60", {"tier": "gold"}),
    ("coffee-subscription", "carrier", "member_express", {"tier": "gold", "country": "mt"}),
]


@cache
def demo_catalog(catalog_id: str):
    """The demo catalog with that id, loaded once for the whole module."""
    return load_catalog(CATALOG_DIR / f"{catalog_id}.yaml")


@cache
def check_report(catalog_id: str):
    """The check report of a demo catalog, computed once."""
    return demo_catalog(catalog_id).check()


def _case_id(case: tuple) -> str:
    catalog_id, feature, option, facts = case
    shown = ",".join(f"{key}={value}" for key, value in sorted(facts.items()))
    return f"{catalog_id}:{feature}={option}[{shown}]"


def test_demo_catalogs_exist():
    """The demo product lines ship with the project: three in EUR, one in VND, one in IRR."""
    shipped = {path.stem for path in CATALOG_PATHS}
    assert shipped >= {"city-bike", "standing-desk", "coffee-subscription", "phin-coffee", "kashan-carpet"}
    assert demo_catalog("phin-coffee").model.currency == "VND"
    assert demo_catalog("kashan-carpet").model.currency == "IRR"


@pytest.mark.parametrize("catalog_id", ["phin-coffee", "kashan-carpet"])
def test_lines_in_vnd_and_irr_are_priced_in_whole_units(catalog_id: str):
    """VND and IRR have no minor unit: every price is whole, and so is the cheapest order."""
    catalog = demo_catalog(catalog_id)
    prices = [option.price for feature in catalog.model.features for option in feature.options]
    assert all(price == price.to_integral_value() for price in prices)
    cheapest = catalog.complete({}, customer={}).price
    assert cheapest > 0 and cheapest == cheapest.to_integral_value()


@pytest.mark.parametrize("catalog_id", ["phin-coffee", "kashan-carpet"])
def test_lines_in_vnd_and_irr_speak_persian_and_vietnamese(catalog_id: str):
    """Every name, description and rule message has a Persian and a Vietnamese text."""
    assert check_report(catalog_id).missing_translations == []


@pytest.mark.parametrize("path", CATALOG_PATHS, ids=lambda path: path.stem)
def test_demo_catalog_is_usable(path: Path):
    """check() finds no problem, no dead option, no unfillable feature, and some configurations."""
    report = check_report(path.stem)
    assert report.problems == []
    assert report.usable is True
    assert report.dead_options == []
    assert report.unfillable_features == []
    assert report.count > 0


@pytest.mark.parametrize("path", CATALOG_PATHS, ids=lambda path: path.stem)
def test_demo_catalog_id_matches_file_name(path: Path):
    """The catalog id is the file name, so tests and links can find it."""
    assert demo_catalog(path.stem).model.id == path.stem


@pytest.mark.parametrize("path", CATALOG_PATHS, ids=lambda path: path.stem)
def test_guest_can_configure(path: Path):
    """A guest, with no customer facts, can complete a valid order: every feature has options."""
    catalog = demo_catalog(path.stem)
    state = catalog.domains({}, customer={})
    assert state.consistent is True
    assert state.complete is False
    for feature in catalog.model.features:
        # A tier-gated add-on has nothing for a guest, but may then stay empty.
        assert state.domains[feature.id] or feature.id in state.may_be_empty, (
            f"{feature.id} has no option for a guest and cannot stay empty"
        )


@pytest.mark.parametrize("case", GATED_OPTIONS, ids=_case_id)
def test_gated_option_needs_customer_facts(case):
    """A gated option is disabled for a guest and possible for the customers it is meant for."""
    catalog_id, feature, option, facts = case
    catalog = demo_catalog(catalog_id)
    assert option not in catalog.domains({}, customer={}).domains[feature]
    assert option in catalog.domains({}, customer=facts).domains[feature]


@pytest.mark.parametrize("case", RESTRICTED_OPTIONS, ids=_case_id)
def test_restricted_option_disabled_for_some_customers(case):
    """An option open to guests is disabled for the customers a rule excludes."""
    catalog_id, feature, option, facts = case
    catalog = demo_catalog(catalog_id)
    assert option in catalog.domains({}, customer={}).domains[feature]
    assert option not in catalog.domains({}, customer=facts).domains[feature]


@pytest.mark.parametrize("case", STILL_GATED_OPTIONS, ids=_case_id)
def test_partial_facts_do_not_unlock(case):
    """Facts that only meet part of a gate leave the option disabled."""
    catalog_id, feature, option, facts = case
    assert option not in demo_catalog(catalog_id).domains({}, customer=facts).domains[feature]


def test_bikes_for_germany_need_lights():
    """A German customer cannot leave the lights empty (StVZO); a guest can."""
    catalog = demo_catalog("city-bike")
    assert "lights" in catalog.domains({}, customer={}).may_be_empty
    assert "lights" not in catalog.domains({}, customer={"country": "de"}).may_be_empty
