"""Recurring prices (catalog extension `recurring:`): the engine keeps what is paid
once apart from what is paid again per delivery or per month, exactly."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from configurator.engine import Catalog, CatalogError

REPO = Path(__file__).resolve().parents[2]

HEAD = """
catalog: box
name: Box
version: 1
currency: EUR
features:
"""

CATALOG = HEAD + """
  - id: beans
    name: Beans
    dimension: product
    recurring: per_delivery
    choose: one
    options:
      - {id: small, name: Small, price: 8.90}
      - {id: gift, name: Gift tin, price: 12.10, recurring: one_off}
  - id: tool
    name: Tool
    dimension: product
    choose: optional
    options:
      - {id: dripper, name: Dripper, price: 24.00}
  - id: app
    name: App
    dimension: product
    choose: optional
    options:
      - {id: premium, name: Premium, price: 0.10, recurring: per_month}
"""


def test_lines_say_how_often_they_are_paid_and_totals_are_exact():
    catalog = Catalog.from_text(CATALOG, "box.yaml")
    breakdown = catalog.price({"beans": "small", "tool": "dripper", "app": "premium"})
    assert [(line.option, line.recurring) for line in breakdown.lines] == [
        ("small", "per_delivery"),
        ("dripper", None),
        ("premium", "per_month"),
    ]
    assert breakdown.one_off == Decimal("24.00")
    assert breakdown.per_delivery == Decimal("8.90")
    assert breakdown.per_month == Decimal("0.10")
    assert breakdown.total == Decimal("33.00")  # today: each line once
    assert breakdown.recurs
    data = breakdown.to_json()
    assert (data["total"], data["one_off"], data["per_delivery"], data["per_month"]) == (
        "33.00", "24.00", "8.90", "0.10",
    )
    assert data["lines"][0]["recurring"] == "per_delivery"
    assert "recurring" not in data["lines"][1]


def test_one_off_on_an_option_overrides_its_recurring_feature():
    breakdown = Catalog.from_text(CATALOG, "box.yaml").price({"beans": "gift"})
    assert breakdown.one_off == Decimal("12.10") and breakdown.per_delivery == 0


def test_a_catalog_without_recurring_prices_reads_as_before():
    catalog = Catalog.from_path(REPO / "catalog" / "city-bike.yaml")
    breakdown = catalog.price(catalog.complete({}).selections)
    assert not breakdown.recurs
    assert breakdown.one_off == breakdown.total
    assert set(breakdown.to_json()) == {"currency", "lines", "total"}


@pytest.mark.parametrize("value", ["weekly", 7, ["per_month"]])
def test_an_unknown_recurrence_is_a_located_problem(value):
    text = CATALOG.replace("recurring: per_month", f"recurring: {value}")
    with pytest.raises(CatalogError) as caught:
        Catalog.from_text(text, "box.yaml")
    assert "'recurring' must be one_off, per_delivery or per_month" in str(caught.value)
    assert "premium" in str(caught.value)


def test_coffee_dripper_is_paid_once_and_beans_every_delivery():
    catalog = Catalog.from_path(REPO / "catalog" / "coffee-subscription.yaml")
    done = catalog.complete({"extras": ["pour_over_dripper"], "amount": "g250", "frequency": "weekly"})
    breakdown = catalog.price(done.selections)
    assert breakdown.one_off == Decimal("24.00")
    assert breakdown.per_delivery == Decimal("8.90")
    assert breakdown.total == Decimal("32.90")


def test_the_readme_example_of_recurring_prices_loads():
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(), flags=re.DOTALL)
    example = next(block for block in blocks if "recurring: per_delivery" in block)
    catalog = Catalog.from_text(HEAD + example, "README.md")
    breakdown = catalog.price({"amount": "g250", "extras": "pour_over_dripper", "frequency": "weekly"})
    assert (breakdown.one_off, breakdown.per_delivery) == (Decimal("24.00"), Decimal("8.90"))
