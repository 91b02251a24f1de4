"""Exact answers for catalogs whose price() rules are gated bounds on the price.

"instalments only from price() >= 600" ties every priced feature to one
running total; as a chain of running totals in the junction tree it multiplies
with the weight and volume totals (the city bike took 127 s and 7.4M tuples to
prepare). `compile_model(lift_price=True)` instead compiles each such rule into
its boolean part plus a 0/1 indicator per price level ("some rule asks for
price() >= L here"), and leaves the bounds in `problem.bounds`
(`LiftedBounds`). The tree then has the size it has without the price rules.

Cases: with levels L1 < ... < Lk, a configuration falls in case 0 (no
indicator is 1: no bound) or in case j (indicator j is 1 and every higher one
is 0: the price must reach Lj). The cases partition the configurations, so:

- domains: a value is possible iff in some case the *largest* price of a
  valid configuration with that value reaches the case's level: max-marginals
  on the tree (`JunctionTree.max_marginals`); the indicators are nested, so
  one pass answers all cases at once (see `BoundedSpace.__init__`);
- counts and cheapest completions: a dynamic programme over the tree whose
  states are (bag tuple, partial price), partial prices clipped at the level
  (with no negative price, every sum past it answers alike). Counts are exact
  integers; the cheapest completion is read back down the tree.

"at most" bounds (price() <= U) are the same with the price negated.
"""

from __future__ import annotations

import numpy as np

from .compile import CompileError, LiftedBounds
from .jtree import INFINITE, JunctionTree, UpwardCache, hashable
from .problems import Number, said

_INT64_SAFE = 2**62
# Entries one join or fold of the DP over totals may make: each costs about 80 bytes in
# the arrays of that step, so this keeps a count near 1 GiB. Forty priced add-ons under a
# weight total made 22 GB before: a count past it is refused here and counted another way
# (`Catalog.count`), never by exhausting the machine.
MAX_DP_ENTRIES = 12_000_000


def _within_budget(entries: int) -> None:
    if entries > MAX_DP_ENTRIES:
        raise CompileError(None, said("the count over price levels needs more than %(most)s partial totals "
                                      "at one step (%(entries)s)", most=Number(MAX_DP_ENTRIES), entries=Number(entries)))


