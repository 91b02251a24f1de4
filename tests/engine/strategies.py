"""Hypothesis strategies: random small catalogs, selections and customer facts.

A catalog is drawn as a plain dict in the catalog format (spec section 1) and
handed to the loader as JSON text, which is valid YAML. Catalogs stay small
(at most `MAX_SPACE` configurations before rules) so that brute force can
enumerate them in a few milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from hypothesis import strategies as st

from configurator.engine.model import DIMENSIONS

MAX_SPACE = 1_500
SEGMENTS = ("business", "private", "public")
COUNTRIES = ("de", "fr", "it")
CMPS = ("<", "<=", "==", "!=", ">=", ">")


@dataclass
class CatalogCase:
    """A drawn catalog: its dict form, plus the feature shapes the other strategies need."""

    data: dict[str, Any]
    kinds: dict[str, str] = field(default_factory=dict)  # feature -> one | optional | multi
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The catalog as JSON text, ready for the loader."""
        return json.dumps(self.data, indent=1)

    def restricted(self, keep: set[int]) -> str:
        """The catalog text with only the constraints at these 1-based positions."""
        data = dict(self.data)
        data["constraints"] = [c for i, c in enumerate(self.data["constraints"], 1) if i in keep]
        return json.dumps(data, indent=1)


def _choices(kind: str, n_options: int, low: int, high: int) -> int:
    """How many option sets a feature of that kind allows."""
    if kind == "one":
        return n_options
    if kind == "optional":
        return n_options + 1
    return sum(_binomial(n_options, k) for k in range(low, high + 1))


def _binomial(n: int, k: int) -> int:
    result = 1
    for i in range(k):
        result = result * (n - i) // (i + 1)
    return result


@st.composite
def option_data(draw: st.DrawFn, option_id: str) -> dict[str, Any]:
    """One option: a price with cents and, usually, a numeric weight attribute."""
    cents = draw(st.integers(min_value=0, max_value=6000))
    option: dict[str, Any] = {
        "id": option_id,
        "name": option_id.upper(),
        "price": f"{cents / 100:.2f}",
    }
    attributes: dict[str, Any] = {}
    if draw(st.booleans()) or draw(st.booleans()):
        attributes["w"] = draw(st.integers(min_value=0, max_value=5))
    if draw(st.integers(0, 3)) == 0:
        attributes["colour"] = draw(st.sampled_from(["red", "blue"]))
    if attributes:
        option["attributes"] = attributes
    return option


@st.composite
def feature_data(draw: st.DrawFn, index: int, budget: int) -> tuple[dict[str, Any], str, int]:
    """A feature whose number of option sets fits in `budget`; returns it, its kind and that number."""
    kind = draw(st.sampled_from(["one", "one", "optional", "multi"]))
    n_options = draw(st.integers(min_value=1, max_value=4))
    low = draw(st.integers(min_value=0, max_value=n_options)) if kind == "multi" else 0
    high = draw(st.integers(min_value=max(low, 1), max_value=n_options)) if kind == "multi" else 1
    while _choices(kind, n_options, low, high) > budget and n_options > 1:
        n_options -= 1
        low, high = min(low, n_options), min(high, n_options)
    if _choices(kind, n_options, low, high) > budget:
        kind, n_options, low, high = "one", 1, 1, 1
    size = _choices(kind, n_options, low, high)
    options = [draw(option_data(f"o{i}")) for i in range(n_options)]
    choose: Any = kind if kind != "multi" else {"min": low, "max": high}
    feature = {
        "id": f"f{index}",
        "name": f"Feature {index}",
        "dimension": draw(st.sampled_from(DIMENSIONS)),
        "choose": choose,
        "options": options,
    }
    return feature, kind, size


# ---------------------------------------------------------------- expressions


def _option_list(draw: st.DrawFn, options: list[str]) -> str:
    chosen = draw(
        st.lists(st.sampled_from(options), min_size=1, max_size=len(options), unique=True)
    )
    return "[" + ", ".join(chosen) + "]"


