"""The check's findings without the count (engine/quick_check.py) are the full check's findings.

Each catalog is checked both ways: the dead options, features never filled,
defaults never chosen, rules that never fire and whether the catalog is
consistent must be the same; only the count (and what is said about it) is
left to the full check. The variants make each finding appear, including an
option that only a price() bound kills (the lifted solver cannot settle it
alone and asks the full problem).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.engine import Catalog
from configurator.engine.quick_check import check_without_count

ROOT = Path(__file__).resolve().parents[2]
BIKE = (ROOT / "catalog" / "city-bike.yaml").read_text(encoding="utf-8")
TEST_BIKE = (ROOT / "tests" / "data" / "bike.yaml").read_text(encoding="utf-8")

LEASING = "    if: payment == company_leasing\n    then: price() >= 1500\n"
RULE = "  - id: courier-no-pallet\n"

VARIANTS = {
    "city bike": BIKE,
    "coffee": (ROOT / "catalog" / "coffee-subscription.yaml").read_text(encoding="utf-8"),
    "desk": (ROOT / "catalog" / "standing-desk.yaml").read_text(encoding="utf-8"),
    "test bike": TEST_BIKE,
    # no bike reaches this price: leasing is dead by its price bound alone
    "leasing out of reach": BIKE.replace(LEASING, LEASING.replace("1500", "1000000")),
    "steel forbidden, a rule on steel never fires": TEST_BIKE.replace(
        RULE, "  - id: no-steel\n    forbid: frame == steel\n"
              "  - id: steel-rim\n    if: frame == steel\n    then: brakes == rim\n" + RULE),
    "motor never filled": BIKE.replace(
        "  - id: leasing-includes-insurance\n",
        "  - id: no-motor\n    forbid: motor\n\n  - id: leasing-includes-insurance\n"),
    "a default never chosen": TEST_BIKE.replace(RULE, "  - id: no-alu\n    forbid: frame == alu\n" + RULE),
}


def findings(report) -> tuple:
    """What both checks must agree on (the count and its own warnings left out)."""
    warnings = sorted(w for w in report.warnings if "count" not in w and "guest" not in w and "d-DNNF" not in w)
    return (report.usable, sorted(report.dead_options), sorted(report.unfillable_features),
            sorted(report.unreachable_rules), warnings, bool(report.problems))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_the_findings_without_the_count_are_the_full_checks(name):
    text = VARIANTS[name]
    quick = check_without_count(Catalog.from_text(text, "draft.yaml"))
    full = Catalog.from_text(text, "draft.yaml").check()
    assert quick is not None and quick.count is None
    assert findings(quick) == findings(full)


def test_the_variants_show_what_they_are_for():
    """Each variant really has the finding it is named after (else the comparison above proves little)."""
    def quick(name):
        return check_without_count(Catalog.from_text(VARIANTS[name], "draft.yaml"))

    assert ("payment", "company_leasing") in quick("leasing out of reach").dead_options
    steel = quick("steel forbidden, a rule on steel never fires")
    assert ("frame", "steel") in steel.dead_options and any("steel-rim" in r for r in steel.unreachable_rules)
    assert "motor" in quick("motor never filled").unfillable_features
    assert any("default 'alu'" in w for w in quick("a default never chosen").warnings)


def test_an_inconsistent_catalog_is_found_without_the_count():
    text = TEST_BIKE.replace(RULE, "  - id: no-box\n    forbid: packaging == box\n"
                                   "  - id: no-pallet\n    forbid: packaging == pallet\n" + RULE)
    quick = check_without_count(Catalog.from_text(text, "draft.yaml"))
    full = Catalog.from_text(text, "draft.yaml").check()
    assert not quick.usable and not full.usable
    [problem] = quick.problems
    assert "no-box" in problem and "no-pallet" in problem


# The numeric ones: a catalog without numeric rules goes to its SAT twin whatever backend is forced.
CP_SAT_VARIANTS = ["city bike", "leasing out of reach", "motor never filled"]


@pytest.mark.parametrize("name", CP_SAT_VARIANTS)
def test_a_catalog_cp_sat_answers_gets_the_full_checks_findings_without_the_count(name):
    """CP-SAT's own questions, as the full check asks them, minus the count (which may take minutes)."""
    text = VARIANTS[name]
    catalog = Catalog.from_text(text, "draft.yaml", backend="CP-SAT")
    quick = check_without_count(catalog)
    assert quick is not None and quick.count is None
    assert findings(quick) == findings(Catalog.from_text(text, "draft.yaml", backend="CP-SAT").check())
    assert findings(quick) == findings(Catalog.from_text(text, "draft.yaml").check())  # and the tree's
    assert catalog._guest_count is None  # nothing was counted


def test_an_inconsistent_catalog_cp_sat_answers_is_found_without_the_count():
    text = BIKE.replace("  - id: leasing-includes-insurance\n",
                        "  - id: featherweight\n    require: sum(weight_g) <= 1\n\n"
                        "  - id: leasing-includes-insurance\n")
    quick = check_without_count(Catalog.from_text(text, "draft.yaml", backend="CP-SAT"))
    full = Catalog.from_text(text, "draft.yaml").check()
    assert not quick.usable and not full.usable
    [problem] = quick.problems
    assert "featherweight" in problem