class BoundedSpace:
    """A junction tree plus gated price bounds, with the junction tree's query methods."""

    def __init__(self, tree: JunctionTree):
        self.tree = tree
        self.problem = tree.problem
        self.bounds: LiftedBounds = tree.problem.bounds
        weights = list(self.bounds.weights.values())
        self.nonnegative = all(int(w.min()) >= 0 for w in weights) if weights else True
        self.nonpositive = all(int(w.max()) <= 0 for w in weights) if weights else True
        # One max-sum pass answers every case at once: every total is at least `base`, and with
        # the gain (signed price) - (level - base) of the highest indicator that is 1, written as a
        # sum of steps (level j - level j-1) over the nested indicators, a configuration meets its
        # bound exactly when its gain is >= base.
        self.base = sum(int(w.min()) for w in weights)
        gains = {var: w.astype(np.float64) for var, w in self.bounds.weights.items()}
        below = self.base
        for indicator, level in zip(self.bounds.indicators, self.bounds.levels):
            step = max(level, below) - below
            gains[indicator] = np.array([0.0, -float(step)])
            below = max(level, below)
        self.row_gains = [tree.own_gain(index, gains) for index in range(len(tree.bags))]
        problem = tree.problem
        # the variables Catalog reads domains from
        self.read_vars = sorted({*problem.feature_var.values(), *problem.option_var.values(),
                                 *problem.count_var.values()})

    # ------------------------------------------------------------ cases
    def cases(self, evidence: dict[int, object]):
        """(evidence of the case, level or None) for every case; see the module docstring."""
        indicators = self.bounds.indicators
        yield {**evidence, **{var: 0 for var in indicators}}, None
        for j, level in enumerate(self.bounds.levels):
            pinned = {indicators[j]: 1, **{var: 0 for var in indicators[j + 1:]}}
            yield {**evidence, **pinned}, level

    # ------------------------------------------------------------ domains
    def domains(self, evidence: dict[int, object]) -> tuple[bool, list[np.ndarray]]:
        consistent, possible, _ = self.domains_leaving_out(evidence, [])
        return consistent, possible

    def domains_leaving_out(
        self, evidence: dict[int, object], leave_out: list[int]
    ) -> tuple[bool, list[np.ndarray], dict[int, np.ndarray]]:
        """As `JunctionTree.domains_leaving_out`; domains are given for the feature, option and count variables."""
        sizes = self.tree.sizes
        overall, best, without = self.tree.max_marginals(
            evidence, self.row_gains, self.read_vars, leave_out, cache=self._upward_cache()
        )
        without = {var: values >= self.base for var, values in without.items()}
        if not overall >= self.base:
            return False, [np.zeros(size, dtype=bool) for size in sizes], without
        possible = [np.zeros(size, dtype=bool) for size in sizes]
        for var, values in best.items():
            possible[var] = values >= self.base
        return True, possible, without

    def satisfiable(self, evidence: dict[int, object]) -> bool:
        """True when some valid configuration meets the evidence and its price bound (one upward pass)."""
        return self.tree.best_gain(evidence, self.row_gains, self._upward_cache()) >= self.base

    def _upward_cache(self) -> UpwardCache:
        """The passes of earlier picks, per subtree (made on first use, never pickled with the tree)."""
        cache = self.__dict__.get("_passes")
        if cache is None:
            cache = self.__dict__.setdefault("_passes", UpwardCache())
        return cache

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_passes"}

    # ------------------------------------------------------------ counting
    def count(self, evidence: dict[int, object]) -> int:
        """The exact count; remembered per evidence, and kept with the compiled form (see `Catalog.prepare`).

        The DP over totals costs up to a second; a catalog's count for a guest
        is asked by every `catalog check` of the same version.
        """
        key = tuple(sorted((var, hashable(value)) for var, value in evidence.items()))
        counts = self.__dict__.setdefault("_counts", {})
        if key not in counts:
            counts[key] = self._count(evidence)
        return counts[key]

    def _count(self, evidence: dict[int, object]) -> int:
        total = 0
        for case, level in self.cases(evidence):
            if level is None:
                total += self.tree.count(case)
                continue
            everything = self.tree.count(case)
            if everything == 0:
                continue
            exact_ints = everything < _INT64_SAFE
            result = _Programme(self, case, level, counting=True, int64=exact_ints).run()
            if result is not None:
                total += int(result[0])
        return total

    # ------------------------------------------------------------ cheapest
    def cheapest(self, evidence: dict[int, object], costs: dict[int, np.ndarray]) -> list[int] | None:
        best_cost, best_values = None, None
        for case, level in self.cases(evidence):
            if level is None:
                values = self.tree.cheapest(case, costs)
                cost = None if values is None else sum(int(costs[v][values[v]]) for v in costs)
            else:
                cost, values = self._cheapest_at_level(case, level, costs, best_cost)
            if values is not None and (best_cost is None or cost < best_cost):
                best_cost, best_values = cost, values
        return best_values

    def _cheapest_at_level(self, case, level: int, costs, best_cost: int | None):
        """(cost, values) of the cheapest configuration of a case reaching its level, or (None, None).

        The cheapest configuration of the case without the level is a lower
        bound, and the answer when it already reaches the level: the DP over
        totals only runs when it can change the answer.
        """
        values = self.tree.cheapest(case, costs)
        if values is None:
            return None, None
        cost = sum(int(costs[v][values[v]]) for v in costs)
        if best_cost is not None and cost >= best_cost:
            return None, None
        reached = sum(int(w[values[v]]) for v, w in self.bounds.weights.items())
        if reached >= level:
            return cost, values
        found = _Programme(self, case, level, counting=False, costs=costs).run(read_back=True)
        return (None, None) if found is None else found

    def stats(self) -> dict[str, int]:
        return {**self.tree.stats(), "price_levels": len(self.bounds.levels)}


