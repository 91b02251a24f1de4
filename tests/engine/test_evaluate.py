"""The reference semantics of one full configuration, on the city bike of the spec."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from configurator.engine.evaluate import (
    evaluate_expr,
    fits_choose,
    is_valid,
    term_value,
    violated,
)
from configurator.engine.loader import load_model
from configurator.engine.model import CatalogModel, Const, NumTerm
from configurator.engine.rules import parse_expression

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bike() -> CatalogModel:
    return load_model(DATA / "bike.yaml")


def gen_config(**changes: set[str]) -> dict[str, set[str]]:
    """A complete valid bike configuration; keyword arguments replace features' picks."""
    config = {
        "frame": {"alu"},
        "size": {"m"},
        "brakes": {"rim"},
        "packaging": {"box"},
        "delivery": {"pickup"},
        "billing": {"card"},
    }
    config.update(changes)
    return {feature: picks for feature, picks in config.items() if picks}


def names(constraints: list) -> list[str]:
    return [constraint.name for constraint in constraints]


def holds(model: CatalogModel, rule: str, config: dict, customer: dict | None = None) -> bool:
    return evaluate_expr(model, parse_expression(rule), config, customer or {})


def test_a_valid_configuration(bike: CatalogModel) -> None:
    assert is_valid(bike, gen_config(), {})
    assert violated(bike, gen_config(), {}) == []
    assert is_valid(bike, gen_config(extras={"bell", "rack"}, **{"gift-wrap": {"yes-please"}}))


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        ({"frame": {"carbon"}}, ["carbon-needs-disc"]),
        ({"delivery": {"courier"}, "packaging": {"pallet"}}, ["#2"]),
        ({"frame": {"carbon"}, "brakes": {"disc_hydraulic"}, "size": {"s"}}, ["#4"]),
        ({"extras": {"rack", "lights"}, "brakes": {"disc_hydraulic"}}, ["light-bike"]),
        ({"frame": {"carbon"}, "brakes": {"disc_hydraulic"}, "extras": {"bell", "rack", "lights"},
          "delivery": {"freight"}}, ["at-most-two-extras-on-carbon"]),
        ({"gift-wrap": {"yes-please"}, "packaging": {"pallet"}}, ["gift-wrap-only-in-box"]),
        ({"frame": {"carbon"}, "brakes": {"disc_hydraulic"}, "delivery": {"courier"},
          "extras": {"rack", "lights"}},
         ["big-orders-by-freight"]),
    ],
)
def test_each_constraint_kind_can_be_broken(
    bike: CatalogModel, changes: dict[str, set[str]], broken: list[str]
) -> None:
    config = gen_config(**changes)
    assert names(violated(bike, config, {})) == broken
    assert not is_valid(bike, config, {})


@pytest.mark.parametrize(
    "config",
    [
        gen_config(frame=set()),                        # `one` with nothing chosen
        gen_config(frame={"alu", "carbon"}),            # `one` with two
        gen_config(**{"gift-wrap": {"yes-please", "x"}}),
        gen_config(extras={"bell", "rack", "lights", "horn"}),
        gen_config(frame={"steel"}),                    # unknown option
        {**gen_config(), "saddle": {"leather"}},        # unknown feature
    ],
)
def test_choose_and_unknown_picks_make_a_configuration_invalid(
    bike: CatalogModel, config: dict
) -> None:
    assert not fits_choose(bike, config)
    assert not is_valid(bike, config, {})


def test_a_lone_option_id_is_one_pick(bike: CatalogModel) -> None:
    config = {feature: next(iter(picks)) for feature, picks in gen_config().items()}
    assert is_valid(bike, config)


@pytest.mark.parametrize(
    ("customer", "broken"),
    [
        ({}, []),                              # missing fact: `!=` is false too
        ({"segment": "business"}, []),
        ({"segment": "private"}, ["#3"]),
        ({"country": "DE"}, []),
    ],
)
def test_customer_facts(bike: CatalogModel, customer: dict[str, str], broken: list[str]) -> None:
    config = gen_config(billing={"invoice_60"})
    assert names(violated(bike, config, customer)) == broken


