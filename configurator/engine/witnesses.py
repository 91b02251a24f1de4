"""Known solutions of a CP-SAT catalog (cpsat.py), and their neighbours checked without the solver.

A CP-SAT call costs one to three milliseconds on the demo-sized catalogs, so
cpsat.py asks it only for values nothing cheaper settles:

- `Witnesses`: solutions found so far (by any question, for any customer
  walk), one row of values per solution. A row that agrees with a pick's
  evidence proves every value it holds possible, at no cost.
- `Neighbours`: a known solution with one one/optional feature changed is
  again a solution when every factor touching the change still allows its
  tuple and every numeric comparison the change weighs in still has the 0/1
  value its sum gives. Checked for a batch of rows at once in numpy: the
  sums by gathering weights, the factors by looking up each row's tuple,
  encoded as one integer, among the factor's sorted encoded rows.

Everything here only ever marks a value possible because a row proved to be
a solution has it: a neighbour that cannot be checked (a factor too wide to
encode) is simply not offered, which costs a solver call, never exactness.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from .compile import CompiledProblem, LinearAtom

KEPT = 512  # solutions kept; the newest first
ENCODABLE = 2**62  # a factor whose tuples cannot be numbered below this is not used for neighbours


def allowed_values(allowed: object, size: int) -> set[int]:
    """The values an evidence entry allows: one value, a list of values, or a mask of `size`."""
    array = np.asarray(allowed)
    if array.dtype == bool and array.shape == (size,):
        return {int(v) for v in np.flatnonzero(array)}
    return {int(v) for v in np.atleast_1d(array)}


def agreeing(rows: np.ndarray, evidence: dict[int, object], sizes: list[int]) -> np.ndarray:
    """Per row, whether it agrees with the evidence (a boolean mask)."""
    mask = np.ones(len(rows), dtype=bool)
    for var, allowed in evidence.items():
        if isinstance(allowed, (int, np.integer)):
            mask &= rows[:, var] == int(allowed)
        else:
            mask &= np.isin(rows[:, var], sorted(allowed_values(allowed, sizes[var])))
    return mask


class Witnesses:
    """The last `KEPT` distinct solutions found, newest first."""

    def __init__(self, variables: int):
        self.variables = variables
        self._kept: OrderedDict[bytes, np.ndarray] = OrderedDict()  # newest last; a row's bytes -> the row
        self._rows: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def rows(self) -> np.ndarray:
        """The kept solutions as one array, newest first."""
        if self._rows is None:
            kept = list(reversed(self._kept.values()))
            self._rows = np.array(kept, dtype=np.int32) if kept else np.zeros((0, self.variables), np.int32)
        return self._rows

    def add(self, rows: np.ndarray) -> None:
        """Keep these solutions (rows of values), dropping the oldest beyond `KEPT`."""
        for row in np.asarray(rows, dtype=np.int32):
            key = row.tobytes()
            if key in self._kept:  # found again: it moves to the front rather than taking two places
                self._kept.move_to_end(key)
            else:
                self._kept[key] = row.copy()
            self._rows = None
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)

    def agreeing(self, evidence: dict[int, object], sizes: list[int]) -> np.ndarray:
        """The kept solutions that agree with the evidence."""
        rows = self.rows
        return rows[agreeing(rows, evidence, sizes)]


class Proofs:
    """What the solver proved impossible: "no solution with these literals has any of these values".

    True under any evidence that includes the literals, so a later pick (its
    evidence grows) or another customer's question reuses it instead of a
    solver call. The newest `KEPT` proofs are kept.
    """

    def __init__(self):
        self._kept: OrderedDict[tuple[frozenset[int], bytes], tuple[frozenset[int], np.ndarray]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def add(self, needs: frozenset[int], flat: list[int]) -> None:
        """Keep "with the SAT literals `needs`, none of the values `flat` (flat value indexes)"."""
        values = np.unique(np.asarray(flat, dtype=np.int64))
        key = (needs, values.tobytes())
        self._kept[key] = (needs, values)
        self._kept.move_to_end(key)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)

    def applying(self, given: frozenset[int]) -> list[tuple[frozenset[int], np.ndarray]]:
        """The proofs whose literals all hold under `given`."""
        return [(needs, values) for needs, values in self._kept.values() if needs <= given]


class Neighbours:
    """Rows that differ from known solutions in one one/optional feature, kept when they are solutions too.

    Multi-select options are not changed (their running count would change too).
    """

    def __init__(self, problem: CompiledProblem):
        self.sizes = [variable.size for variable in problem.variables]
        self.flippable = set(problem.feature_var.values())
        self.factors_of: dict[int, list[int]] = {}
        for index, factor in enumerate(problem.factors):
            for var in factor.scope:
                self.factors_of.setdefault(var, []).append(index)
        self.factors = problem.factors
        self.weighs_in = {var for linear in problem.linear for var, _ in linear.terms}
        self.sums = _Sums(problem.linear, self.sizes) if problem.linear else None
        self._encoded: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
        self.circuits = _circuit_tables(problem, self.sizes)
        self.circuit_levels = _CircuitLevel.of(self.circuits)
        # a part too wide for a table keeps its old value on a changed row, which its factor then refuses
        parts = {var for var, variable in enumerate(problem.variables) if variable.kind == "circuit"}
        self.follows_every_part = parts == {var for var, _, _, _ in self.circuits}
        # a circuit part's own factor holds on any row whose part was recomputed from it (its table
        # covers every input tuple): on a wide rule's catalog these are most factors, so skip them
        self.implied = {index for index, factor in enumerate(problem.factors)
                        if _defines_totally(factor, problem, self.sizes)}

    def changed(self, rows: np.ndarray, var: int, values: list[int]) -> np.ndarray:
        """Every row with `var` set to each of `values` (a valid solution each), those that are solutions."""
        return self.changed_many([(rows, var, values)])

    def changed_many(self, changes: list[tuple[np.ndarray, int, list[int]]]) -> np.ndarray:
        """`changed` for several (rows, var, values) at once, checked together: those that are solutions."""
        changes = [(rows, var, values) for rows, var, values in changes if var in self.flippable and len(rows) and values]
        if not changes:
            return np.zeros((0, len(self.sizes)), dtype=np.int32)
        given = np.vstack([rows for rows, _, _ in changes])
        firsts = np.cumsum([0] + [len(rows) for rows, _, _ in changes])
        owner = np.concatenate([np.repeat(np.arange(first, first + len(rows)), len(values))
                                for first, (rows, _, values) in zip(firsts, changes)])
        var = np.concatenate([np.full(len(rows) * len(values), var) for rows, var, values in changes])
        value = np.concatenate([np.tile(np.asarray(values, dtype=given.dtype), len(rows))
                                for rows, _, values in changes])
        keep = given[owner, var] != value
        owner, var, value = owner[keep], var[keep], value[keep]
        candidates = given[owner]
        candidates[np.arange(len(candidates)), var] = value
        totals = None
        if self.sums is not None:  # each sum moves by the changed value's weight
            totals = self.sums.shift(self.sums.totals(given)[owner], var, given[owner, var], value)
        # checking the factors of every changed variable on every row costs a few spare lookups, and
        # is exact: a factor none of a row's changes touches still allows that row's tuple
        return self.solutions(candidates, {var for _, var, _ in changes}, totals)

    def paired(self, rows: np.ndarray, targets: list[tuple[int, int]], free: list[int]) -> np.ndarray:
        """Rows with a target (var, value) put in and one more `free` feature changed to any value: those
        that are solutions. What a single change cannot give when the target moves a total past a bound
        (a dearer part that another, cheaper, part makes up for)."""
        free = [var for var in free if var in self.flippable]
        targets = [(var, value) for var, value in targets if var in self.flippable]
        if not len(rows) or not free or not targets:
            return rows[:0]
        target_var = np.array([var for var, _ in targets], dtype=np.int64)
        target_value = np.array([value for _, value in targets], dtype=rows.dtype)
        other_var = np.array([u for u in free for _ in range(self.sizes[u])], dtype=np.int64)
        other_value = np.array([y for u in free for y in range(self.sizes[u])], dtype=rows.dtype)
        # every (target, other change) pair, for each row: targets vary slowest
        t_var, o_var = np.repeat(target_var, len(other_var)), np.tile(other_var, len(target_var))
        t_value, o_value = np.repeat(target_value, len(other_var)), np.tile(other_value, len(target_var))
        blocks, sums = [], []
        for row in rows:
            keep = (o_var != t_var) & (row[t_var] != t_value) & (row[o_var] != o_value)
            block = np.repeat(row[None, :], int(keep.sum()), axis=0)
            index = np.arange(len(block))
            block[index, t_var[keep]] = t_value[keep]
            block[index, o_var[keep]] = o_value[keep]
            blocks.append(block)
            if self.sums is not None:
                before = np.repeat(self.sums.totals(row[None, :]), len(block), axis=0)
                before = self.sums.shift(before, t_var[keep], row[t_var[keep]], t_value[keep])
                sums.append(self.sums.shift(before, o_var[keep], row[o_var[keep]], o_value[keep]))
        if not blocks:
            return rows[:0]
        changed = {var for var, _ in targets} | set(free)
        return self.solutions(np.vstack(blocks), changed, np.vstack(sums) if sums else None)

    def solutions(self, candidates: np.ndarray, changed: set[int], totals: np.ndarray | None = None) -> np.ndarray:
        """The candidates (solutions but for the `changed` variables) that are solutions, comparisons set;
        `totals`: each candidate's sums when the caller knows them (else they are summed here).

        The factors that read a comparison are asked first (they turn away
        most candidates), and each factor only sees the rows still standing.
        """
        touched = self.follow(candidates, changed, totals)
        first = {i for var in touched - changed for i in self.factors_of.get(var, ())} - self.implied
        rest = {i for var in touched for i in self.factors_of.get(var, ())} - first - self.implied
        for index in [*sorted(first), *sorted(rest)]:
            if not len(candidates):
                break
            candidates = candidates[self._allows(index, candidates)]
        return candidates

    def follow(self, rows: np.ndarray, changed: set[int], totals: np.ndarray | None = None) -> set[int]:
        """Set, in place, the comparisons and circuit parts that the `changed` variables feed, in rows
        that were solutions before those changes (`totals`: each row's sums, when the caller knows them).
        Returns the changed variables with every comparison and part whose value moved in some row.

        A circuit part's own factor then holds on every row (`implied`), so the factors left to check
        are those of the returned variables, less the implied ones.
        """
        touched = set(changed)
        if self.sums is not None and any(var in self.weighs_in for var in changed):
            holds = self.sums.holds(rows) if totals is None else self.sums.compare(totals)
            moved = (holds != rows[:, self.sums.vars]).any(axis=0)
            if moved.any():  # only a comparison that changes needs its factors read
                columns = self.sums.vars[moved]
                rows[:, columns] = holds[:, moved]
                touched.update(columns.tolist())
        for level in self.circuit_levels:  # a wide rule's 0/1 parts follow the features they read
            level.recompute(rows, touched)
        return touched

    def _allows(self, index: int, rows: np.ndarray) -> np.ndarray:
        """Per row, whether factor `index` allows the row's tuple over its scope."""
        encoded = self._encoding(index)
        if encoded is None:
            return np.zeros(len(rows), dtype=bool)
        radix, known = encoded
        scope = list(self.factors[index].scope)
        keys = rows[:, scope].astype(np.int64) @ radix
        found = np.searchsorted(known, keys)
        found[found == len(known)] = 0
        return known[found] == keys if len(known) else np.zeros(len(rows), dtype=bool)

    def _encoding(self, index: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(radix, the factor's rows as sorted integers), or None when its tuples are too many to number."""
        if index not in self._encoded:
            scope = self.factors[index].scope
            if math.prod(self.sizes[v] for v in scope) >= ENCODABLE:
                self._encoded[index] = None
            else:
                radix = np.ones(len(scope), dtype=np.int64)
                for position in range(len(scope) - 2, -1, -1):
                    radix[position] = radix[position + 1] * self.sizes[scope[position + 1]]
                rows = np.asarray(self.factors[index].rows, dtype=np.int64)
                self._encoded[index] = (radix, np.unique(rows @ radix) if len(rows) else np.zeros(0, np.int64))
        return self._encoded[index]


# A circuit part whose inputs have more tuples than this is not recomputed (its neighbours cost a solver call).
CIRCUIT_TABLE = 1 << 20


def _defines_totally(factor, problem: CompiledProblem, sizes: list[int]) -> bool:
    """Whether `factor` is a circuit part's definition that `_circuit_tables` keeps, with one row for
    every tuple of its inputs (so the part recomputed from the table always meets it)."""
    var, inputs = (factor.scope[-1], list(factor.scope[:-1])) if factor.scope else (None, [])
    if var is None or problem.variables[var].kind != "circuit" or not inputs:
        return False
    tuples = math.prod(sizes[v] for v in inputs)
    if tuples > CIRCUIT_TABLE or len(factor.rows) != tuples:
        return False
    radix = np.ones(len(inputs), dtype=np.int64)
    for position in range(len(inputs) - 2, -1, -1):
        radix[position] = radix[position + 1] * sizes[inputs[position + 1]]
    return len(np.unique(np.asarray(factor.rows, dtype=np.int64)[:, :-1] @ radix)) == tuples


def _circuit_tables(problem: CompiledProblem, sizes: list[int]) -> list[tuple[int, list[int], np.ndarray, np.ndarray]]:
    """(variable, inputs, radix, value per encoded input tuple) of every circuit part (compile._Circuit), in
    the order they were made, so each one's inputs are recomputed before it."""
    tables = []
    for factor in problem.factors:
        var, inputs = factor.scope[-1] if factor.scope else None, list(factor.scope[:-1])
        if var is None or problem.variables[var].kind != "circuit" or not inputs:
            continue
        if math.prod(sizes[v] for v in inputs) > CIRCUIT_TABLE:
            continue
        radix = np.ones(len(inputs), dtype=np.int64)
        for position in range(len(inputs) - 2, -1, -1):
            radix[position] = radix[position + 1] * sizes[inputs[position + 1]]
        table = np.zeros(math.prod(sizes[v] for v in inputs), dtype=np.int32)
        rows = np.asarray(factor.rows, dtype=np.int64)
        table[rows[:, :-1] @ radix] = rows[:, -1]
        tables.append((var, inputs, radix, table))
    return sorted(tables, key=lambda entry: entry[0])


class _CircuitLevel:
    """The circuit parts whose inputs are features, comparisons or parts of earlier levels, recomputed
    together: a few numpy steps per level instead of a Python step per part (hundreds on a catalog with
    wide rules)."""

    def __init__(self, parts: list[tuple[int, list[int], np.ndarray, np.ndarray]]):
        width = max(len(inputs) for _, inputs, _, _ in parts)
        self.vars = np.array([var for var, _, _, _ in parts], dtype=np.int64)
        self.inputs = np.full((len(parts), width), -1, dtype=np.int64)  # -1: no input there
        self.radix = np.zeros((len(parts), width), dtype=np.int64)
        for row, (_, inputs, radix, _) in enumerate(parts):
            self.inputs[row, :len(inputs)] = inputs
            self.radix[row, :len(inputs)] = radix
        self.gather = np.maximum(self.inputs, 0)  # a missing input reads column 0 times a radix of 0
        self.offsets = np.cumsum([0] + [len(table) for _, _, _, table in parts[:-1]]).astype(np.int64)
        self.table = np.concatenate([table for _, _, _, table in parts])

    @classmethod
    def of(cls, circuits: list[tuple[int, list[int], np.ndarray, np.ndarray]]) -> list[_CircuitLevel]:
        """The parts by level: a part is one level above the highest-level part it reads."""
        level_of: dict[int, int] = {}
        by_level: dict[int, list] = {}
        for part in circuits:  # in variable order: a part's inputs come before it
            var, inputs, _, _ = part
            level_of[var] = 1 + max((level_of[i] for i in inputs if i in level_of), default=-1)
            by_level.setdefault(level_of[var], []).append(part)
        return [cls(by_level[level]) for level in sorted(by_level)]

    def recompute(self, candidates: np.ndarray, touched: set[int]) -> None:
        """Set the parts reading a `touched` variable from their inputs in every candidate; the parts whose
        value changed in some candidate join `touched`."""
        hit = np.isin(self.inputs, np.fromiter(touched, dtype=np.int64, count=len(touched))).any(axis=1)
        if not hit.any() or not len(candidates):
            return
        parts = np.flatnonzero(hit)
        keys = (candidates[:, self.gather[parts]].astype(np.int64) * self.radix[parts]).sum(axis=2)
        values = self.table[self.offsets[parts] + keys]
        moved = (values != candidates[:, self.vars[parts]]).any(axis=0)
        candidates[:, self.vars[parts]] = values
        touched.update(self.vars[parts][moved].tolist())


class _Sums:
    """Every numeric comparison's 0/1 value recomputed from the chosen values' weights, for many rows.

    All terms of all comparisons are one gather and one segmented sum, and the
    comparisons with the (integer) thresholds are one step each: no Fraction per row.
    """

    def __init__(self, linears: list[LinearAtom], sizes: list[int]):
        self.vars = np.array([linear.var for linear in linears], dtype=np.int64)
        # each value's weight in each sum (values numbered as one flat list): a change's effect on every sum
        self.value_offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.table = np.zeros((int(self.value_offsets[-1]), len(linears)), dtype=np.int64)
        for column, linear in enumerate(linears):
            for var, weights in linear.terms:
                start = self.value_offsets[var]
                self.table[start:start + len(weights), column] += np.asarray(weights, dtype=np.int64)
        # one last term of weight 0 (on variable 0), so a comparison without terms still has a segment
        self.term_vars = np.array([var for linear in linears for var, _ in linear.terms] + [0], dtype=np.int64)
        weights = [np.asarray(w, dtype=np.int64) for linear in linears for _, w in linear.terms]
        sizes = [len(w) for w in weights]
        self.flat = np.concatenate([*weights, np.zeros(1, dtype=np.int64)])
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.offsets[-1] = len(self.flat) - 1  # the zero weight, whatever variable 0's value
        # a typical part's weight in each sum: how far from its bound a sum is, in parts, for repairs
        spread = [max((int(w.max() - w.min()) for w in weights_of), default=1)
                  for weights_of in ([np.asarray(w, dtype=np.int64) for _, w in linear.terms] for linear in linears)]
        self.spread = np.maximum(np.array(spread, dtype=np.float64), 1.0)
        counts = [len(linear.terms) for linear in linears]
        self.empty = np.array([count == 0 for count in counts])
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        ops = [linear.op for linear in linears]
        self.at_least = np.array([_at_least(linear) for linear in linears], dtype=np.int64)
        self.equal = np.array([_equal(linear) for linear in linears], dtype=np.int64)
        self.whole = np.array([linear.threshold.denominator == 1 for linear in linears])
        self.is_equal = np.array([op == "==" for op in ops])
        self.is_unequal = np.array([op == "!=" for op in ops])
        self.is_above = np.array([op in (">=", ">") for op in ops])

    def holds(self, rows: np.ndarray) -> np.ndarray:
        """(rows x comparisons) 0/1 values."""
        return self.compare(self.totals(rows))

    def totals(self, rows: np.ndarray) -> np.ndarray:
        """(rows x comparisons) each comparison's sum."""
        columns = rows[:, self.term_vars] + self.offsets
        columns[:, -1] = self.offsets[-1]
        total = np.add.reduceat(self.flat[columns], self.starts, axis=1)
        total[:, self.empty] = 0
        return total

    def shift(self, total: np.ndarray, var, old, new) -> np.ndarray:
        """The sums after `var` (one or one per row) changes from `old` to `new` values, from `total` before."""
        start = self.value_offsets[var]
        return total + self.table[start + new] - self.table[start + old]

    def to_flip(self, total: np.ndarray) -> np.ndarray:
        """(rows x comparisons) how far each sum is from giving its comparison the other value."""
        above = total >= self.at_least
        distance = np.where(above, total - self.at_least + 1, self.at_least - total)
        equal = (total == self.equal) & self.whole
        equality = np.where(equal, 1, np.abs(total - self.equal))
        return np.where(self.is_equal | self.is_unequal, equality, distance)

    def compare(self, total: np.ndarray) -> np.ndarray:
        """(rows x comparisons) 0/1 values of the comparisons for these sums."""
        equal = (total == self.equal) & self.whole
        above = total >= self.at_least
        holds = np.where(self.is_above, above, ~above)
        holds = np.where(self.is_equal, equal, np.where(self.is_unequal, ~equal, holds))
        return holds.astype(np.int32)


def _at_least(linear: LinearAtom) -> int:
    """The whole number an integer sum must reach for ">=", ">" to hold (and not reach for "<", "<=")."""
    if linear.op in (">=", "<"):
        return math.ceil(linear.threshold)
    return math.floor(linear.threshold) + 1


def _equal(linear: LinearAtom) -> int:
    return int(linear.threshold) if linear.threshold.denominator == 1 else 0
