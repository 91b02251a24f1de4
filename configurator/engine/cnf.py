"""A boolean catalog as CNF, for the backends that take over where the junction tree refuses.

A catalog is *boolean* when no rule compares a number (no `sum`, `count` or
`price()`): options, requires/excludes, `if` rules, tables and or-clauses. Such
a catalog is a CNF over one Boolean per option, with no rule-size limit: a
24-literal "or" is one clause, where the junction tree would enumerate 2^24
tuples.

Every auxiliary variable is *defined* (equivalent to a formula over the
options and customer facts), so configurations and models correspond one to
one and a model count is the configuration count:
- "no option chosen" of a feature with several options is its own variable;
- a subformula that is not a literal gets a Tseitin variable (both directions);
- a table row is a variable equal to the conjunction of its picks;
- a multi-select feature's min/max uses "at least j of the first i" counters.

Each clause that states a catalog rule is tagged with the rule's 0-based
position, so SAT explanations can switch rules on and off; structural clauses
(choose counts, definitions) have no tag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .compile import MAX_FACTOR_TUPLES, MISSING, OTHER, _atoms
from .model import (
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
    OptionAtom,
    Or,
)


def is_boolean(model: CatalogModel) -> bool:
    """True when no rule compares a number (the CNF backends can take the catalog)."""
    return not any(
        isinstance(atom, Compare)
        for constraint in model.constraints
        for expr in (constraint.condition, constraint.expr)
        for atom in _atoms(expr)
    )


def widest_rule(model: CatalogModel) -> int:
    """The most value combinations one rule spans, as the junction tree's compiler would enumerate them.

    Counted from the option features only (a lower bound of the compiler's own
    figure), so a value above `MAX_FACTOR_TUPLES` means the compiler refuses.
    """
    widest = 0
    for constraint in model.constraints:
        if constraint.kind == "table":
            continue
        scope: dict[str, int] = {}
        for expr in (constraint.condition, constraint.expr):
            for atom in _atoms(expr):
                if isinstance(atom, (OptionAtom, FilledAtom)):
                    feature = model.feature(atom.feature)
                    scope[feature.id] = 2 ** len(feature.options) if feature.multi else _size(feature)
        widest = max(widest, math.prod(scope.values()))
    return widest


def junction_tree_refuses(model: CatalogModel) -> bool:
    """True when a rule is too wide for the junction tree, found without compiling (milliseconds)."""
    return widest_rule(model) > MAX_FACTOR_TUPLES


def _size(feature: Feature) -> int:
    return len(feature.options) + (1 if feature.min == 0 else 0)


@dataclass
class BooleanEncoding:
    """The catalog as clauses over numbered Boolean variables (DIMACS literals)."""

    model: CatalogModel
    variables: int = 0
    clauses: list[list[int]] = field(default_factory=list)
    rule_of_clause: list[int | None] = field(default_factory=list)
    option_lit: dict[tuple[str, str], int] = field(default_factory=dict)
    empty_lit: dict[str, int] = field(default_factory=dict)  # "nothing chosen" of every feature
    customer_lits: dict[str, list[int]] = field(default_factory=dict)  # key -> lit per value name
    customer_values: dict[str, list[str]] = field(default_factory=dict)
    _true: int = 0
    _defined: dict[tuple, int] = field(default_factory=dict)

    @classmethod
    def of(cls, model: CatalogModel) -> BooleanEncoding:
        encoding = cls(model)
        encoding._true = encoding.new_var()
        encoding.clauses.append([encoding._true])
        encoding.rule_of_clause.append(None)
        for feature in model.features:
            encoding._declare_feature(feature)
        encoding._declare_customer_facts()
        for position, constraint in enumerate(model.constraints):
            encoding._encode_constraint(position, constraint)
        return encoding

    def fork(self) -> BooleanEncoding:
        """A copy that can take more variables and clauses without touching this one.

        Clauses are never changed once added, so they are shared; only the
        containers that grow are copied (a deep copy of automotive01's encoding
        took seconds).
        """
        return replace(
            self,
            clauses=list(self.clauses),
            rule_of_clause=list(self.rule_of_clause),
            option_lit=dict(self.option_lit),
            empty_lit=dict(self.empty_lit),
            customer_lits={key: list(lits) for key, lits in self.customer_lits.items()},
            customer_values={key: list(values) for key, values in self.customer_values.items()},
            _defined=dict(self._defined),
        )

    # ------------------------------------------------------------ variables
    def new_var(self) -> int:
        self.variables += 1
        return self.variables

    def add(self, clause: list[int], rule: int | None = None) -> None:
        """One clause; `rule` is the catalog rule it states (None: structure)."""
        if self._true in clause:
            return
        # An empty clause (a rule that can never hold) is written as "not true".
        self.clauses.append([lit for lit in clause if lit != -self._true] or [-self._true])
        self.rule_of_clause.append(rule)

    def any_of(self, lits: list[int]) -> int:
        """A literal equivalent to the disjunction of `lits`."""
        lits = sorted(set(lits))
        if self._true in lits or any(-lit in lits for lit in lits):
            return self._true
        lits = [lit for lit in lits if lit != -self._true]
        if not lits:
            return -self._true
        if len(lits) == 1:
            return lits[0]
        key = ("or", *lits)
        if key not in self._defined:
            var = self.new_var()
            self.add([-var, *lits])
            for lit in lits:
                self.add([var, -lit])
            self._defined[key] = var
        return self._defined[key]

    def all_of(self, lits: list[int]) -> int:
        """A literal equivalent to the conjunction of `lits`."""
        return -self.any_of([-lit for lit in lits])

    def _declare_feature(self, feature: Feature) -> None:
        lits = [self.new_var() for _ in feature.options]
        for option, lit in zip(feature.options, lits):
            self.option_lit[(feature.id, option.id)] = lit
        self.empty_lit[feature.id] = -self.any_of(lits)
        if feature.multi:
            self._cardinality(lits, feature.min, feature.max)
            return
        for i, a in enumerate(lits):
            for b in lits[i + 1:]:
                self.add([-a, -b])
        if feature.min > 0:
            self.add(list(lits))

    def _cardinality(self, lits: list[int], low: int, high: int) -> None:
        """low <= number of true `lits` <= high, with defined counter variables."""
        if low <= 0 and high >= len(lits):
            return
        cap = min(high + 1, len(lits))
        # at_least[j]: at least j of the literals seen so far are true (j = 1..cap)
        at_least = [self._true] + [-self._true] * cap
        for lit in lits:
            at_least = [self._true] + [
                self.any_of([at_least[j], self.all_of([at_least[j - 1], lit])]) for j in range(1, cap + 1)
            ]
        if low > 0:
            self.add([at_least[low] if low <= cap else -self._true])
        if high < len(lits):
            self.add([-at_least[high + 1]])

    def _declare_customer_facts(self) -> None:
        mentioned: dict[str, set[str]] = {}
        for constraint in self.model.constraints:
            for expr in (constraint.condition, constraint.expr):
                for atom in _atoms(expr):
                    if isinstance(atom, CustomerAtom):
                        mentioned.setdefault(atom.key, set()).update(atom.values)
        for key in sorted(mentioned):
            names = sorted(mentioned[key]) + [OTHER, MISSING]
            lits = [self.new_var() for _ in names]
            self.add(list(lits))
            for i, a in enumerate(lits):
                for b in lits[i + 1:]:
                    self.add([-a, -b])
            self.customer_values[key] = names
            self.customer_lits[key] = lits

    # ------------------------------------------------------------ rules
    def _encode_constraint(self, position: int, constraint: Constraint) -> None:
        if constraint.kind == "table":
            self._encode_table(position, constraint)
            return
        if constraint.kind == "if":
            expr: Expr = Or((Not(constraint.condition), constraint.expr))
        elif constraint.kind == "require":
            expr = constraint.expr
        else:  # forbid
            expr = Not(constraint.expr)
        self._assert(_pushed(expr), position)

    def _assert(self, expr: Expr, position: int) -> None:
        """Clauses that hold exactly when `expr` (negations pushed to the atoms) holds."""
        if isinstance(expr, And):
            for item in expr.items:
                self._assert(item, position)
            return
        items = expr.items if isinstance(expr, Or) else (expr,)
        self.add([self.literal(item) for item in items], position)

    def literal(self, expr: Expr) -> int:
        """A literal equivalent to `expr`."""
        if isinstance(expr, Or):
            return self.any_of([self.literal(item) for item in expr.items])
        if isinstance(expr, And):
            return self.all_of([self.literal(item) for item in expr.items])
        if isinstance(expr, Not):
            return -self.literal(expr.item)
        if isinstance(expr, Const):
            return self._true if expr.value else -self._true
        if isinstance(expr, OptionAtom):
            hit = self.any_of([self.option_lit[(expr.feature, option)] for option in expr.options])
            return -hit if expr.negated else hit
        if isinstance(expr, FilledAtom):
            return -self.empty_lit[expr.feature]
        if isinstance(expr, CustomerAtom):
            return self._customer_literal(expr)
        raise TypeError(f"not a boolean rule expression: {type(expr).__name__}")

    def _customer_literal(self, atom: CustomerAtom) -> int:
        names, lits = self.customer_values[atom.key], self.customer_lits[atom.key]
        hit = self.any_of([lits[names.index(value)] for value in atom.values])
        if not atom.negated:
            return hit
        # A missing fact makes every comparison false, `!=` included.
        return self.all_of([-hit, -lits[names.index(MISSING)]])

    def value_literal(self, feature_id: str, option_id: str | None) -> int:
        """The literal of one table entry: an option, or None for "no option chosen"."""
        if option_id is None:
            return self.empty_lit[feature_id]
        return self.option_lit[(feature_id, option_id)]

    def _encode_table(self, position: int, constraint: Constraint) -> None:
        rows = [
            [self.value_literal(feature, entry) for feature, entry in zip(constraint.table_features, row)]
            for row in constraint.rows
        ]
        if constraint.deny:
            for row in rows:
                self.add([-lit for lit in row], position)
            return
        self.add([self.all_of(row) for row in rows], position)

    # ------------------------------------------------------------ questions' literals
    def customer_assumptions(self, customer: dict | None) -> list[int]:
        """Literals pinning every customer fact (missing -> MISSING, unknown value -> OTHER)."""
        customer = customer or {}
        pinned = []
        for key, names in self.customer_values.items():
            given = customer.get(key)
            if given is None:
                value = MISSING
            else:
                value = str(given) if str(given) in names else OTHER
            pinned.append(self.customer_lits[key][names.index(value)])
        return pinned

    def dimacs(self) -> str:
        """The clauses as DIMACS CNF text (rule tags left out)."""
        lines = [f"p cnf {self.variables} {len(self.clauses)}"]
        lines.extend(" ".join(map(str, clause)) + " 0" for clause in self.clauses)
        return "\n".join(lines) + "\n"


def _pushed(expr: Expr, negate: bool = False) -> Expr:
    """`expr` (or its negation) with negations moved down to the atoms."""
    if isinstance(expr, Not):
        return _pushed(expr.item, not negate)
    if isinstance(expr, (Or, And)):
        items = tuple(_pushed(item, negate) for item in expr.items)
        flip = negate != isinstance(expr, And)  # Or negated -> And, And negated -> Or
        return And(items) if flip else Or(items)
    if not negate:
        return expr
    if isinstance(expr, OptionAtom):
        return OptionAtom(expr.feature, expr.options, not expr.negated)
    if isinstance(expr, Const):
        return Const(not expr.value)
    return Not(expr)  # a filled or customer atom: negated as a literal