@pytest.mark.parametrize(
    ("rule", "customer", "expected"),
    [
        ("customer.segment == business", {}, False),
        ("customer.segment != business", {}, False),
        ("customer.segment in [business]", {}, False),
        ("customer.segment not in [business]", {}, False),
        ("not customer.segment == business", {}, True),
        ("customer.segment in [a, business]", {"segment": "business"}, True),
        ("customer.segment not in [a, business]", {"segment": "c"}, True),
        ("customer.tier == 2", {"tier": "2"}, True),
        ("customer.name == 'Ada L.'", {"name": "Ada L."}, True),
    ],
)
def test_customer_atoms(bike: CatalogModel, rule: str, customer: dict, expected: bool) -> None:
    assert holds(bike, rule, gen_config(), customer) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("extras == bell", False),
        ("extras != bell", True),
        ("extras in [bell, rack]", False),
        ("extras not in [bell, rack]", True),
        ("extras", False),
        ("count(extras) == 0", True),
        ("gift-wrap != yes-please", True),
    ],
)
def test_empty_features(bike: CatalogModel, rule: str, expected: bool) -> None:
    assert holds(bike, rule, gen_config()) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("extras == bell", True),
        ("extras == lights", False),
        ("extras != bell", False),
        ("extras != lights", True),
        ("extras in [lights, rack]", True),
        ("extras in [lights]", False),
        ("extras not in [lights]", True),
        ("extras not in [lights, rack]", False),
        ("extras", True),
        ("count(extras) == 2", True),
        ("count(product) == 5", True),
        ("count(packaging) == 1", True),
    ],
)
def test_multi_select_features(bike: CatalogModel, rule: str, expected: bool) -> None:
    assert holds(bike, rule, gen_config(extras={"bell", "rack"})) is expected


def test_precedence_in_evaluation(bike: CatalogModel) -> None:
    config = gen_config()
    assert holds(bike, "frame == carbon and size == m or brakes == rim", config)
    assert not holds(bike, "frame == carbon and (size == m or brakes == rim)", config)
    assert holds(bike, "not frame == carbon and size == m", config)
    assert not holds(bike, "not (frame == alu and size == m)", config)


def test_numeric_terms(bike: CatalogModel) -> None:
    config = gen_config(extras={"bell", "lights"}, delivery={"courier"})
    # alu 120 + bell 9.90 + lights 42.25 + box 15 + courier 25
    assert term_value(bike, NumTerm("price"), config) == Decimal("212.15")
    # 1800 + 50 + 120; size, rim brakes and packaging have no weight: they count 0
    assert term_value(bike, NumTerm("sum", "weight_g"), config) == 1970
    assert term_value(bike, NumTerm("sum", "lead_days"), config) == 4
    assert term_value(bike, NumTerm("sum", "lead_days", "delivery"), config) == 2
    assert term_value(bike, NumTerm("sum", "lead_days", "billing"), config) == 0
    assert term_value(bike, NumTerm("count", "delivery"), config) == 1  # the feature wins
    assert term_value(bike, NumTerm("count", "product"), config) == 5
    assert holds(bike, "price() == 212.15", config)
    assert holds(bike, "price() > 212.149 and price() < 212.151", config)
    assert holds(bike, "sum(weight_g, product) <= 1970 and sum(weight_g) >= 1970", config)
    assert holds(bike, "sum(weight_g) != 0 and count(extras) > -1", config)


def test_prices_are_exact_decimals(bike: CatalogModel) -> None:
    config = gen_config(extras={"bell"}, packaging={"box"})
    value = term_value(bike, NumTerm("price"), config)
    assert isinstance(value, Decimal)
    assert holds(bike, "price() == 144.9", config)  # 120 + 9.9 + 15, no binary rounding


def test_tables_with_optional_features(bike: CatalogModel) -> None:
    deny = bike.constraints[6]
    assert deny.table_features == ("gift-wrap", "packaging")
    assert violated(bike, gen_config(packaging={"pallet"}), {}) == []
    assert names(violated(bike, gen_config(packaging={"pallet"},
                                           **{"gift-wrap": {"yes-please"}}), {})) == [deny.name]


def test_constants_from_the_compiler(bike: CatalogModel) -> None:
    assert evaluate_expr(bike, Const(True), {}, {}) is True
    assert evaluate_expr(bike, Const(False), {}, {}) is False
