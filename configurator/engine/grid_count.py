"""Exact counts by a dense grid of bounded totals, for catalogs the other counters refuse.

linear_count.py keeps one state per combination of partial totals that some
comparison can still tell apart. With two dense totals (forty add-ons priced to
the half euro under a price cap, weighed in grams under a parcel limit) those
states pass a million before half the add-ons are placed. Here every total is an
axis of a dense numpy array of counts instead:

- a total s is held as k in s = base + g * k: each variable's least weight is
  taken off first (so every step adds k >= 0) and g is the gcd of what is left;
- k is clamped just past the largest threshold its comparisons read: the totals
  past it answer every comparison alike, so one cell holds them all;
- a variable is added by shifted slices, one per value (`out[w:] += grid[:-w]`,
  the overflow summed into the last cell), never by a loop over cells.

Comparisons are switched on by few variables (delivery == express, a customer
fact): those *switches* are enumerated (conditioning). For each combination of
their values the rules say which outcomes of the comparisons are allowed; a
comparison whose outcome no longer matters is dropped there, and a total that no
comparison reads is no axis. Combinations that need the same totals and leave
the same rules over the other variables share one grid, read once per
combination with its own thresholds.

Before that, variables fixed by one rule and read by no other (the running count
of a multi-select) are summed out: each adds a factor of 1. The variables that
remaining rules tie together are extra axes of the grid from their first rule to
their last (variable elimination, in the compiled order).

Counts are int64 while the number of assignments stays below 2**62; past it the
grid runs modulo primes below 2**31 and the count is rebuilt by the Chinese
remainder theorem. The largest array of every grid is known before any work
(`GridPlan`); past `MAX_CELLS` the count is refused at once.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import product

import numpy as np

from .compile import CompiledProblem
from .grid_layers import Group, Member
from .linear_count import CountTooLarge, LinearCounter, _allowed, _cut
from .problems import Number, said

# One grid of int64 counts: 192 MB; a step holds the grid, the next one and a masked copy.
# bench/models/addons-knapsack.yaml needs 21,617,604 cells (2,402 half euros x 9,001 grams).
MAX_CELLS = 24_000_000
# Cells written over all layers (`GridPlan.work`) below which the grid counts before the DP over price levels
# (bounded.py, `quick_count`): a few seconds here (the knapsack: 1.3e9 in 2.2 s CPU), while that DP's cost is
# only bounded per step (it took 14 s CPU and 1.9 GB to refuse the knapsack).
GRID_FIRST_WORK = 2_000_000_000
# Combinations of the switch variables, each read off a grid (and each a grid when they differ).
MAX_SWITCH_STATES = 4_096
_INT64_SAFE = 2**62
# Residues are taken modulo primes below this: a cell (< 2**31) times the values added into it stays in int64.
PRIME_LIMIT = 2**31


class GridTooLarge(CountTooLarge):
    """The dense grid of totals would need more cells, or more switch combinations, than the budget."""


def count_linear(counter: LinearCounter, evidence: dict[int, object]) -> int:
    """The linear counter's count; past its budgets, the dense grid's (CountTooLarge, saying why, when both refuse).

    The sparse states of linear_count.py go first: on catalogs whose totals few combinations reach (the
    demo catalogs, the city bike with a price ceiling) they count in a fraction of the grid's time.
    """
    try:
        return counter.count(evidence)
    except CountTooLarge as sparse:
        try:
            return grid_count(counter.problem, evidence)
        except GridTooLarge as dense:
            raise CountTooLarge(said("%(first)s; %(then)s", first=sparse.args[0], then=dense.args[0])) from None


def quick_count(problem: CompiledProblem, evidence: dict[int, object]) -> int | None:
    """The grid's count when its plan is within `MAX_CELLS` and `GRID_FIRST_WORK`, else None (not counted)."""
    try:
        plan = GridPlan(problem, evidence)
    except GridTooLarge:  # too many switch combinations to plan: the other routes count
        return None
    if plan.cells > MAX_CELLS or plan.work > GRID_FIRST_WORK:
        return None
    return plan.count()


def grid_count(problem: CompiledProblem, evidence: dict[int, object], max_cells: int | None = None) -> int:
    """The exact number of assignments of a `compile_model(linear=True)` problem meeting the evidence.

    Raises GridTooLarge, before any work on arrays, when a grid would pass `max_cells`.
    """
    return GridPlan(problem, evidence).within(MAX_CELLS if max_cells is None else max_cells).count()