@st.composite
def atom_text(draw: st.DrawFn, case: CatalogCase) -> str:
    """One atom of the rule language over the case's features."""
    features = list(case.options)
    feature = draw(st.sampled_from(features))
    options = case.options[feature]
    form = draw(st.integers(min_value=0, max_value=12))
    if form == 0:
        return f"{feature} == {draw(st.sampled_from(options))}"
    if form == 1:
        return f"{feature} != {draw(st.sampled_from(options))}"
    if form == 2:
        return f"{feature} in {_option_list(draw, options)}"
    if form == 3:
        return f"{feature} not in {_option_list(draw, options)}"
    if form == 4:
        return feature
    if form == 5:
        op = draw(st.sampled_from(["==", "!="]))
        return f"customer.segment {op} {draw(st.sampled_from(SEGMENTS))}"
    if form == 6:
        values = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2, unique=True))
        return f"customer.country in [{', '.join(values)}]"
    return _numeric_text(draw, form, feature)


def _numeric_text(draw: st.DrawFn, form: int, feature: str) -> str:
    op = draw(st.sampled_from(CMPS))
    if form == 7:
        return f"sum(w) {op} {draw(st.integers(0, 12))}"
    if form == 8:
        return f"sum(w, {draw(st.sampled_from(DIMENSIONS))}) {op} {draw(st.integers(0, 8))}"
    if form == 9:
        return f"count({feature}) {op} {draw(st.integers(0, 2))}"
    if form == 10:
        return f"count({draw(st.sampled_from(DIMENSIONS))}) {op} {draw(st.integers(0, 3))}"
    return f"price() {op} {draw(st.integers(0, 150))}.{draw(st.sampled_from(['00', '50', '99']))}"


def expression_text(case: CatalogCase, depth: int = 2) -> st.SearchStrategy[str]:
    """A random expression with `not`, `and`, `or` over atoms, fully parenthesised."""
    atoms = atom_text(case)
    if depth == 0:
        return atoms
    smaller = expression_text(case, depth - 1)
    return st.one_of(
        atoms,
        atoms,
        smaller.map(lambda e: f"not ({e})"),
        st.tuples(smaller, smaller).map(lambda p: f"({p[0]}) and ({p[1]})"),
        st.tuples(smaller, smaller).map(lambda p: f"({p[0]}) or ({p[1]})"),
    )


# ---------------------------------------------------------------- constraints


@st.composite
def table_data(draw: st.DrawFn, case: CatalogCase) -> dict[str, Any] | None:
    """An allow or deny table over 1-3 `one`/`optional` features, with null for "nothing"."""
    eligible = [f for f, kind in case.kinds.items() if kind != "multi"]
    if not eligible:
        return None
    features = draw(
        st.lists(st.sampled_from(eligible), min_size=1, max_size=min(3, len(eligible)), unique=True)
    )
    columns = [case.options[f] + ([None] if case.kinds[f] == "optional" else []) for f in features]
    every_row = [list(row) for row in product(*columns)]
    rows = draw(
        st.lists(st.sampled_from(every_row), min_size=1, max_size=len(every_row), unique_by=tuple)
    )
    verb = draw(st.sampled_from(["allow", "deny"]))
    return {"table": {"features": features, verb: rows}}


@st.composite
def constraint_data(draw: st.DrawFn, case: CatalogCase, index: int) -> dict[str, Any]:
    """One constraint of any kind, with an id (usually) and a message."""
    kind = draw(st.sampled_from(["table", "if", "require", "forbid"]))
    constraint: dict[str, Any] | None = draw(table_data(case)) if kind == "table" else None
    if constraint is None and kind == "if":
        constraint = {"if": draw(expression_text(case, 1)), "then": draw(expression_text(case, 1))}
    elif constraint is None:  # require, forbid, or a table with no one/optional feature to use
        constraint = {"forbid" if kind == "forbid" else "require": draw(expression_text(case))}
    if draw(st.integers(0, 3)) > 0:
        constraint = {"id": f"rule-{index}", **constraint}
    constraint["message"] = f"Rule {index} says no."
    return constraint


