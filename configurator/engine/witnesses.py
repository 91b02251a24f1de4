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
        self.weighs_in: dict[int, list[_Sum]] = {}
        for linear in problem.linear:
            total = _Sum(linear)
            for var, _ in linear.terms:
                self.weighs_in.setdefault(var, []).append(total)
        self._encoded: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def changed(self, rows: np.ndarray, var: int, values: list[int]) -> np.ndarray:
        """Every row with `var` set to each of `values` (a valid solution each), those that are solutions."""
        if var not in self.flippable or not len(rows) or not values:
            return rows[:0]
        candidates = np.repeat(rows, len(values), axis=0)
        candidates[:, var] = np.tile(np.asarray(values, dtype=rows.dtype), len(rows))
        candidates = candidates[candidates[:, var] != np.repeat(rows[:, var], len(values))]
        touched = {var}
        for total in self.weighs_in.get(var, ()):
            holds = total.holds(candidates)
            if (holds != candidates[:, total.var]).any():  # only a comparison that changes needs its factors read
                candidates[:, total.var] = holds
                touched.add(total.var)
        keep = np.ones(len(candidates), dtype=bool)
        for index in sorted({i for v in touched for i in self.factors_of.get(v, ())}):
            keep &= self._allows(index, candidates)
            if not keep.any():
                break
        return candidates[keep]

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


class _Sum:
    """One numeric comparison: its 0/1 value recomputed from the chosen values' weights, for many rows."""

    def __init__(self, linear: LinearAtom):
        self.var = linear.var
        self.term_vars = np.array([var for var, _ in linear.terms], dtype=np.int64)
        # every term's weights in one array, so a total is one gather and one sum
        sizes = [len(weights) for _, weights in linear.terms]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.flat = (np.concatenate([np.asarray(w, dtype=np.int64) for _, w in linear.terms]) if sizes
                     else np.zeros(0, dtype=np.int64))
        self.op, threshold = linear.op, linear.threshold
        # integer sums: compare with whole numbers, no Fraction per row
        self.at_least = math.ceil(threshold) if self.op in (">=", "<") else math.floor(threshold) + 1
        self.equal = int(threshold) if threshold.denominator == 1 else None

    def total(self, rows: np.ndarray) -> np.ndarray:
        if not len(self.term_vars):
            return np.zeros(len(rows), dtype=np.int64)
        return self.flat[rows[:, self.term_vars] + self.offsets].sum(axis=1)

    def holds(self, rows: np.ndarray) -> np.ndarray:
        """The comparison's 0/1 value in each row."""
        return self._compare(self.total(rows)).astype(rows.dtype)

    def _compare(self, total: np.ndarray) -> np.ndarray:
        if self.op in ("==", "!="):
            equal = total == self.equal if self.equal is not None else np.zeros(len(total), dtype=bool)
            return equal if self.op == "==" else ~equal
        above = total >= self.at_least
        return above if self.op in (">=", ">") else ~above
