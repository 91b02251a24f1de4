"""Compile a catalog into a finite-domain problem: variables and allowed tuples.

Every rule of the catalog becomes one or more *factors*: a scope of variables
and the array of value tuples it allows. The solver (`jtree.py`) and the SAT
encoding (`sat.py`) only ever see this form, so both agree on the semantics by
construction.

Variables:
- a `one`/`optional` feature is one variable; its values are the options in
  catalog order, plus a last value "none" for an `optional` feature;
- a multi-select feature is one 0/1 variable per option, plus a running count;
- a `customer.KEY` fact is a variable whose values are the values the rules
  mention, then OTHER (a value no rule mentions) and MISSING (no such fact), so
  one compiled problem serves every customer: the facts are pinned per request;
- numeric terms (`sum`, `count`, `price`) become chains of running totals, one
  small factor per step, so they stay exact without a global constraint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from .model import (
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
from .problems import Number, Said, said

if TYPE_CHECKING:  # networkx costs ~0.1 s to import; only compiling needs it
    pass

# A rule whose scope enumerates to more tuples than this is not compiled as one
# factor (it would not fit in memory): it becomes a circuit of small factors
# over 0/1 auxiliary variables, each defined by its sub-expression (`_Circuit`).
MAX_FACTOR_TUPLES = 4_000_000
WIDE_RULE_TUPLES = MAX_FACTOR_TUPLES
# In such a circuit, a sub-expression whose scope has at most this many tuples keeps one factor.
PIECE_TUPLES = 4096
# ... and a wide and/or combines at most this many children per factor (a chain of such gates).
FAN_IN = 2
_INT64_MAX = int(np.iinfo(np.int64).max)
OTHER = "<other>"
MISSING = "<missing>"


class CompileError(ValueError):
    """A rule that cannot be compiled exactly within bounded memory."""

    def __init__(self, constraint: Constraint | None, message: str):
        self.constraint = constraint
        self.text = message  # without its place; a `said(...)` keeps its code for other languages
        where = f"constraint {_constraint_label(constraint)}: " if constraint else ""
        super().__init__(where + message)

    @property
    def said(self) -> str:
        """The whole message (its place too) as a `said(...)` when its text is one, else as a str."""
        if not isinstance(self.text, Said):
            return str(self)
        if self.constraint is None:
            return self.text
        return said("constraint %(rule)s: %(problem)s", rule=_constraint_label(self.constraint), problem=self.text)


class OutgrewBudget(CompileError):
    """A compiled form past its size budget: the catalog is sound, another route answers it."""


def _constraint_label(constraint: Constraint) -> str:
    if constraint.id:
        return f"'{constraint.id}' (#{constraint.index})"
    return f"#{constraint.index}"


@dataclass
class Variable:
    """A finite-domain variable of the compiled problem."""

    name: str
    size: int
    kind: str  # feature | option | count | customer | total | compare | indicator | circuit (see _Circuit)
    values: list = field(default_factory=list)  # meaning of each value, for totals


@dataclass
class Factor:
    """Allowed tuples over a scope of variables.

    `constraint` is the 0-based index of the catalog constraint the factor comes
    from, or None for structural factors (choose counts, running totals) that no
    customer can switch off.
    """

    scope: tuple[int, ...]
    rows: np.ndarray  # shape (n, len(scope)), int32
    constraint: int | None


@dataclass
class CompiledProblem:
    """The compiled catalog."""

    model: CatalogModel
    variables: list[Variable]
    factors: list[Factor]
    feature_var: dict[str, int]  # one/optional feature -> variable
    option_var: dict[tuple[str, str], int]  # multi-select (feature, option) -> 0/1 variable
    count_var: dict[str, int]  # multi-select feature -> running count variable
    customer_var: dict[str, int]  # fact key -> variable
    customer_values: dict[str, list[str]]  # fact key -> value names by index
    price_scale: int  # prices are held as integers of 1/price_scale currency units
    var_price: dict[int, np.ndarray] = field(default_factory=dict)  # var -> price per value
    order: list[int] = field(default_factory=list)  # a good variable order for layered.py
    # running-total variable of a sum/price chain -> the chain's last variable (the term's value)
    chain_of: dict[int, int] = field(default_factory=dict)
    totals: dict = field(default_factory=dict)  # numeric term -> (variable, scale)
    # price() bounds taken out of the factors (see `compile_model(lift_price=True)` and bounded.py)
    bounds: LiftedBounds | None = None
    price_lifted: bool = False  # the price() rules were compiled without a running total
    # `compile_model(linear=True)`: each numeric comparison is a free 0/1 variable, defined by a
    # `LinearAtom` that the CP-SAT backend (cpsat.py) states as an exact linear constraint
    linear: list[LinearAtom] = field(default_factory=list)

    def none_value(self, feature: Feature) -> int | None:
        """The value index meaning "no option" of a one/optional feature."""
        return len(feature.options) if feature.min == 0 else None

    def customer_evidence(self, customer: dict[str, str] | None) -> dict[int, int]:
        """Pin every customer variable to the given facts (missing -> MISSING)."""
        customer = customer or {}
        evidence = {}
        for key, var in self.customer_var.items():
            names = self.customer_values[key]
            given = customer.get(key)
            if given is None:
                evidence[var] = names.index(MISSING)
            else:
                given = str(given)
                evidence[var] = names.index(given) if given in names else names.index(OTHER)
        return evidence


@dataclass
class LiftedBounds:
    """price() thresholds kept out of the factors, as gated bounds on one linear sum.

    Every configuration must satisfy: for each level j whose `indicators[j]` is
    1, sum over `weights` of the chosen values >= `levels[j]`. The weights are
    the price (in 1/`scale` units) times `sign`: +1 when the rules ask for a
    price *at least* something, -1 when they ask for *at most* (then the levels
    are negated thresholds). Levels are sorted ascending, and indicator j is 1
    when some rule asks for level j *or a higher one* (so indicator j implies
    indicator j-1): the bound a configuration meets is the level of its
    highest indicator that is 1.
    """

    weights: dict[int, np.ndarray]  # variable -> signed integer weight per value
    sign: int
    scale: int
    levels: list[int]
    indicators: list[int]  # 0/1 variable per level: 1 when some rule asks for that level


@dataclass(frozen=True)
class LinearAtom:
    """A numeric comparison as a linear constraint: variable `var` is 1 exactly when
    sum over `terms` of (integer weight of the chosen value) `op` `threshold` (a Fraction, same units)."""

    atom: Compare
    var: int
    terms: tuple[tuple[int, tuple[int, ...]], ...]  # (variable, weight per value)
    op: str
    threshold: Fraction


def compile_model(model: CatalogModel, *, lift_price: bool = False, linear: bool = False) -> CompiledProblem:
    """Compile a validated catalog into variables and factors.

    With `lift_price`, rules of the form "when G, then price() >= T" (or all of
    the form "<= T"), in any shape of if/require/forbid that is monotone in
    the comparison, are compiled as their boolean part plus a 0/1 indicator
    for G, and the thresholds go to `problem.bounds` instead of a chain of
    running totals: the junction tree then stays as small as without them, and
    `bounded.py` answers exactly with max-marginals and a DP over totals.
    When the rules do not have that form, nothing is lifted (`bounds` is None).

    With `linear`, no running total is built at all: every distinct numeric
    comparison (`sum`, `count`, `price()`) becomes a 0/1 variable that the
    factors read, and `problem.linear` says which linear sum defines it. The
    factors alone then allow more than the catalog; only a backend that adds
    those linear constraints (cpsat.py) answers exactly from this form.
    """
    return _Compiler(model).run(lift_price=lift_price and not linear, linear=linear)


def numeric_measure(model: CatalogModel, cap: int) -> tuple[bool, int]:
    """(price() rules liftable, size of the running totals), without building any total.

    The size is the product, over the compared numeric terms, of how many
    different sums each can reach (clipped past its largest threshold when no
    weight is negative: such sums answer every comparison alike); it stops
    counting past `cap`. It bounds from above how many values the running
    totals of `compile_model` keep, which a junction tree bag may multiply.
    """
    compiler = _Compiler(model)
    compiler.declare_features()
    compiler.declare_customer_facts()
    compiler.chain_features = compiler.chain_order()
    compiler.declare_comparisons()
    liftable = compiler.price_gates() is not None
    size = 1
    for term, comparisons in compiler.collect_thresholds().items():
        contributions, scale = compiler.term_contributions(term)
        clip = None
        if all(min(weights) >= 0 for _, weights in contributions):
            clip = math.floor(max(Fraction(t) * scale for _, t in comparisons)) + 1
        reached = np.zeros(1, dtype=np.int64)
        for _, weights in contributions:
            reached = np.unique(np.add.outer(reached, np.array(weights, dtype=np.int64)).ravel())
            if clip is not None:
                reached = np.unique(np.minimum(reached, max(clip, 0)))
            if len(reached) * size > cap:
                return liftable, cap + 1
        size *= len(reached)
    return liftable, size


def with_case_indicators(problem: CompiledProblem, cases: dict[int, Expr]) -> tuple[CompiledProblem, dict[int, int]]:
    """The problem plus, per key of `cases`, a 0/1 variable that is 1 exactly when that expression holds.

    The indicators are structural (no rule can switch them off): asking whether
    an indicator can be 1 asks whether its expression can hold.
    """
    compiler = _Compiler.resume(problem)
    indicators: dict[int, int] = {}
    for key, expr in cases.items():
        scope = sorted({var for atom in _atoms(expr) for var in compiler.atom_scope(atom)})
        sizes = [compiler.variables[var].size for var in scope]
        if math.prod(sizes) > WIDE_RULE_TUPLES:
            indicators[key] = _Circuit(compiler, None).indicator_of(expr)
            continue
        grid = _grid(sizes)
        columns = {var: grid[:, i] for i, var in enumerate(scope)}
        holds = compiler.evaluate(expr, columns, len(grid)).astype(np.int32)
        indicator = compiler.new_var(f"case#{key}", 2, "indicator")
        compiler.add_factor((*scope, indicator), np.hstack([grid, holds[:, None]]), None)
        indicators[key] = indicator
    return replace(problem, variables=compiler.variables, factors=compiler.factors), indicators


class _Compiler:
    @classmethod
    def resume(cls, problem: CompiledProblem) -> _Compiler:
        """A compiler over an already compiled problem, to add variables and factors to a copy of it."""
        compiler = cls(problem.model)
        compiler.variables = list(problem.variables)
        compiler.factors = list(problem.factors)
        compiler.feature_var = problem.feature_var
        compiler.option_var = problem.option_var
        compiler.count_var = problem.count_var
        compiler.customer_var = problem.customer_var
        compiler.customer_values = problem.customer_values
        compiler.totals = problem.totals
        compiler.linear_atoms = {linear.atom: linear for linear in problem.linear}
        return compiler

    def __init__(self, model: CatalogModel):
        self.model = model
        self.variables: list[Variable] = []
        self.factors: list[Factor] = []
        self.feature_var: dict[str, int] = {}
        self.option_var: dict[tuple[str, str], int] = {}
        self.count_var: dict[str, int] = {}
        self.customer_var: dict[str, int] = {}
        self.customer_values: dict[str, list[str]] = {}
        # term -> (variable holding its value, scale: values are integers of 1/scale)
        self.totals: dict[NumTerm, tuple[int, int]] = {}
        # variable -> running totals whose step consumes it (layer order, see layered.py)
        self.placed_after: dict[int, list[int]] = {}
        self.chain_of: dict[int, int] = {}
        self.price_scale = _price_scale(model)
        self.linear_atoms: dict[Compare, LinearAtom] = {}  # compile_model(linear=True)
        self.inputs_of: dict[int, list[int]] = {}  # circuit variable -> the variables that define it

    # ------------------------------------------------------------ variables
    def new_var(self, name: str, size: int, kind: str, values: list | None = None) -> int:
        self.variables.append(Variable(name, size, kind, values or []))
        return len(self.variables) - 1

    def run(self, lift_price: bool = False, linear: bool = False) -> CompiledProblem:
        self.declare_features()
        self.declare_customer_facts()
        self.chain_features = self.chain_order()
        thresholds = self.collect_thresholds()
        lifted = self.price_gates() if lift_price else None
        if lifted is not None:
            thresholds.pop(NumTerm("price"), None)
        if linear:
            self.declare_comparisons()
        else:
            self.build_totals(thresholds)
        for position, constraint in enumerate(self.model.constraints):
            if lifted is not None and position in lifted[0]:
                residual, _gate = lifted[0][position]
                self.compile_expression(position, constraint, residual)
            else:
                self.compile_constraint(position, constraint)
        bounds = self.lift_bounds(*lifted[1:]) if lifted is not None else None
        problem = CompiledProblem(
            model=self.model,
            variables=self.variables,
            factors=self.factors,
            feature_var=self.feature_var,
            option_var=self.option_var,
            count_var=self.count_var,
            customer_var=self.customer_var,
            customer_values=self.customer_values,
            price_scale=self.price_scale,
        )
        problem.var_price = self.variable_prices()
        problem.chain_of = self.chain_of
        problem.totals = self.totals
        problem.order = self.layer_order()
        problem.bounds = bounds
        problem.price_lifted = lifted is not None
        problem.linear = list(self.linear_atoms.values())
        return problem

    def declare_comparisons(self) -> None:
        """One 0/1 variable per distinct numeric comparison, defined by a `LinearAtom` (see compile_model)."""
        for constraint in self.model.constraints:
            for expr in (constraint.condition, constraint.expr):
                for atom in _atoms(expr):
                    if isinstance(atom, Compare) and atom not in self.linear_atoms:
                        contributions, scale = self.term_contributions(atom.term)
                        var = self.new_var(f"{_term_text(atom.term)} {atom.op} {atom.value}", 2, "compare")
                        terms = tuple((v, tuple(weights)) for v, weights in contributions)
                        self.linear_atoms[atom] = LinearAtom(atom, var, terms, atom.op, Fraction(atom.value) * scale)

    # ------------------------------------------------------------ lifted price() bounds
    def price_gates(self):
        """The price() rules split into a boolean residual and a gated bound, or None when they cannot be.

        A rule R with exactly one comparison A = `price() op T` (and no other
        numeric comparison) is R[A:=false] or R[A:=true] on each case. When
        R[A:=false] implies R[A:=true] (R grows with A): R = R[A:=true] and
        (R[A:=false] or A), so the residual is R[A:=true] and, where
        R[A:=false] fails (the gate), A must hold. Falling with A, likewise
        with "not A". Returns ({position: (residual, gate)}, gates as
        (gate expression, sign, level)), or None when a price() rule has another
        shape or the bounds point both ways (then the running-total chain is used).
        """
        term = NumTerm("price")
        contributions, scale = self.term_contributions(term)
        if sum(max(abs(w) for w in weights) for _, weights in contributions) >= 2**52:
            return None  # max-marginals are summed in float64, exact below 2**53
        splits: dict[int, tuple[Expr, Expr]] = {}
        gates: list[tuple[Expr, int, int]] = []
        for position, constraint in enumerate(self.model.constraints):
            if constraint.kind == "table":
                continue
            expr = _rule_expression(constraint)
            compares = {atom for atom in _atoms(expr) if isinstance(atom, Compare)}
            if not any(atom.term == term for atom in compares):
                continue
            if len(compares) != 1:
                return None
            (atom,) = compares
            if atom.op in ("==", "!="):
                return None
            when_true, when_false = _substitute(expr, atom, True), _substitute(expr, atom, False)
            scope = sorted({v for e in (when_true, when_false) for a in _atoms(e) for v in self.atom_scope(a)})
            sizes = [self.variables[var].size for var in scope]
            if math.prod(sizes) > MAX_FACTOR_TUPLES:
                return None
            grid = _grid(sizes)
            columns = {var: grid[:, i] for i, var in enumerate(scope)}
            holds_true = self.evaluate(when_true, columns, len(grid))
            holds_false = self.evaluate(when_false, columns, len(grid))
            if (holds_true == holds_false).all():  # the comparison never matters (its gate never holds)
                splits[position] = (when_true, Const(False))
                continue
            if not (holds_true | ~holds_false).all():  # R[A:=false] implies R[A:=true]: grows with A
                if not (holds_false | ~holds_true).all():
                    return None  # neither: "price() >= T" exactly when something, for example
                splits[position] = (when_false, Not(when_true))
                op = _NEGATED[atom.op]
            else:
                splits[position] = (when_true, Not(when_false))
                op = atom.op
            gates.append((splits[position][1], *_level(op, Fraction(atom.value) * scale)))
        if not gates:  # every price() comparison is moot: only the residuals remain
            return splits, gates, contributions, scale
        if len({sign for _, sign, _ in gates}) != 1:
            return None
        if len({level for _, _, level in gates}) > MAX_PRICE_LEVELS:
            return None
        return splits, gates, contributions, scale

    def lift_bounds(self, gates, contributions, scale: int) -> LiftedBounds | None:
        """One 0/1 indicator per distinct level: 1 exactly when some rule's gate asks for that level or more."""
        if not gates:
            return None
        sign = gates[0][1]
        levels = sorted({level for _, _, level in gates})
        indicators = []
        for level in levels:
            expr = Or(tuple(gate for gate, _, at in gates if at >= level))
            scope = sorted({var for atom in _atoms(expr) for var in self.atom_scope(atom)})
            grid = _grid([self.variables[var].size for var in scope])
            columns = {var: grid[:, i] for i, var in enumerate(scope)}
            holds = self.evaluate(expr, columns, len(grid)).astype(np.int32)
            indicator = self.new_var(f"price() level {level}", 2, "indicator")
            self.add_factor((*scope, indicator), np.hstack([grid, holds[:, None]]), None)
            indicators.append(indicator)
        weights = {var: np.array(w, dtype=np.int64) * sign for var, w in contributions}
        return LiftedBounds(weights, sign, scale, levels, indicators)

    def layer_order(self) -> list[int]:
        """Customer facts, then features in chain order, each followed by the totals it feeds.

        Every running total comes right after the variables that determine it, so
        the layered form never enumerates a total's values freely.
        """
        order: list[int] = []
        for feature in self.chain_features:
            if feature.multi:
                owned = [self.option_var[(feature.id, o.id)] for o in feature.options]
            else:
                owned = [self.feature_var[feature.id]]
            for var in owned:
                order.append(var)
                order.extend(self.placed_after.get(var, []))
        placed = set(order)
        order.extend(var for var in range(len(self.variables)) if var not in placed and var not in self.inputs_of)
        return self.customers_where_needed(self.circuits_where_defined(order))

    def circuits_where_defined(self, order: list[int]) -> list[int]:
        """Put each circuit variable right after the last variable defining it.

        Placed later, the features it reads would stay in every layer's state
        until then (all the features of a wide rule at once).
        """
        rank = {var: (index, 0) for index, var in enumerate(order)}
        for var in sorted(self.inputs_of):  # a circuit's variables are made children first
            inputs = self.inputs_of[var]
            rank[var] = (max((rank[i][0] for i in inputs), default=-1), var + 1)
        return sorted(rank, key=rank.__getitem__)

    def customers_where_needed(self, order: list[int]) -> list[int]:
        """Move each customer fact just before the variable that completes its first rule.

        A fact stays in every layer's state from its place to its last rule;
        put first, it would multiply every state on the way.
        """
        facts = set(self.customer_var.values())
        rest = [var for var in order if var not in facts]
        position = {var: i for i, var in enumerate(rest)}
        first_use: dict[int, int] = {}
        for factor in self.factors:
            present = [var for var in factor.scope if var in facts]
            others = [position[var] for var in factor.scope if var not in facts]
            done = max(others, default=0)
            for var in present:
                first_use[var] = min(first_use.get(var, done), done)
        slots: dict[int, list[int]] = {}
        for var in facts:
            slots.setdefault(first_use.get(var, 0), []).append(var)
        result: list[int] = []
        for index, var in enumerate(rest):
            result.extend(sorted(slots.get(index, [])))
            result.append(var)
        return result

    def declare_features(self) -> None:
        for feature in self.model.features:
            if feature.multi:
                self.declare_multi(feature)
            else:
                size = len(feature.options) + (1 if feature.min == 0 else 0)
                self.feature_var[feature.id] = self.new_var(feature.id, size, "feature")

    def declare_multi(self, feature: Feature) -> None:
        bools = []
        for option in feature.options:
            var = self.new_var(f"{feature.id}={option.id}", 2, "option")
            self.option_var[(feature.id, option.id)] = var
            bools.append(var)
        count = self.count_chain(f"count({feature.id})", bools, cap=feature.max + 1)
        self.count_var[feature.id] = count
        sizes = self.variables[count].values
        allowed = [[i] for i, value in enumerate(sizes) if feature.min <= value <= feature.max]
        self.add_factor((count,), allowed, None)

    def declare_customer_facts(self) -> None:
        mentioned: dict[str, set[str]] = {}
        for constraint in self.model.constraints:
            for expr in (constraint.condition, constraint.expr):
                for atom in _atoms(expr):
                    if isinstance(atom, CustomerAtom):
                        mentioned.setdefault(atom.key, set()).update(atom.values)
        for key in sorted(mentioned):
            names = sorted(mentioned[key]) + [OTHER, MISSING]
            self.customer_values[key] = names
            self.customer_var[key] = self.new_var(f"customer.{key}", len(names), "customer")

    # ------------------------------------------------------------ numeric terms
    def collect_thresholds(self) -> dict[NumTerm, list[tuple[str, Fraction]]]:
        """Every comparison the rules make of each numeric term: (operator, threshold)."""
        thresholds: dict[NumTerm, list[tuple[str, Fraction]]] = {}
        for constraint in self.model.constraints:
            for expr in (constraint.condition, constraint.expr):
                for atom in _atoms(expr):
                    if isinstance(atom, Compare):
                        thresholds.setdefault(atom.term, []).append((atom.op, Fraction(atom.value)))
        return thresholds

    def chain_order(self) -> list[Feature]:
        """Features in the order running totals visit them: related features next to each other.

        A rule between two features far apart in the chain would keep one of them
        in every cluster along the way, next to the running total; reverse
        Cuthill-McKee on the graph of the other rules keeps such pairs close.
        """
        import networkx as nx

        # Nodes are the features' positions, not their ids: Cuthill-McKee breaks ties in the order it meets
        # neighbours in a set, and a set of strings iterates in a per-process order (PYTHONHASHSEED), which
        # made the compiled form, and so which route `catalog check` took, differ between processes.
        features = self.model.features
        position = {feature.id: i for i, feature in enumerate(features)}
        graph = nx.Graph()
        graph.add_nodes_from(range(len(features)))
        for constraint in self.model.constraints:
            if constraint.kind == "table":
                names = list(constraint.table_features)
            else:
                names = [
                    atom.feature
                    for expr in (constraint.condition, constraint.expr)
                    for atom in _atoms(expr)
                    if isinstance(atom, (OptionAtom, FilledAtom))
                ]
            ends = [position[name] for name in names]
            graph.add_edges_from((a, b) for i, a in enumerate(ends) for b in ends[i + 1:] if a != b)
        order: list[int] = []
        for part in sorted(nx.connected_components(graph), key=min):
            order.extend(nx.utils.reverse_cuthill_mckee_ordering(graph.subgraph(part)))
        gates = self.numeric_gates()
        order = [i for i in order if features[i].id in gates] + [i for i in order if features[i].id not in gates]
        return [features[i] for i in order]

    def numeric_gates(self) -> set[str]:
        """Features named next to a numeric comparison in a rule ("if payment == x then price() >= 600").

        Visited first, they tell early on whether a running total still matters
        (`layered.py` forgets it where it no longer can), which keeps the layers small.
        """
        gates: set[str] = set()
        for constraint in self.model.constraints:
            atoms = [a for expr in (constraint.condition, constraint.expr) for a in _atoms(expr)]
            if any(isinstance(a, Compare) for a in atoms):
                gates.update(a.feature for a in atoms if isinstance(a, (OptionAtom, FilledAtom)))
        return gates

    def build_totals(self, thresholds: dict[NumTerm, list[tuple[str, Fraction]]]) -> None:
        """A variable holding the value of every numeric term of the rules, as far as they can tell.

        `count(F)` of a multi-select feature is its running count; every other term
        gets a chain of running totals of its own (see `total_chain`).
        """
        for term, comparisons in thresholds.items():
            feature = self.model.feature(term.arg) if term.kind == "count" and term.arg else None
            if feature is not None and feature.multi:
                self.totals[term] = (self.count_var[feature.id], 1)
            else:
                self.totals[term] = self.total_chain(term, comparisons)

    def total_chain(self, term: NumTerm, comparisons: list[tuple[str, Fraction]]) -> tuple[int, int]:
        """Chain s_i = s_{i-1} + w_i(x_i) over the contributing variables; (last variable, scale).

        A running total only keeps what the rules can still tell apart: two
        partial sums are one value of the chain when, for every sum the remaining
        variables can add, every comparison of the rules answers the same for
        both (`_ThresholdClasses`). A price in cents then keeps a handful of
        values per step instead of thousands, and stays exact. Each value of a
        chain variable holds one partial sum of its class (the smallest).
        """
        contributions, scale = self.term_contributions(term)
        name = _term_text(term)
        if not contributions:
            return self.new_var(name, 1, "total", [0]), scale
        bound = sum(max(abs(w) for w in weights) for _, weights in contributions)
        if bound > _INT64_MAX // 4:
            # Hostile or mistaken units (weights of 10^50): refuse rather than wrap around.
            raise CompileError(None, said("the numeric term %(term)s reaches totals beyond %(most)s; "
                                          "use smaller attribute values or units", term=name, most=Number(_INT64_MAX)))
        classes = _ThresholdClasses(comparisons, scale, bound, [weights for _, weights in contributions])
        previous, reached = None, np.zeros(1, dtype=np.int64)
        steps: list[int] = []
        for step, (var, weights) in enumerate(contributions):
            if len(reached) * len(weights) > MAX_FACTOR_TUPLES:
                raise OutgrewBudget(None, said("the numeric term %(term)s reaches too many different totals; "
                                               "use coarser attribute units", term=name))
            sums = np.add.outer(reached, np.array(weights, dtype=np.int64))
            values, index = classes.reduce(step, sums.ravel())
            index = index.reshape(len(reached), len(weights))
            last = step == len(contributions) - 1
            total = self.new_var(name if last else f"{name}#{step}", len(values), "total", values.tolist())
            self.placed_after.setdefault(var, []).append(total)
            if previous is None:
                self.add_factor((var, total), np.stack([np.arange(len(weights)), index[0]], axis=1), None)
            else:
                rows = np.stack(
                    [
                        np.repeat(np.arange(len(reached)), len(weights)),
                        np.tile(np.arange(len(weights)), len(reached)),
                        index.ravel(),
                    ],
                    axis=1,
                )
                self.add_factor((previous, var, total), rows, None)
            previous, reached = total, values
            steps.append(total)
        self.chain_of.update((var, previous) for var in steps)
        return previous, scale

    def term_contributions(self, term: NumTerm) -> tuple[list[tuple[int, list[int]]], int]:
        """(variable, integer weight per value) pairs whose sum is the term, and the scale."""
        raw: list[tuple[int, list[Fraction]]] = []
        for feature in self.chain_features:
            if term.kind == "count" and term.arg not in (feature.id, *DIMENSIONS):
                continue
            if term.kind == "count" and term.arg in DIMENSIONS and feature.dimension != term.arg:
                continue
            if term.kind == "sum" and term.dimension and feature.dimension != term.dimension:
                continue
            weights = [self.option_weight(term, option) for option in feature.options]
            if feature.multi:
                for option, weight in zip(feature.options, weights):
                    if weight:
                        raw.append((self.option_var[(feature.id, option.id)], [Fraction(0), weight]))
            else:
                if feature.min == 0:
                    weights.append(Fraction(0))
                if any(weights):
                    raw.append((self.feature_var[feature.id], weights))
        scale = _common_scale(w for _, weights in raw for w in weights)
        return [(var, [int(w * scale) for w in weights]) for var, weights in raw], scale

    def option_weight(self, term: NumTerm, option) -> Fraction:
        if term.kind == "count":
            return Fraction(1)
        if term.kind == "price":
            return Fraction(option.price)
        value = option.attributes.get(term.arg, 0)
        if isinstance(value, str):
            return Fraction(0)
        return Fraction(Decimal(str(value)))

    def count_chain(self, name: str, bools: list[int], cap: int) -> int:
        """Running counts c_i = min(c_{i-1} + b_i, cap) over 0/1 variables; returns the last.

        `cap` is one above the feature's `max`: every count from there on is
        already invalid, so capping stays exact and keeps the chain linear in the
        number of options (uncapped, 10,000 options made 50 million rows).
        """
        previous = self.new_var(f"{name}#0", 2, "total", [0, 1])
        self.placed_after.setdefault(bools[0], []).append(previous)
        self.add_factor((bools[0], previous), [[0, 0], [1, 1]], None)
        reached = 2
        for step, var in enumerate(bools[1:], start=1):
            last = step == len(bools) - 1
            size = min(reached + 1, cap + 1)
            total = self.new_var(name if last else f"{name}#{step}", size, "total", list(range(size)))
            self.placed_after.setdefault(var, []).append(total)
            rows = [[count, bit, min(count + bit, cap)] for count in range(reached) for bit in (0, 1)]
            self.add_factor((previous, var, total), rows, None)
            previous, reached = total, size
        self.variables[previous].name = name
        return previous

    # ------------------------------------------------------------ constraints
    def compile_constraint(self, position: int, constraint: Constraint) -> None:
        if constraint.kind == "table":
            self.compile_table(position, constraint)
            return
        if constraint.kind == "if":
            expr: Expr = Or((Not(constraint.condition), constraint.expr))
        elif constraint.kind == "require":
            expr = constraint.expr
        else:  # forbid
            expr = Not(constraint.expr)
        self.compile_expression(position, constraint, expr)

    def compile_table(self, position: int, constraint: Constraint) -> None:
        scope = tuple(self.feature_var[f] for f in constraint.table_features)
        indexes = [_value_indexes(self.model.feature(f)) for f in constraint.table_features]
        listed = np.array(
            [[index[entry] for index, entry in zip(indexes, row)] for row in constraint.rows],
            dtype=np.int32,
        ).reshape(len(constraint.rows), len(scope))
        if not constraint.deny:
            self.add_factor(scope, listed, position)
            return
        sizes = [self.variables[var].size for var in scope]
        if math.prod(sizes) > WIDE_RULE_TUPLES:
            self.compile_wide(position, Not(Or(tuple(self.table_row(constraint, row) for row in constraint.rows))))
            return
        everything = _grid(sizes)
        denied = _row_keys(listed, sizes)
        keep = ~np.isin(_row_keys(everything, sizes), denied)
        self.add_factor(scope, everything[keep], position)

    def compile_expression(self, position: int, constraint: Constraint, expr: Expr) -> None:
        scope = sorted({var for atom in _atoms(expr) for var in self.atom_scope(atom)})
        sizes = [self.variables[var].size for var in scope]
        if math.prod(sizes) > WIDE_RULE_TUPLES:
            self.compile_wide(position, expr)
            return
        grid = _grid(sizes)
        columns = {var: grid[:, i] for i, var in enumerate(scope)}
        holds = self.evaluate(expr, columns, len(grid))
        self.add_factor(tuple(scope), grid[holds], position)

    def table_row(self, constraint: Constraint, row) -> Expr:
        """One row of a table as an expression: every cell's feature has that option (None: no option)."""
        cells: list[Expr] = []
        for feature, entry in zip(constraint.table_features, row):
            cells.append(Not(FilledAtom(feature)) if entry is None else OptionAtom(feature, (entry,)))
        return And(tuple(cells))

    def compile_wide(self, position: int, expr: Expr) -> None:
        """A rule too wide for one factor, as a circuit whose root is forced true (see `_Circuit`)."""
        var, positive = _Circuit(self, position).literal(expr)
        self.add_factor((var,), np.array([[int(positive)]], dtype=np.int32), position)

    def expr_scope(self, expr: Expr) -> list[int]:
        return sorted({var for atom in _atoms(expr) for var in self.atom_scope(atom)})

    def atom_scope(self, atom) -> list[int]:
        if isinstance(atom, OptionAtom):
            feature = self.model.feature(atom.feature)
            if feature.multi:
                return [self.option_var[(feature.id, o)] for o in atom.options]
            return [self.feature_var[feature.id]]
        if isinstance(atom, FilledAtom):
            feature = self.model.feature(atom.feature)
            if feature.multi:
                return [self.count_var[feature.id]]
            return [self.feature_var[feature.id]]
        if isinstance(atom, CustomerAtom):
            return [self.customer_var[atom.key]]
        if isinstance(atom, Compare):
            if atom in self.linear_atoms:
                return [self.linear_atoms[atom].var]
            return [self.totals[atom.term][0]]
        return []

    def evaluate(self, expr: Expr, columns: dict[int, np.ndarray], n: int) -> np.ndarray:
        """The expression's truth value on every tuple of the grid, vectorised."""
        if isinstance(expr, Or):
            result = np.zeros(n, dtype=bool)
            for item in expr.items:
                result |= self.evaluate(item, columns, n)
            return result
        if isinstance(expr, And):
            result = np.ones(n, dtype=bool)
            for item in expr.items:
                result &= self.evaluate(item, columns, n)
            return result
        if isinstance(expr, Not):
            return ~self.evaluate(expr.item, columns, n)
        if isinstance(expr, Const):
            return np.full(n, expr.value, dtype=bool)
        if isinstance(expr, OptionAtom):
            return self.evaluate_option_atom(expr, columns, n)
        if isinstance(expr, FilledAtom):
            return self.evaluate_filled(expr, columns)
        if isinstance(expr, CustomerAtom):
            return self.evaluate_customer(expr, columns)
        if isinstance(expr, Compare):
            return self.evaluate_compare(expr, columns)
        raise TypeError(f"unknown expression node {expr!r}")

    def evaluate_option_atom(self, atom: OptionAtom, columns, n: int) -> np.ndarray:
        feature = self.model.feature(atom.feature)
        if feature.multi:
            chosen = np.zeros(n, dtype=bool)
            for option in atom.options:
                chosen |= columns[self.option_var[(feature.id, option)]] == 1
        else:
            wanted = [feature.position(o) for o in atom.options]
            chosen = np.isin(columns[self.feature_var[feature.id]], wanted)
        return ~chosen if atom.negated else chosen

    def evaluate_filled(self, atom: FilledAtom, columns) -> np.ndarray:
        feature = self.model.feature(atom.feature)
        if feature.multi:
            var = self.count_var[feature.id]
            counts = np.array(self.variables[var].values)
            return counts[columns[var]] > 0
        none = len(feature.options) if feature.min == 0 else -1
        return columns[self.feature_var[feature.id]] != none

    def evaluate_customer(self, atom: CustomerAtom, columns) -> np.ndarray:
        names = self.customer_values[atom.key]
        column = columns[self.customer_var[atom.key]]
        listed = np.isin(column, [names.index(v) for v in atom.values])
        if not atom.negated:
            return listed
        # A missing fact makes every comparison false, `!=` included.
        return ~listed & (column != names.index(MISSING))

    def evaluate_compare(self, atom: Compare, columns) -> np.ndarray:
        if atom in self.linear_atoms:
            return columns[self.linear_atoms[atom].var] == 1
        var, scale = self.totals[atom.term]
        values = self.variables[var].values
        threshold = Fraction(atom.value)
        truth = np.array([_compare(Fraction(value, scale), atom.op, threshold) for value in values])
        return truth[columns[var]]

    def add_factor(self, scope: tuple[int, ...], rows, constraint: int | None) -> None:
        if not scope:  # a constant (a residual that folded to true or false): one empty row, or none
            array = np.zeros((len(rows), 0), dtype=np.int32)
            self.factors.append(Factor((), array[:1], constraint))
            return
        array = np.asarray(rows, dtype=np.int32).reshape(-1, len(scope))
        if len(scope) and len(array):
            array = np.unique(array, axis=0)  # a row listed twice must not count twice
        self.factors.append(Factor(tuple(scope), array, constraint))

    def variable_prices(self) -> dict[int, np.ndarray]:
        """Price of each value of every feature variable, in 1/price_scale units."""
        prices: dict[int, np.ndarray] = {}
        for feature in self.model.features:
            for option in feature.options:
                if feature.multi:
                    var = self.option_var[(feature.id, option.id)]
                    prices[var] = np.array([0, _scaled(option.price, self.price_scale)], np.int64)
            if not feature.multi:
                values = [_scaled(o.price, self.price_scale) for o in feature.options]
                if feature.min == 0:
                    values.append(0)
                prices[self.feature_var[feature.id]] = np.array(values, np.int64)
        return prices


