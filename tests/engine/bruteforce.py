"""An independent reference for the engine: brute force over complete configurations.

Nothing here uses the engine's compiler or solver. A configuration is a dict
feature id -> frozenset of option ids; the only judge of validity is
`configurator.engine.evaluate.is_valid(model, config, customer)`, which reads
the rules straight from the catalog model.

Two tools:
- `Enumeration` lists every complete valid configuration of a *small* catalog
  once and answers everything from that list (domains, may-be-empty,
  consistency, completeness, count, cheapest price).
- `Search` finds one valid configuration containing a selection by depth-first
  search, checking each rule as soon as all the features it reads are chosen.
  It copes with catalogs too large to enumerate (the demo catalogs) as long as
  their rules are mostly local; a node budget keeps a test from hanging.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, product
from pathlib import Path

from configurator.engine.evaluate import evaluate_expr, is_valid, term_value
from configurator.engine.loader import parse_model
from configurator.engine.model import (
    DIMENSIONS,
    And,
    CatalogModel,
    Compare,
    Const,
    Constraint,
    CustomerAtom,
    Expr,
    Feature,
    FilledAtom,
    Not,
    NumTerm,
    OptionAtom,
    Or,
)

Config = dict[str, frozenset[str]]
Picks = dict[str, frozenset[str]]
Selection = Mapping[str, "str | Sequence[str]"]
Customer = Mapping[str, str]


def model_from_text(text: str, path: str = "test.yaml") -> CatalogModel:
    """Parse catalog text (YAML or JSON) into a model, without the engine's solver."""
    return parse_model(text, path)


def model_from_file(path: Path) -> CatalogModel:
    """Parse a catalog file into a model."""
    return model_from_text(Path(path).read_text(encoding="utf-8"), str(path))


def feature_choices(feature: Feature) -> list[frozenset[str]]:
    """Every set of options the feature's `choose` allows, smallest first."""
    ids = feature.option_ids()
    top = min(feature.max, len(ids))
    return [frozenset(chosen) for k in range(feature.min, top + 1) for chosen in combinations(ids, k)]


def space_size(model: CatalogModel) -> int:
    """How many configurations satisfy every `choose` (before any rule)."""
    size = 1
    for feature in model.features:
        size *= len(feature_choices(feature))
    return size


def normalize_selection(selection: Selection) -> Picks:
    """The selection as feature -> frozenset of picked options (multi-select as a list)."""
    picks: Picks = {}
    for feature_id, value in selection.items():
        values = [value] if isinstance(value, str) else list(value)
        picks[feature_id] = frozenset(values)
    return picks


def contains(config: Config, picks: Picks) -> bool:
    """True when the configuration picks at least the selected options."""
    return all(chosen <= config.get(feature_id, frozenset()) for feature_id, chosen in picks.items())


def config_price(model: CatalogModel, config: Config) -> Decimal:
    """Total list price of the chosen options."""
    total = Decimal("0")
    for feature in model.features:
        for option in feature.options:
            if option.id in config.get(feature.id, frozenset()):
                total += option.price
    return total


def config_from_selection(model: CatalogModel, selection: Selection) -> Config:
    """The configuration that picks exactly the selection and nothing else."""
    picks = normalize_selection(selection)
    return {feature.id: picks.get(feature.id, frozenset()) for feature in model.features}


def valid(model: CatalogModel, config: Config, customer: Customer | None) -> bool:
    """The evaluator's verdict on one complete configuration."""
    return bool(is_valid(model, {f: set(o) for f, o in config.items()}, dict(customer or {})))


# ---------------------------------------------------------------- enumeration


@dataclass(frozen=True)
class Reference:
    """What the engine must answer for one selection, computed by brute force."""

    consistent: bool
    complete: bool
    domains: dict[str, list[str]]
    may_be_empty: list[str]
    cheapest: Decimal | None


class Enumeration:
    """All complete valid configurations of a small catalog for one customer."""

    def __init__(self, model: CatalogModel, customer: Customer | None = None, limit: int = 20_000):
        size = space_size(model)
        if size > limit:
            raise ValueError(f"{size} configurations to enumerate, more than the limit {limit}")
        self.model = model
        self.customer = dict(customer or {})
        self.configs: list[Config] = [
            config for config in all_configurations(model) if valid(model, config, self.customer)
        ]

    @property
    def count(self) -> int:
        """Number of complete valid configurations."""
        return len(self.configs)

    def matching(self, selection: Selection) -> list[Config]:
        """The valid configurations that contain the selection."""
        picks = normalize_selection(selection)
        return [config for config in self.configs if contains(config, picks)]

    def reference(self, selection: Selection) -> Reference:
        """Domains, may-be-empty, consistency, completeness and cheapest price of a selection."""
        matching = self.matching(selection)
        domains = {
            feature.id: [o for o in feature.option_ids() if any(o in c[feature.id] for c in matching)]
            for feature in self.model.features
        }
        may_be_empty = [f.id for f in self.model.features if any(not c[f.id] for c in matching)]
        exact = config_from_selection(self.model, selection)
        cheapest = min((config_price(self.model, c) for c in matching), default=None)
        return Reference(
            consistent=bool(matching),
            complete=bool(matching) and valid(self.model, exact, self.customer),
            domains=domains,
            may_be_empty=may_be_empty,
            cheapest=cheapest,
        )