class GridPlan:
    """The grids a count needs, with their size and work known before any of them is filled."""

    def __init__(self, problem: CompiledProblem, evidence: dict[int, object]):
        self.reduced = _Reduced.of(problem, evidence)
        self.groups = _conditioned_groups(problem, self.reduced) if self.reduced is not None else []
        sizes = [group.size() for group in self.groups]
        self.cells = max((cells for cells, _ in sizes), default=0)  # the largest array of any grid
        self.work = sum(work for _, work in sizes)  # cells written over every layer of every grid

    def within(self, limit: int) -> GridPlan:
        """This plan, or GridTooLarge when its largest array passes `limit` cells."""
        if self.cells > limit:
            largest = next(group for group in self.groups if group.size()[0] == self.cells)
            raise GridTooLarge(said("the grid of totals needs %(cells)s cells (%(totals)s totals, the longest "
                                    "%(longest)s cells), past its budget of %(most)s", cells=Number(self.cells),
                                    totals=Number(len(largest.lengths)), longest=Number(max(largest.lengths, default=1)),
                                    most=Number(limit)))
        return self

    def count(self) -> int:
        """The exact count: int64 grids below 2**62 assignments, else residues joined by the CRT."""
        if self.reduced is None:
            return 0
        bound = math.prod(int(self.reduced.allowed[var].sum()) for var in self.reduced.counted())
        if bound < _INT64_SAFE:
            return sum(group.count(None) for group in self.groups)
        primes = _primes_past(bound)
        residues = [sum(group.count(prime) for group in self.groups) % prime for prime in primes]
        return _chinese_remainder(residues, primes)


# ---------------------------------------------------------------- the problem, reduced
class _Reduced:
    """The problem under the evidence: allowed values, the factors left, the variables summed out."""

    def __init__(self, problem: CompiledProblem, allowed: list[np.ndarray]):
        self.problem = problem
        self.allowed = allowed  # per variable, a bool mask over its values
        self.compare = {atom.var for atom in problem.linear}
        self.weighted = {var for atom in problem.linear for var, _ in atom.terms}
        self.factors: dict[int, tuple[tuple[int, ...], np.ndarray]] = {}
        self.uses: dict[int, set[int]] = {var: set() for var in range(len(allowed))}
        self.gone: set[int] = set()  # summed out: fixed by the one factor that read them

    @classmethod
    def of(cls, problem: CompiledProblem, evidence: dict[int, object]) -> _Reduced | None:
        """The reduced problem, or None when the evidence and the factors allow nothing."""
        allowed = []
        for var, variable in enumerate(problem.variables):
            mask = np.zeros(variable.size, dtype=bool)
            mask[_allowed(evidence.get(var), variable.size)] = True
            allowed.append(mask)
        reduced = cls(problem, allowed)
        for index, factor in enumerate(problem.factors):
            if not factor.scope:
                if len(factor.rows) == 0:
                    return None  # a rule that folded to "never"
                continue
            reduced.factors[index] = (tuple(factor.scope), np.asarray(factor.rows, dtype=np.int64))
            for var in factor.scope:
                reduced.uses[var].add(index)
        if not reduced.simplify() or any(not mask.any() for mask in allowed):
            return None
        return reduced

    def simplify(self) -> bool:
        """Fold unary factors into the domains, drop factors that allow everything, sum out fixed variables.

        False when some factor allows nothing. A worklist: a factor is looked at again when a domain
        of its scope shrinks or another factor of its scope goes away.
        """
        queue = deque(self.factors)
        while queue:
            index = queue.popleft()
            if index not in self.factors:
                continue
            scope, rows = self.factors[index]
            rows = rows[np.all([self.allowed[var][rows[:, c]] for c, var in enumerate(scope)], axis=0)]
            if not len(rows):
                return False
            if len(scope) == 1:
                kept = np.zeros_like(self.allowed[scope[0]])
                kept[rows[:, 0]] = True
                self.allowed[scope[0]] &= kept
                self._drop(index, queue)
                continue
            rows = np.unique(rows, axis=0)
            if len(rows) == math.prod(int(self.allowed[var].sum()) for var in scope):
                self._drop(index, queue)
                continue
            self.factors[index] = (scope, rows)
            self._sum_out_fixed(index, queue)
        return True

    def _drop(self, index: int, queue: deque) -> None:
        scope, _ = self.factors.pop(index)
        for var in scope:
            self.uses[var].discard(index)
            queue.extend(self.uses[var])  # one use fewer (or a smaller domain): look again

    def _sum_out_fixed(self, index: int, queue: deque) -> None:
        """A variable only this factor reads, fixed by the others of its scope, is summed out (a factor of 1)."""
        scope, rows = self.factors[index]
        for column, var in enumerate(scope):
            if var in self.compare or var in self.weighted or len(self.uses[var]) != 1:
                continue
            rest = [c for c in range(len(scope)) if c != column]
            projected, repeats = np.unique(rows[:, rest], axis=0, return_counts=True)
            if (repeats == 1).all():
                self.gone.add(var)
                self.uses[var].clear()
                self.factors[index] = (tuple(scope[c] for c in rest), projected)
                queue.append(index)
                return

    def counted(self) -> list[int]:
        """The variables whose values are counted: all but the comparisons and those summed out."""
        return [var for var in range(len(self.allowed)) if var not in self.compare and var not in self.gone]

    def values(self, var: int) -> np.ndarray:
        return np.flatnonzero(self.allowed[var])