class _Circuit:
    """A wide rule as small factors over 0/1 variables, each *equal* to its sub-expression.

    A sub-expression whose scope is small gets one variable and one factor
    listing, for every tuple of its scope, whether it holds; a wider and/or
    gets a chain of gates over its children's variables (FAN_IN per gate, in the
    order of the features they read); a negation is the same variable read the other way. Every such
    variable is a function of the features (its factor allows exactly one
    value per tuple), so the circuit adds no configuration and every count
    stays exact. Its factors carry the rule's position: switched off, the
    rule frees only variables nothing else reads.
    """

    def __init__(self, compiler: _Compiler, position: int | None):
        """`position`: the rule the factors belong to; None for structure (a case indicator of check.py)."""
        self.compiler = compiler
        self.position = position
        self.made: dict[Expr, int] = {}  # an atom the rule repeats (a deny table's cells) is defined once
        self.ranks: dict[int, int] = {}
        for index, feature in enumerate(getattr(compiler, "chain_features", [])):
            owned = ([compiler.option_var[(feature.id, o.id)] for o in feature.options] + [compiler.count_var[feature.id]]
                     if feature.multi else [compiler.feature_var[feature.id]])
            self.ranks.update(dict.fromkeys(owned, index))

    def literal(self, expr: Expr) -> tuple[int, bool]:
        """(0/1 variable, True when it equals `expr`, False when it equals its negation)."""
        if isinstance(expr, Not):
            var, positive = self.literal(expr.item)
            return var, not positive
        if expr not in self.made:
            scope = self.compiler.expr_scope(expr)
            tuples = math.prod(self.compiler.variables[var].size for var in scope)
            if isinstance(expr, (And, Or)) and tuples > PIECE_TUPLES:
                items = sorted(expr.items, key=self.rank)
                children = [self.literal(item) for item in items]
                self.made[expr] = self.chain(children, conjunction=isinstance(expr, And))
            else:
                self.made[expr] = self.indicator(expr, scope)
        return self.made[expr], True

    def indicator_of(self, expr: Expr) -> int:
        """A variable equal to `expr` (a negated root read through one more small factor)."""
        var, positive = self.literal(expr)
        return var if positive else self.define([var], np.array([[0, 1], [1, 0]], dtype=np.int32))

    def indicator(self, expr: Expr, scope: list[int]) -> int:
        grid = _grid([self.compiler.variables[var].size for var in scope])
        columns = {var: grid[:, i] for i, var in enumerate(scope)}
        holds = self.compiler.evaluate(expr, columns, len(grid)).astype(np.int32)
        return self.define(scope, np.hstack([grid, holds[:, None]]))

    def rank(self, expr: Expr) -> int:
        """Where the last feature `expr` reads comes in the features' chain order (facts and sums first)."""
        return max((self.ranks.get(var, -1) for var in self.compiler.expr_scope(expr)), default=-1)

    def chain(self, children: list[tuple[int, bool]], conjunction: bool) -> int:
        """A wide and/or as a chain of small gates, children in chain order: assigned in that order
        (layered.py, linear_count.py), a prefix of the features leaves only its chain's value to remember."""
        var = self.gate(children[:FAN_IN], conjunction)
        for start in range(FAN_IN, len(children), FAN_IN - 1):
            var = self.gate([(var, True), *children[start:start + FAN_IN - 1]], conjunction)
        return var

    def gate(self, children: list[tuple[int, bool]], conjunction: bool) -> int:
        scope = sorted({var for var, _ in children})
        grid = _grid([2] * len(scope))
        column = {var: grid[:, i] for i, var in enumerate(scope)}
        truths = [column[var] == int(positive) for var, positive in children]
        holds = np.logical_and.reduce(truths) if conjunction else np.logical_or.reduce(truths)
        return self.define(scope, np.hstack([grid, holds.astype(np.int32)[:, None]]))

    def define(self, scope: list[int], rows: np.ndarray) -> int:
        compiler = self.compiler
        owner = "case" if self.position is None else f"rule#{self.position}"
        var = compiler.new_var(f"{owner} part {len(self.made)}", 2, "circuit")
        compiler.inputs_of[var] = list(scope)
        compiler.add_factor((*scope, var), rows, self.position)
        return var