def all_configurations(model: CatalogModel) -> Iterator[Config]:
    """Every configuration that satisfies each feature's `choose`."""
    ids = [feature.id for feature in model.features]
    for combo in product(*(feature_choices(feature) for feature in model.features)):
        yield dict(zip(ids, combo))


# ---------------------------------------------------------------- search


class BudgetExceeded(RuntimeError):
    """The search visited more nodes than it was allowed to."""


class Search:
    """Depth-first search for a valid configuration, checking rules as early as possible.

    Each rule is checked, through `is_valid` on a model cut down to that rule
    and the features it reads, as soon as all those features are chosen. That
    is exact: a rule whose features are all chosen has a fixed truth value.
    Before that, `Partial` prunes a branch only when a rule is certainly broken
    whatever the remaining features pick (numeric terms by their bounds).
    """

    def __init__(self, model: CatalogModel, customer: Customer | None = None, budget: int = 200_000):
        self.model = model
        self.customer = dict(customer or {})
        self.budget = budget
        self.order = [feature.id for feature in model.features]
        self.choices = {feature.id: feature_choices(feature) for feature in model.features}
        position = {feature_id: i for i, feature_id in enumerate(self.order)}
        self.checks: dict[int, list[tuple[CatalogModel, tuple[str, ...]]]] = {}
        self.pending: dict[int, list[Constraint]] = {}  # rules still open after each depth
        for constraint in model.constraints:
            scope = tuple(sorted(constraint_scope(model, constraint), key=position.__getitem__))
            depth = max((position[f] for f in scope), default=0)
            self.checks.setdefault(depth, []).append((_cut_model(model, constraint, scope), scope))
            if constraint.kind != "table":
                for earlier in range(depth):
                    self.pending.setdefault(earlier, []).append(constraint)
        self.bounds = Partial(model, self.customer, self.order)

    def find(self, selection: Selection, empty: Iterable[str] = ()) -> Config | None:
        """A valid configuration containing the selection (and leaving `empty` features empty)."""
        picks = normalize_selection(selection)
        empty = set(empty)
        candidates = []
        for feature_id in self.order:
            wanted = picks.get(feature_id, frozenset())
            options = [c for c in self.choices[feature_id] if wanted <= c]
            if feature_id in empty:
                options = [c for c in options if not c]
            candidates.append(options)
        self._nodes = 0
        return self._extend({}, candidates)

    def _extend(self, partial: Config, candidates: list[list[frozenset[str]]]) -> Config | None:
        depth = len(partial)
        if depth == len(self.order):
            return dict(partial)
        feature_id = self.order[depth]
        for chosen in candidates[depth]:
            self._nodes += 1
            if self._nodes > self.budget:
                raise BudgetExceeded(f"more than {self.budget} search nodes")
            partial[feature_id] = chosen
            if self._rules_hold(depth, partial):
                found = self._extend(partial, candidates)
                if found is not None:
                    return found
            del partial[feature_id]
        return None

    def _rules_hold(self, depth: int, partial: Config) -> bool:
        for cut, scope in self.checks.get(depth, ()):
            if not valid(cut, {f: partial[f] for f in scope}, self.customer):
                return False
        return not any(self.bounds.broken(c, partial) for c in self.pending.get(depth, ()))

    def domains(self, selection: Selection) -> tuple[dict[str, list[str]], list[str]]:
        """Valid domains and may-be-empty features, one search per option not yet witnessed."""
        picks = normalize_selection(selection)
        witnessed: dict[str, set[str]] = {f.id: set() for f in self.model.features}
        empty_seen: set[str] = set()

        def record(config: Config | None) -> bool:
            if config is None:
                return False
            for feature_id, chosen in config.items():
                witnessed[feature_id] |= chosen
                if not chosen:
                    empty_seen.add(feature_id)
            return True

        if not record(self.find(picks)):
            return {f.id: [] for f in self.model.features}, []
        for feature in self.model.features:
            for option_id in feature.option_ids():
                if option_id not in witnessed[feature.id]:
                    forced = dict(picks)
                    forced[feature.id] = picks.get(feature.id, frozenset()) | {option_id}
                    record(self.find(forced))
            if feature.id not in empty_seen and not picks.get(feature.id):
                record(self.find(picks, empty=[feature.id]))
        domains = {f.id: [o for o in f.option_ids() if o in witnessed[f.id]] for f in self.model.features}
        return domains, [f.id for f in self.model.features if f.id in empty_seen]


