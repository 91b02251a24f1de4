"""`check` names the rules whose case can never arise under the other rules, and only those."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from bruteforce import all_configurations, model_from_text
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from strategies import COUNTRIES, SEGMENTS, price_gate_catalogs

from configurator.engine import Catalog
from configurator.engine import check as check_module
from configurator.engine.bounded import BoundedSpace
from configurator.engine.evaluate import evaluate_expr, is_valid

CATALOGS = Path(__file__).resolve().parents[2] / "catalog"

CATALOG = """
catalog: unreachable
name: Unreachable
version: 1
currency: EUR
features:
  - {id: frame, name: Frame, dimension: product, choose: one,
     options: [{id: alu, name: Alu, price: 100, attributes: {w: 2}},
               {id: carbon, name: Carbon, price: 500, attributes: {w: 1}}]}
  - {id: brakes, name: Brakes, dimension: product, choose: one,
     options: [{id: rim, name: Rim, price: 20}, {id: disc, name: Disc, price: 80}]}
  - {id: payment, name: Payment, dimension: billing, choose: one,
     options: [{id: card, name: Card}, {id: instalments, name: Instalments}]}
constraints:
  - {id: no-carbon-rim, forbid: frame == carbon and brakes == rim}
  - {id: carbon-disc, if: frame == carbon and brakes == rim, then: payment == card}
  - {id: instalments-from-600, if: payment == instalments, then: price() >= 600}
  - {id: dear-instalments, if: payment == instalments and price() < 580, then: brakes == disc}
  - {id: heavy, forbid: sum(w) > 2}
  - {id: light-carbon, if: sum(w) == 1, then: frame == carbon}
"""


def test_only_rules_whose_case_cannot_arise_are_reported():
    report = Catalog.from_text(CATALOG, "unreachable.yaml").check()
    assert report.usable
    named = sorted(line.split("constraint ")[1].split(":")[0] for line in report.unreachable_rules)
    # carbon with rim brakes is forbidden; instalments below 580 is excluded by the 600 rule;
    # every frame weighs at most 2. The 600 rule itself and light-carbon can arise.
    assert named == ["carbon-disc", "dear-instalments", "heavy"]


# The shop can never reach leasing: its bound is above the dearest bike (600 EUR). Rules
# reading only picks are then answered from the lifted encoding (no running total of the
# price), except where the price bounds decide, which the full encoding answers.
LIFTED = """
catalog: lifted
name: Lifted
version: 1
currency: EUR
features:
  - {id: frame, name: Frame, dimension: product, choose: one,
     options: [{id: alu, name: Alu, price: 100}, {id: carbon, name: Carbon, price: 500}]}
  - {id: brakes, name: Brakes, dimension: product, choose: one,
     options: [{id: rim, name: Rim, price: 20}, {id: disc, name: Disc, price: 100}]}
  - {id: payment, name: Payment, dimension: billing, choose: one,
     options: [{id: card, name: Card}, {id: instalments, name: Instalments}, {id: leasing, name: Leasing}]}
constraints:
  - {id: no-carbon-rim, forbid: frame == carbon and brakes == rim}
  - {id: carbon-rim-card, if: frame == carbon and brakes == rim, then: payment == card}
  - {id: instalments-from-550, if: payment == instalments, then: price() >= 550}
  - {id: leasing-from-1500, if: payment == leasing, then: price() >= 1500}
  - {id: leasing-disc, if: payment == leasing, then: brakes == disc}
  - {id: instalments-carbon, if: payment == instalments, then: frame == carbon}
  - {id: no-instalments-alu, forbid: payment == instalments and frame == alu}
"""


def test_rules_of_a_catalog_with_lifted_price_bounds():
    catalog = Catalog.from_text(LIFTED, "lifted.yaml")
    assert isinstance(catalog.tree, BoundedSpace)
    report = catalog.check()
    named = sorted(line.split("constraint ")[1].split(":")[0] for line in report.unreachable_rules)
    # carbon with rim is forbidden; leasing never reaches 1,500 EUR (only the full encoding,
    # with the price's running total, sees that); instalments on alu stay below 550 EUR even
    # with the rule forbidding them switched off. instalments-carbon's case can arise: with
    # it switched off, instalments on carbon still are, and on alu the forbid rule is on.
    assert named == ["carbon-rim-card", "leasing-disc", "no-instalments-alu"]


def _arises_by_brute_force(model, position: int) -> bool:
    """Some configuration of the other rules, for some customer, where the rule's case holds."""
    rule = model.constraints[position]
    others = replace(model, constraints=tuple(c for i, c in enumerate(model.constraints) if i != position))
    case = rule.condition if rule.kind == "if" else rule.expr
    customers = [
        {key: value for key, value in (("segment", segment), ("country", country)) if value is not None}
        for segment in (None, *SEGMENTS, "consumer")
        for country in (None, *COUNTRIES, "es")
    ]
    for config in all_configurations(model):
        assignment = {f: set(o) for f, o in config.items()}
        for customer in customers:
            if evaluate_expr(model, case, assignment, customer) and is_valid(others, assignment, customer):
                return True
    return False


@pytest.mark.parametrize("direction", ["at least", "at most"])
@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_unreachable_rules_with_price_bounds_equal_brute_force(direction: str, data) -> None:
    case = data.draw(price_gate_catalogs(direction))
    note(f"catalog:\n{case.text}")
    catalog = Catalog.from_text(case.text, "price.json")
    report = catalog.check()
    assume(report.usable)  # a catalog without any configuration stops the check before this part
    model = model_from_text(case.text)
    expected = [
        position for position, rule in enumerate(model.constraints)
        if rule.kind in ("if", "forbid") and not _arises_by_brute_force(model, position)
    ]
    named = sorted(line.split("constraint ")[1].split(":")[0] for line in report.unreachable_rules)
    assert named == sorted(model.constraints[position].name for position in expected)


def test_the_dearest_configuration_settles_a_rule_the_lifted_solver_was_in_doubt_about():
    """When the lifted solver's configuration is too cheap for a price bound, the dearest one the rules
    allow is tried before the full encoding (0.2 s to build on the city bike). It may only say yes when
    the full encoding says so; on the city bike it says yes to every rule (so that build is never needed)."""
    catalog = Catalog.from_text((CATALOGS / "city-bike.yaml").read_text(encoding="utf-8"), "city-bike.yaml")
    model = catalog.model
    cases = {position: constraint.condition if constraint.kind == "if" else constraint.expr
             for position, constraint in enumerate(model.constraints) if constraint.kind in ("if", "forbid")}
    lifted = check_module.CaseSolver(check_module._lifted_problem(catalog, cases), cases)
    full = check_module.CaseSolver(catalog.problem, cases)
    assert lifted.bounds is not None and full.bounds is None
    for position in cases:
        others = [lit for rule, lit in lifted.selectors.items() if rule != position]
        case = lifted.sat.value_lits[lifted.indicators[position]][1]
        assert lifted._dearest_meets_bounds(others + [case]) == full.arises(position) is True, position