# ---------------------------------------------------------------- sums and their comparisons
class _Sum:
    """One linear sum over the variables that are not switches: s = base + g * k, k in 0..kmax."""

    def __init__(self, weights: dict[int, np.ndarray], reduced: _Reduced, inner: set[int]):
        self.weights = weights
        self.base, self.gcd, self.steps = 0, 0, {}
        spans = {}
        for var, row in weights.items():
            if var not in inner:
                continue
            reachable = row[reduced.values(var)]
            self.base += int(reachable.min())
            spans[var] = reachable - int(reachable.min())
            self.gcd = math.gcd(self.gcd, *map(int, spans[var]))
        self.gcd = self.gcd or 1
        self.steps = {var: span // self.gcd for var, span in spans.items() if span.any()}  # k added per value
        self.kmax = sum(int(step.max()) for step in self.steps.values())

    def threshold(self, kind: str, cut: int | None, offset: int) -> tuple[str, int | None, int]:
        """A comparison of s = offset + base + g * k as (kind, K, cells needed) on k.

        "le": k <= K, "ge": k >= K, "eq"/"ne": k == K or not (K None: never equal).
        The cells needed tell K from K + 1 (or K - 1 from K): past them every k answers alike.
        """
        if cut is None:
            return kind, None, 1
        shifted = cut - offset - self.base
        if kind == "le":
            bound = shifted // self.gcd
            return kind, bound, max(bound + 2, 1)
        if kind == "ge":
            bound = -(-shifted // self.gcd)
            return kind, bound, max(bound + 1, 1)
        if shifted % self.gcd:
            return kind, None, 1
        bound = shifted // self.gcd
        return kind, bound, max(bound + 2, 1)


# ---------------------------------------------------------------- conditioning on the switches
def _conditioned_groups(problem: CompiledProblem, reduced: _Reduced) -> list[Group]:
    """The switch combinations that the rules allow, grouped by the grid they need (see the module docstring)."""
    factors = reduced.factors
    comparing = {i for i, (scope, _) in factors.items() if reduced.compare.intersection(scope)}
    compares = sorted({var for i in comparing for var in factors[i][0] if var in reduced.compare}
                      | {atom.var for atom in problem.linear if not reduced.allowed[atom.var].all()})
    switches = sorted({var for i in comparing for var in factors[i][0] if var not in reduced.compare})
    inner = set(reduced.counted()) - set(switches)
    sum_of: dict[tuple, int] = {}
    comparisons = {}  # compare variable -> (sum index, kind, integer cut)
    for atom in problem.linear:
        if atom.var in compares:
            comparisons[atom.var] = (sum_of.setdefault(atom.terms, len(sum_of)), *_cut(atom))
    sums = [_Sum({var: np.asarray(row, dtype=np.int64) for var, row in terms}, reduced, inner) for terms in sum_of]
    combinations = math.prod(int(reduced.allowed[var].sum()) for var in switches)
    if combinations > MAX_SWITCH_STATES:
        raise GridTooLarge(said("%(combinations)s combinations of the %(switches)s variables that switch "
                                "comparisons on, past the budget of %(most)s", combinations=Number(combinations),
                                switches=Number(len(switches)), most=Number(MAX_SWITCH_STATES)))
    wanted: dict[tuple, list[Member]] = {}  # (sums read, rules key) -> switch combinations
    rules_of: dict[tuple, list] = {}
    for values in product(*(reduced.values(var) for var in switches)):
        fixed = dict(zip(switches, map(int, values)))
        rules = _rules_under(reduced, fixed, comparing)
        if rules is None:
            continue
        tables = _comparison_tables(reduced, fixed, comparing)
        if tables is None:
            continue
        relevant = _relevant(reduced, compares, tables)
        offsets = [sum(int(s.weights[var][value]) for var, value in fixed.items() if var in s.weights) for s in sums]
        tests = {var: (comparisons[var][0], *sums[comparisons[var][0]].threshold(
            comparisons[var][1], comparisons[var][2], offsets[comparisons[var][0]])) for var in relevant}
        axes = tuple(sorted({index for index, *_ in tests.values()}))
        key = tuple((scope, rows.shape, rows.tobytes()) for scope, rows in rules)
        rules_of[key] = rules
        wanted.setdefault((axes, key), []).append(Member(tables, tests, relevant))
    return _merged(wanted, rules_of, reduced, inner, sums)


def _merged(wanted: dict[tuple, list[Member]], rules_of: dict[tuple, list], reduced: _Reduced, inner: set[int],
            sums: list[_Sum]) -> list[Group]:
    """One grid per set of sums read and rules left; combinations that read a subset of another grid's sums
    join it when the joined grid has no more cells than the two apart (their thresholds may lengthen it)."""
    kept: list[tuple[tuple, tuple, dict[int, int], list[Member]]] = []
    for (axes, key), members in sorted(wanted.items(), key=lambda item: -len(item[0][0])):
        lengths = _lengths(members, sums)
        for host_axes, host_key, host_lengths, host_members in kept:
            if host_key != key or not set(axes) <= set(host_axes):
                continue
            joined = {index: max(length, lengths.get(index, 1)) for index, length in host_lengths.items()}
            if math.prod(joined.values()) <= math.prod(host_lengths.values()) + math.prod(lengths.values()):
                host_lengths.update(joined)
                host_members.extend(members)
                break
        else:
            kept.append((axes, key, lengths, list(members)))
    groups = []
    for axes, key, _lengths_, members in kept:
        group = Group(reduced, inner, axes, [sums[index] for index in axes], rules_of[key])
        for member in members:
            group.add(member)
        groups.append(group)
    return groups


def _lengths(members: list[Member], sums: list[_Sum]) -> dict[int, int]:
    """Per sum read, the cells its axis needs for these combinations' thresholds (see Group.add)."""
    lengths: dict[int, int] = {}
    for member in members:
        for index, _kind, _bound, cells in member.tests.values():
            lengths[index] = max(lengths.get(index, 1), min(cells, sums[index].kmax + 1))
    return lengths


def _rules_under(reduced: _Reduced, fixed: dict[int, int], comparing: set[int]) -> list | None:
    """The factors without comparisons, with the switches fixed: (scope, rows) over the other variables.

    None when a factor over switches alone fails.
    """
    rules = []
    for index, (scope, rows) in sorted(reduced.factors.items()):
        if index in comparing:
            continue
        pinned = [c for c, var in enumerate(scope) if var in fixed]
        if pinned:
            rows = rows[np.all([rows[:, c] == fixed[scope[c]] for c in pinned], axis=0)]
            if not len(rows):
                return None
            rest = [c for c in range(len(scope)) if c not in pinned]
            if not rest:
                continue
            scope, rows = tuple(scope[c] for c in rest), rows[:, rest]
        rules.append((scope, rows))
    return rules


def _comparison_tables(reduced: _Reduced, fixed: dict[int, int], comparing: set[int]) -> list | None:
    """Per factor that reads comparisons: (compare variables, allowed table over their 0/1 outcomes).

    None when some table allows nothing under these switch values.
    """
    tables = []
    for index in sorted(comparing):
        scope, rows = reduced.factors[index]
        pinned = [c for c, var in enumerate(scope) if var in fixed]
        if pinned:
            rows = rows[np.all([rows[:, c] == fixed[scope[c]] for c in pinned], axis=0)]
        columns = [c for c, var in enumerate(scope) if var not in fixed]
        table = np.zeros((2,) * len(columns), dtype=bool)
        table[tuple(rows[:, c] for c in columns)] = True
        if not table.any():
            return None
        tables.append((tuple(scope[c] for c in columns), table))
    return tables


def _relevant(reduced: _Reduced, compares: list[int], tables: list) -> list[int]:
    """The comparisons whose outcome matters: a restricted domain, or a table that changes when it flips.

    Each other comparison leaves every table alike both ways, so it is read as 0 (exact, and no axis).
    """
    relevant = [var for var in compares if not reduced.allowed[var].all()]
    for scope, table in tables:
        for axis, var in enumerate(scope):
            if var not in relevant and not np.array_equal(table, np.flip(table, axis=axis)):
                relevant.append(var)
    return relevant


# ---------------------------------------------------------------- residues
def _primes_past(bound: int) -> list[int]:
    """Primes below PRIME_LIMIT, largest first, whose product passes `bound`."""
    primes, product_ = [], 1
    candidate = PRIME_LIMIT - 1 if PRIME_LIMIT % 2 == 0 else PRIME_LIMIT - 2
    while product_ <= bound:
        if _is_prime(candidate):
            primes.append(candidate)
            product_ *= candidate
        candidate -= 2
    return primes


def _is_prime(number: int) -> bool:
    if number % 2 == 0:
        return number == 2
    return all(number % divisor for divisor in range(3, math.isqrt(number) + 1, 2))


def _chinese_remainder(residues: list[int], primes: list[int]) -> int:
    """The integer below the product of the primes with these residues."""
    value, modulus = 0, 1
    for residue, prime in zip(residues, primes):
        step = ((residue - value) * pow(modulus, -1, prime)) % prime
        value += modulus * step
        modulus *= prime
    return value