class Partial:
    """Three-valued truth of a rule on a partial configuration: True, False or None (open).

    Sub-expressions whose features are all chosen go to the evaluator as they
    are; a numeric comparison over open features is decided only when the
    bounds of its term over every completion already decide it. Terms are sums
    over chosen options, so their bounds are the chosen part plus each open
    feature's least and greatest contribution.
    """

    def __init__(self, model: CatalogModel, customer: Customer, order: list[str]):
        self.model = model
        self.customer = customer
        self.order = order
        self.choices = {feature.id: feature_choices(feature) for feature in model.features}
        self._scopes: dict[int, set[str]] = {}
        self._ranges: dict[tuple[NumTerm, str], tuple[Decimal, Decimal]] = {}

    def broken(self, constraint: Constraint, partial: Config) -> bool:
        """True when no completion of `partial` can satisfy the rule."""
        holds = self.value(constraint.expr, partial)
        if constraint.kind == "forbid":
            return holds is True
        if constraint.kind == "if":
            return holds is False and self.value(constraint.condition, partial) is True
        return holds is False

    def value(self, expr: Expr | None, partial: Config) -> bool | None:
        """The expression's truth for every completion, or None when completions differ."""
        if expr is None:
            return True
        if self._scope(expr) <= partial.keys():
            return evaluate_expr(self.model, expr, partial, self.customer)
        if isinstance(expr, Not):
            inner = self.value(expr.item, partial)
            return None if inner is None else not inner
        if isinstance(expr, (And, Or)):
            decisive = isinstance(expr, Or)  # True decides an Or, False an And
            values = [self.value(item, partial) for item in expr.items]
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        if isinstance(expr, Compare):
            return self._compare(expr, partial)
        return None

    def _scope(self, expr: Expr) -> set[str]:
        key = id(expr)
        if key not in self._scopes:
            self._scopes[key] = expression_scope(self.model, expr)
        return self._scopes[key]

    def _compare(self, expr: Compare, partial: Config) -> bool | None:
        low = high = term_value(self.model, expr.term, partial)
        for feature_id in self.order:
            if feature_id not in partial:
                least, most = self._range(expr.term, feature_id)
                low, high = low + least, high + most
        value, op = expr.value, expr.op
        certainly = {
            "<": (high < value, low >= value), "<=": (high <= value, low > value),
            ">": (low > value, high <= value), ">=": (low >= value, high < value),
            "==": (low == high == value, value < low or value > high),
            "!=": (value < low or value > high, low == high == value),
        }[op]
        return True if certainly[0] else False if certainly[1] else None

    def _range(self, term: NumTerm, feature_id: str) -> tuple[Decimal, Decimal]:
        key = (term, feature_id)
        if key not in self._ranges:
            values = [term_value(self.model, term, {feature_id: c}) for c in self.choices[feature_id]]
            self._ranges[key] = (min(values), max(values))
        return self._ranges[key]


def _cut_model(model: CatalogModel, constraint: Constraint, scope: tuple[str, ...]) -> CatalogModel:
    """The catalog reduced to one rule and the features it reads."""
    features = tuple(feature for feature in model.features if feature.id in scope)
    return dataclasses.replace(model, features=features, constraints=(constraint,))


# ---------------------------------------------------------------- rule scopes


def constraint_scope(model: CatalogModel, constraint: Constraint) -> set[str]:
    """Every feature whose choice can change the truth of the rule (a superset is fine)."""
    if constraint.kind == "table":
        return set(constraint.table_features)
    scope: set[str] = set()
    for expr in (constraint.condition, constraint.expr):
        if expr is not None:
            scope |= expression_scope(model, expr)
    return scope


def expression_scope(model: CatalogModel, expr: Expr) -> set[str]:
    """Features an expression reads; numeric terms over dimensions read whole dimensions."""
    if isinstance(expr, (Or, And)):
        return set().union(*(expression_scope(model, item) for item in expr.items))
    if isinstance(expr, Not):
        return expression_scope(model, expr.item)
    if isinstance(expr, (OptionAtom, FilledAtom)):
        return {expr.feature}
    if isinstance(expr, (Const, CustomerAtom)):
        return set()
    if isinstance(expr, Compare):
        return _term_scope(model, expr)
    return {feature.id for feature in model.features}  # unknown node: read everything


def _term_scope(model: CatalogModel, expr: Compare) -> set[str]:
    term = expr.term
    every = {feature.id for feature in model.features}
    if term.kind == "count" and term.arg is not None:
        scope = {term.arg} if term.arg in every else set()
        if term.arg in DIMENSIONS:  # `count(packaging)`; a feature could share the name
            scope |= {f.id for f in model.features if f.dimension == term.arg}
        return scope or every
    if term.kind == "sum" and term.dimension is not None:
        return {f.id for f in model.features if f.dimension == term.dimension}
    return every