class _Programme:
    """The DP over (bag tuple, partial signed price) for one case with one level.

    Each bag's table lists entries (tuple, partial sum, value): the number of
    ways (counting) or the least cost (cheapest) of its subtree with that
    tuple and that partial sum. Children are joined in one at a time, and each
    stage is kept so that the cheapest configuration can be read back.
    """

    def __init__(self, space: BoundedSpace, evidence, level: int, *, counting: bool,
                 int64: bool = True, costs: dict[int, np.ndarray] | None = None):
        self.space = space
        self.tree = space.tree
        self.evidence = evidence
        self.level = level
        self.counting = counting
        self.dtype = np.int64 if (int64 or not counting) else object
        self.costs = costs or {}
        self.stages: dict[int, list[tuple]] = {}  # bag -> [(table, child, message), ...]

    def reduce(self, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(kept entries mask, reduced sums): clipped at the level, or hopeless sums dropped."""
        if self.space.nonnegative:  # every partial sum is >= 0: clipping at max(level, 0) stays additive
            return np.ones(len(sums), dtype=bool), np.minimum(sums, max(self.level, 0))
        if self.space.nonpositive:
            return sums >= self.level, sums
        return np.ones(len(sums), dtype=bool), sums

    def combine(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b if self.counting else a + b

    def group(self, keys: list[np.ndarray], values: np.ndarray):
        """Entries with equal keys merged (sum or min); returns (keys..., values), sorted by the keys."""
        if not len(values):
            return [key[:0] for key in keys], values[:0]
        combined, span = np.zeros(len(values), dtype=np.int64), 1
        lows = [int(key.min()) for key in keys]
        widths = [int(key.max()) - low + 1 for key, low in zip(keys, lows)]
        if np.prod([float(w) for w in widths]) < 2**62:
            for key, low, width in zip(keys, lows, widths):
                combined = combined * width + (key - low)
                span *= width
            order = np.argsort(combined, kind="stable")
            combined = combined[order]
            change = np.empty(len(values), dtype=bool)
            change[0] = True
            change[1:] = combined[1:] != combined[:-1]
        else:
            order = np.lexsort(tuple(reversed(keys)))
            change = np.zeros(len(values), dtype=bool)
            change[0] = True
            for key in keys:
                change[1:] |= key[order][1:] != key[order][:-1]
        starts = np.flatnonzero(change)
        picked = order[starts]
        merged = (np.add if self.counting else np.minimum).reduceat(values[order], starts)
        return [key[picked] for key in keys], merged

    def initial(self, index: int, alive: np.ndarray):
        bag = self.tree.bags[index]
        rows = np.flatnonzero(alive)
        weight = np.zeros(len(bag.rows), dtype=np.int64)
        cost = np.zeros(len(bag.rows), dtype=np.int64)
        for column, var in enumerate(bag.variables):
            if self.tree.home[var][0] != index:
                continue
            if var in self.space.bounds.weights:
                weight += self.space.bounds.weights[var][bag.rows[:, column]]
            if var in self.costs:
                cost += self.costs[var][bag.rows[:, column]]
        keep, sums = self.reduce(weight[rows])
        values = np.ones(len(rows), dtype=self.dtype) if self.counting else cost[rows]
        return rows[keep], sums[keep], values[keep]

    def message(self, child: int, table):
        """The child's table summed up per separator value and partial sum."""
        rows, sums, values = table
        (seps, sums), values = self.group([self.tree.edges[child].child_ids[rows], sums], values)
        return seps, sums, values

    def join(self, parent_table, child: int, message):
        rows, sums, values = parent_table
        seps, m_sums, m_values = message
        edge = self.tree.edges[child]
        bounds = np.searchsorted(seps, np.arange(edge.size + 1))
        wanted = edge.parent_ids[rows]
        start, count = bounds[wanted], bounds[wanted + 1] - bounds[wanted]
        _within_budget(int(count.sum()))
        entry = np.repeat(np.arange(len(rows)), count)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(count) - count, count)
        other = start[entry] + offset
        keep, new_sums = self.reduce(sums[entry] + m_sums[other])
        new_values = self.combine(values[entry][keep], m_values[other][keep])
        (rows, new_sums), new_values = self.group([rows[entry][keep], new_sums[keep]], new_values)
        return rows, new_sums, new_values

    def run(self, read_back: bool = False):
        """(count,) or (least cost, values per variable); None when the case has no configuration."""
        tree = self.tree
        alive = tree._propagate(self.evidence)
        if not tree.consistent(alive):
            return None
        tables = {index: self.initial(index, alive[index]) for index in range(len(tree.bags))}
        for child in reversed(tree.preorder):
            edge = tree.edges.get(child)
            if edge is None:
                continue
            message = self.message(child, tables[child])
            if self.counting:  # the stages and the child's table are only kept to read the cheapest back
                del tables[child]
            else:
                self.stages.setdefault(edge.parent, []).append((tables[edge.parent], child, message))
            tables[edge.parent] = self.join(tables[edge.parent], child, message)
        # independent parts add their sums: fold the roots' (sum, value) lists together
        folded = (np.zeros(1, dtype=np.int64), np.array([1 if self.counting else 0], dtype=self.dtype))
        per_root = []
        for root in tree.roots:
            _, sums, values = tables[root]
            (sums,), values = self.group([sums], values)
            per_root.append((sums, values))
            folded = self.fold(folded, (sums, values))
        sums, values = folded
        reached = sums >= self.level
        if not reached.any():
            return None
        if self.counting:
            return (values[reached].sum(),)
        best = int(values[reached].min())
        if best >= INFINITE:
            return None
        target = int(sums[reached][np.argmin(values[reached])])
        return best, self.read_back(tables, per_root, target, best)

    def fold(self, a, b):
        a_sums, a_values = a
        b_sums, b_values = b
        _within_budget(len(a_sums) * len(b_sums))
        sums = np.add.outer(a_sums, b_sums).ravel()
        values = (np.multiply.outer(a_values, b_values) if self.counting
                  else np.add.outer(a_values, b_values)).ravel()
        keep, sums = self.reduce(sums)
        (sums,), values = self.group([sums[keep]], values[keep])
        return sums, values

    # ------------------------------------------------------------ reading the cheapest back
    def _pair(self, a_sums, a_values, b_sums, b_values, total: int, value: int) -> tuple[int, int]:
        """Indexes (i, j) with reduce(a_i + b_j) == total and a_i's value + b_j's == value."""
        _, sums = self.reduce(np.add.outer(a_sums, b_sums).ravel())
        values = np.add.outer(a_values, b_values).ravel()
        hit = np.flatnonzero((sums == total) & (values == value))
        i, j = divmod(int(hit[0]), len(b_sums))
        return i, j

    def read_back(self, tables, per_root, total: int, value: int) -> list[int]:
        tree = self.tree
        # split the total between the roots, last root first
        targets: dict[int, tuple[int, int]] = {}
        prefix = [(np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))]
        for sums_values in per_root[:-1]:
            prefix.append(self.fold(prefix[-1], sums_values))
        for position in reversed(range(len(per_root))):
            a_sums, a_values = prefix[position]
            b_sums, b_values = per_root[position]
            i, j = self._pair(a_sums, a_values, b_sums, b_values, total, value)
            targets[tree.roots[position]] = (int(b_sums[j]), int(b_values[j]))
            total, value = int(a_sums[i]), int(a_values[i])
        chosen: dict[int, int] = {}
        pending: list[tuple[int, int | None, int, int]] = []  # (bag, separator id or None, sum, value)
        for root, (s, v) in targets.items():
            pending.append((root, None, s, v))
        while pending:
            index, sep, s, v = pending.pop()
            rows, sums, values = tables[index]
            match = (sums == s) & (values == v)
            if sep is not None:
                match &= tree.edges[index].child_ids[rows] == sep
            row = int(rows[np.flatnonzero(match)[0]])
            chosen[index] = row
            for before, child, message in reversed(self.stages.get(index, [])):
                b_rows, b_sums, b_values = before
                mine = b_rows == row
                sep_child = tree.edges[child].parent_ids[row]
                seps, m_sums, m_values = message
                theirs = seps == sep_child
                i, j = self._pair(b_sums[mine], b_values[mine], m_sums[theirs], m_values[theirs], s, v)
                pending.append((child, int(sep_child), int(m_sums[theirs][j]), int(m_values[theirs][j])))
                s, v = int(b_sums[mine][i]), int(b_values[mine][i])
        return [int(tree.bags[index].rows[chosen[index], column]) for index, column in tree.home]