@st.composite
def catalogs(draw: st.DrawFn, max_features: int = 6, max_constraints: int = 4) -> CatalogCase:
    """A random small catalog: 2-6 features of 1-4 options, 0-4 rules of every kind."""
    n_features = draw(st.integers(min_value=2, max_value=max_features))
    case = CatalogCase(data={})
    features = []
    space = 1
    for index in range(n_features):
        feature, kind, size = draw(feature_data(index, MAX_SPACE // space))
        features.append(feature)
        space *= size
        case.kinds[feature["id"]] = kind
        case.options[feature["id"]] = [o["id"] for o in feature["options"]]
    _ensure_weight(draw, features)
    case.data = {
        "catalog": "random",
        "name": "Random catalog",
        "version": 1,
        "currency": "EUR",
        "features": features,
        "constraints": [],
    }
    n_constraints = draw(st.integers(min_value=0, max_value=max_constraints))
    case.data["constraints"] = [draw(constraint_data(case, i + 1)) for i in range(n_constraints)]
    return case


def _ensure_weight(draw: st.DrawFn, features: list[dict[str, Any]]) -> None:
    """Give the first option a weight when none has one: `sum(w)` must name a known attribute."""
    if any("w" in o.get("attributes", {}) for f in features for o in f["options"]):
        return
    first = features[0]["options"][0]
    first.setdefault("attributes", {})["w"] = draw(st.integers(min_value=0, max_value=5))


# ---------------------------------------------------------------- requests


@st.composite
def selections(draw: st.DrawFn, case: CatalogCase) -> dict[str, Any]:
    """A partial selection: some features, one option each (1-2 options for multi-select)."""
    chosen = draw(st.lists(st.sampled_from(list(case.options)), max_size=3, unique=True))
    selection: dict[str, Any] = {}
    for feature in chosen:
        options = case.options[feature]
        if case.kinds[feature] == "multi":
            selection[feature] = draw(
                st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True)
            )
        else:
            selection[feature] = draw(st.sampled_from(options))
    return selection


def customers() -> st.SearchStrategy[dict[str, str]]:
    """Customer facts: none, a segment, a country (some not named by any rule), or both."""
    return st.fixed_dictionaries(
        {},
        optional={
            "segment": st.sampled_from(SEGMENTS + ("consumer",)),
            "country": st.sampled_from(COUNTRIES + ("es",)),
        },
    )


# ---------------------------------------------------------------- numeric-heavy catalogs


@st.composite
def numeric_rule_data(draw: st.DrawFn, case: CatalogCase, index: int) -> dict[str, Any]:
    """A rule a seller writes about totals: a pick (or nothing) gating one or two global sums or price()."""
    terms = [
        f"price() {draw(st.sampled_from(CMPS))} {draw(st.integers(0, 200))}.{draw(st.sampled_from(['00', '50']))}",
        f"sum(w) {draw(st.sampled_from(CMPS))} {draw(st.integers(0, 14))}",
        f"sum(v) {draw(st.sampled_from(CMPS))} {draw(st.integers(0, 14))}",
        f"sum(w, {draw(st.sampled_from(DIMENSIONS))}) {draw(st.sampled_from(CMPS))} {draw(st.integers(0, 9))}",
    ]
    chosen = draw(st.lists(st.sampled_from(terms), min_size=1, max_size=2, unique=True))
    joined = f" {draw(st.sampled_from(['and', 'or']))} ".join(f"({term})" for term in chosen)
    if draw(st.booleans()):
        rule: dict[str, Any] = {"require": joined}
    else:
        rule = {"if": draw(atom_text(case)), "then": joined}
    return {"id": f"total-{index}", **rule, "message": f"Total rule {index}."}


@st.composite
def numeric_catalogs(draw: st.DrawFn) -> CatalogCase:
    """A random small catalog whose rules are mostly about several global sums and price()."""
    case = _catalog_with_v(draw, max_constraints=2)
    extra = draw(st.integers(min_value=1, max_value=4))
    start = len(case.data["constraints"])
    case.data["constraints"] += [draw(numeric_rule_data(case, start + i + 1)) for i in range(extra)]
    return case


@st.composite
def price_gate_catalogs(draw: st.DrawFn, direction: str) -> CatalogCase:
    """A small catalog with price() rules a seller writes: a pick (or a fact) gating a price bound.

    `direction` is "at least" (every bound >= or >), "at most" (<= or <), or
    "both" (mixed, on the same price). The rules come in the shapes sellers
    use: `if G then price() >= T`, `forbid G and price() < T`,
    `require price() >= T or not G`; next to them, some sum(w)/sum(v) rules.
    """
    case = _catalog_with_v(draw, max_constraints=1)
    ops = {"at least": (">=", ">"), "at most": ("<=", "<"), "both": (">=", ">", "<=", "<")}[direction]
    negated = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
    rules = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(ops))
        bound = f"{draw(st.integers(0, 200))}.{draw(st.sampled_from(['00', '50']))}"
        gate = draw(atom_text(case))
        shape = draw(st.sampled_from(["if", "forbid", "require", "customer"]))
        if shape == "if":
            rule = {"if": gate, "then": f"price() {op} {bound}"}
        elif shape == "forbid":
            rule = {"forbid": f"({gate}) and price() {negated[op]} {bound}"}
        elif shape == "require":
            rule = {"require": f"price() {op} {bound} or not ({gate})"}
        else:
            segment = draw(st.sampled_from(SEGMENTS))
            rule = {"if": f"customer.segment == {segment}", "then": f"price() {op} {bound}"}
        rules.append({"id": f"price-{index}", **rule, "message": f"Price rule {index}."})
    for index in range(draw(st.integers(min_value=0, max_value=2))):
        term = draw(st.sampled_from(["sum(w)", "sum(v)"]))
        rule = {"if": draw(atom_text(case)), "then": f"{term} {draw(st.sampled_from(CMPS))} {draw(st.integers(0, 14))}"}
        rules.append({"id": f"sum-{index}", **rule, "message": f"Sum rule {index}."})
    case.data["constraints"] += draw(st.permutations(rules))
    return case