def wide_rules(model: CatalogModel) -> bool:
    """True when some rule spans more than WIDE_RULE_TUPLES tuples even with each comparison as one 0/1
    variable: compiled as a circuit (`_Circuit`), too wide for a junction tree."""
    compiler = _Compiler(model)
    compiler.declare_features()
    compiler.declare_customer_facts()
    compiler.chain_features = compiler.chain_order()
    compiler.declare_comparisons()
    for constraint in model.constraints:
        if constraint.kind == "table":
            if not constraint.deny:
                continue
            scope = [compiler.feature_var[f] for f in constraint.table_features]
        else:
            scope = compiler.expr_scope(Or((constraint.condition or Const(True), constraint.expr)))
        if math.prod(compiler.variables[var].size for var in scope) > WIDE_RULE_TUPLES:
            return True
    return False


class _ThresholdClasses:
    """Which partial sums of a numeric term the rules can tell apart, step by step.

    After step i of a chain, a partial sum v will grow by some s in S_i, the set
    of sums the remaining steps can add. Two partial sums are interchangeable
    when every comparison of the rules answers the same on v + s, for every s
    in S_i. For `<` and `<=` (and their negations `>=`, `>`) that only depends
    on how many members of S_i lie below the threshold minus v; for `==` and
    `!=`, on which member (if any) equals it. So each partial sum gets a
    signature of one integer per comparison, and equal signatures make one
    value of the chain. S_i over-approximates the sums other rules allow, which
    only keeps apart values that could have been merged: still exact.
    """

    def __init__(self, comparisons, scale: int, bound: int, weights: list[list[int]]):
        # Every sum lies in [-bound, bound]: a threshold beyond it can be moved to
        # bound + 1 without changing any answer (and stays within int64).
        self.tests = []
        for op, threshold in {(op, Fraction(t) * scale) for op, t in comparisons}:
            threshold = max(min(threshold, Fraction(bound + 1)), Fraction(-bound - 1))
            self.tests.append((op, threshold))
        self.tests.sort()
        # With no negative weight, every sum past the largest threshold answers
        # every comparison alike: suffix sums are clipped there to stay few.
        clip = None
        if all(min(w) >= 0 for w in weights) and self.tests:
            clip = math.floor(max(t for _, t in self.tests)) + 1
        self.suffixes = [np.zeros(1, dtype=np.int64)]
        for step_weights in reversed(weights[1:]):
            later = np.add.outer(np.array(step_weights, dtype=np.int64), self.suffixes[-1]).ravel()
            if clip is not None:
                later = np.minimum(later, clip)
            self.suffixes.append(np.unique(later))
        self.suffixes.reverse()  # suffixes[i]: what steps i+1.. can still add

    def reduce(self, step: int, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(one partial sum per class, class of each of `sums`) after `step`."""
        suffix = self.suffixes[step]
        columns = [self._signature(op, threshold, sums, suffix) for op, threshold in self.tests]
        if not columns:
            return np.zeros(1, dtype=np.int64), np.zeros(len(sums), dtype=np.int64)
        _, first, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        # The smallest partial sum of each class stands for it.
        representative = np.full(len(first), _INT64_MAX, dtype=np.int64)
        np.minimum.at(representative, inverse, sums)
        return representative, inverse

    @staticmethod
    def _signature(op: str, threshold: Fraction, sums: np.ndarray, suffix: np.ndarray) -> np.ndarray:
        if op in ("<", ">="):  # v + s < t  <=>  s < ceil(t) - v
            return np.searchsorted(suffix, math.ceil(threshold) - sums, side="left")
        if op in ("<=", ">"):  # v + s <= t  <=>  s <= floor(t) - v
            return np.searchsorted(suffix, math.floor(threshold) - sums, side="right")
        if threshold.denominator != 1:  # == / != a value no integer sum reaches
            return np.zeros(len(sums), dtype=np.int64)
        wanted = int(threshold) - sums
        position = np.minimum(np.searchsorted(suffix, wanted), len(suffix) - 1)
        hit = suffix[position] == wanted
        return np.where(hit, wanted, np.iinfo(np.int64).min)


# ---------------------------------------------------------------- helpers


def _atoms(expr: Expr | None):
    """Every atom of an expression, depth first."""
    if expr is None:
        return
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (Or, And)):
            stack.extend(node.items)
        elif isinstance(node, Not):
            stack.append(node.item)
        else:
            yield node


# More distinct price() thresholds than this are left to the running-total chain.
MAX_PRICE_LEVELS = 6
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _level(op: str, threshold: Fraction) -> tuple[int, int]:
    """(sign, level) such that, for an integer sum t, `t op threshold` is `sign * t >= level`."""
    if op == ">=":
        return 1, math.ceil(threshold)
    if op == ">":
        return 1, math.floor(threshold) + 1
    if op == "<=":
        return -1, -math.floor(threshold)
    return -1, -(math.ceil(threshold) - 1)  # "<"


def _rule_expression(constraint: Constraint) -> Expr:
    """What an if/require/forbid rule requires, as one expression."""
    if constraint.kind == "if":
        return Or((Not(constraint.condition), constraint.expr))
    if constraint.kind == "require":
        return constraint.expr
    return Not(constraint.expr)


def _substitute(expr: Expr, atom, value: bool) -> Expr:
    """`expr` with every occurrence of `atom` replaced by a constant."""
    if expr == atom:
        return Const(value)
    if isinstance(expr, Or):
        return Or(tuple(_substitute(item, atom, value) for item in expr.items))
    if isinstance(expr, And):
        return And(tuple(_substitute(item, atom, value) for item in expr.items))
    if isinstance(expr, Not):
        return Not(_substitute(expr.item, atom, value))
    return expr


atoms = _atoms  # public name, for the catalog's backend choice


def _compare(value: Fraction, op: str, threshold: Fraction) -> bool:
    return {
        "<": value < threshold,
        "<=": value <= threshold,
        "==": value == threshold,
        "!=": value != threshold,
        ">=": value >= threshold,
        ">": value > threshold,
    }[op]


def _term_text(term: NumTerm) -> str:
    if term.kind == "price":
        return "price()"
    if term.dimension:
        return f"{term.kind}({term.arg}, {term.dimension})"
    return f"{term.kind}({term.arg})"


def _common_scale(weights) -> int:
    """Smallest integer that makes every weight whole."""
    scale = 1
    for weight in weights:
        scale = math.lcm(scale, Fraction(weight).denominator)
    return scale


def _price_scale(model: CatalogModel) -> int:
    return _common_scale(Fraction(o.price) for f in model.features for o in f.options)


def _scaled(amount: Decimal, scale: int) -> int:
    return int(Fraction(amount) * scale)


def _value_indexes(feature: Feature) -> dict[str | None, int]:
    """Option id -> value index; None -> the "no option" value of an optional feature."""
    index: dict[str | None, int] = {option.id: i for i, option in enumerate(feature.options)}
    index[None] = len(feature.options)
    return index


def _grid(sizes: list[int]) -> np.ndarray:
    """Every tuple of values over domains of these sizes, as rows."""
    if not sizes:
        return np.zeros((1, 0), dtype=np.int32)
    axes = np.meshgrid(*[np.arange(size, dtype=np.int32) for size in sizes], indexing="ij")
    return np.stack([axis.ravel() for axis in axes], axis=1)


def _row_keys(rows: np.ndarray, sizes: list[int]) -> np.ndarray:
    keys = np.zeros(len(rows), dtype=np.int64)
    for column, size in enumerate(sizes):
        keys = keys * size + rows[:, column]
    return keys


__all__ = [
    "MISSING",
    "OTHER",
    "CompileError",
    "Factor",
    "CompiledProblem",
    "LiftedBounds",
    "LinearAtom",
    "Variable",
    "compile_model",
    "numeric_measure",
    "wide_rules",
    "with_case_indicators",
]