def _catalog_with_v(draw: st.DrawFn, max_constraints: int) -> CatalogCase:
    """A random small catalog (with at most `max_constraints` ordinary rules) whose options carry w
    and v attributes (the first option v for sure, so that sum(v) has something to add)."""
    case = draw(catalogs(max_features=6, max_constraints=max_constraints))
    for feature in case.data["features"]:
        for option in feature["options"]:
            if draw(st.booleans()):
                option.setdefault("attributes", {})["v"] = draw(st.integers(min_value=0, max_value=6))
    first = case.data["features"][0]["options"][0]
    first.setdefault("attributes", {}).setdefault("v", draw(st.integers(min_value=0, max_value=6)))
    return case


# ---------------------------------------------------------------- catalogs for the counters and CP-SAT


def catalog_text(features: list[dict], rules: list[dict], catalog: str = "c") -> str:
    """A catalog in EUR as JSON text: the given features and rules, the rest as small as it may be."""
    return json.dumps(
        {
            "catalog": catalog,
            "name": catalog.upper(),
            "version": 1,
            "currency": "EUR",
            "features": features,
            "constraints": rules,
        }
    )


@st.composite
def mixed_catalogs(draw: st.DrawFn) -> CatalogCase:
    """Several sums and price() with every comparison, or price() bounds both ways next to sum rules."""
    if draw(st.booleans()):
        return draw(numeric_catalogs())
    return draw(price_gate_catalogs("both"))


OPERATORS = ["<", "<=", ">", ">=", "==", "!="]


@st.composite
def fine_unit_catalogs(draw: st.DrawFn) -> str:
    """Few features with prices and two attributes in fine, mostly distinct units, and comparisons of
    every operator on price(), sum(w) and sum(v), some gated by a pick: partial totals of different
    values share classes only when the features left cannot tell them apart."""
    features = []
    for i in range(draw(st.integers(2, 5))):
        options = []
        for j in range(draw(st.integers(1, 3))):
            option = {"id": f"o{j}", "name": "O",
                      "price": f"{draw(st.integers(0, 40))}.{draw(st.sampled_from(['00', '25', '99']))}"}
            attributes = {name: draw(st.integers(0, 30)) for name in ("w", "v") if draw(st.booleans())}
            if attributes:
                option["attributes"] = attributes
            options.append(option)
        features.append({"id": f"f{i}", "name": "F", "dimension": "product",
                         "choose": draw(st.sampled_from(["one", "optional"])), "options": options})
    first = features[0]["options"][0].setdefault("attributes", {})  # sum() of an attribute no option has is refused
    for name in ("w", "v"):
        first.setdefault(name, draw(st.integers(0, 30)))
    rules = []
    for index in range(draw(st.integers(1, 4))):
        total = draw(st.sampled_from(["price()", "sum(w)", "sum(v)"]))
        high = 40 * len(features) if total == "price()" else 30 * len(features)
        bound = draw(st.integers(0, high))
        comparison = f"{total} {draw(st.sampled_from(OPERATORS))} {bound}"
        feature = draw(st.sampled_from(features))
        gate = f"{feature['id']} == {draw(st.sampled_from(feature['options']))['id']}"
        rule = {"require": comparison} if draw(st.booleans()) else {"if": gate, "then": comparison}
        rules.append({"id": f"r{index}", **rule, "message": "m"})
    return catalog_text(features, rules)
