"""Exact counts for catalogs answered by CP-SAT (cpsat.py), without a running-total tree.

The catalog is compiled with `compile_model(linear=True)`: features, options
and choose counts are variables read by factors, and each numeric comparison
(`price() >= 600`, `sum(weight_g) <= 31500`) is a 0/1 variable defined by a
linear sum (`LinearAtom`). A count is a dynamic programme over the variables
in one order, keeping after each variable only the reachable *states* with
how many prefixes reach each:

- the values of earlier variables that a factor not yet checked still reads;
- per comparison already assigned, what it still asks of its sum: nothing,
  "must hold" or "must fail";
- per sum that something can still read, its partial total.

Totals are *collapsed*: the variables left can only add between their least
and their largest weight to a sum, so a comparison that every completion
already decides is settled (the state dies, or forgets the requirement), and a
sum that no comparison can still read is forgotten (set to 0): states that
differ only there merge. Partial totals that the variables left cannot tell
apart (classes between consecutive c - s, s a sum those variables can add)
become the first total of their class, so their states merge too
(`_class_starts`). The variables that switch comparisons on ("payment ==
instalments") go first, then the comparisons, so most states only carry the
few sums their rules ask about. A comparison that a state's rules allow either
way asks nothing: its two branches partition the completions (they are merged
into one state, with no requirement).

Independent parts of the catalog (no factor and no sum links them) are
counted apart and multiplied. Counts are Python integers where they could
pass 2**62.

Past `MAX_STATES` states in one layer the layers stop, and the count meets in
the middle (meet_count.py). First by *halves*: the states right after the
comparisons (few: one per combination of what the comparisons ask and of the
totals the switches add) are joined with the rest cut in two halves, each
enumerated on its own; a state's box corners less a row of the first half
are dominance queries against the rows of the second, counted by a compiled
sweep (dominance.py). The halves are split where the join sweeps the fewest
rows (`_halves_split`), within `MAX_HALF_ROWS` rows a half and
`MAX_SWEPT_ROWS` swept rows; the second half is enumerated and joined in
chunks of at most `MAX_CHUNK_ROWS` rows (`meet_count.suffix_chunks`), the
chunks' counts added, so it is never held whole. Else, when the layers got past the *cut* (the
first layer after the comparisons from which the variables left have at most
`meet_count.MAX_SUFFIX_ROWS` assignments), the states at the cut are joined
with the rest, enumerated on its own. When both pass their budgets, the
count is refused (`CountTooLarge`, with both reasons) and the catalog tries
the dense grid of totals (grid_count.py), then the running-total tree, which
may refuse too. `bench/models/numeric-heavy.yaml`
(four sums, price in cents, weight in grams, volume and power, all near
their bounds over 20 parts) takes the halves: 264 corners of 120 service
combinations, 225,792 rows of parts 0-8 and 17,010,000 of parts 9-19, in two
chunks; see the README, "Limits of exact numeric rules".
"""

from __future__ import annotations

import math

import numpy as np

from .compile import CompiledProblem, LinearAtom
from .dominance import TooManyColumns
from .layered import _rows_allowed
from .meet_count import (
    MAX_CHUNK_ROWS,
    MAX_HALF_ROWS,
    MAX_SUFFIX_ROWS,
    MAX_SWEPT_ROWS,
    MeetTooLarge,
    joined_count,
    joined_in_three,
    state_corners,
    suffix_chunks,
    suffix_rows,
    swept_rows,
)
from .problems import Number, said

# The demo catalogs peak at 16,020 states (coffee subscription), the city bike with a price ceiling at 5,534;
# bench/models/numeric-heavy.yaml passes this after 7 of its 20 parts (and grows about 4x a part).
MAX_STATES = 1_000_000


class CountTooLarge(Exception):
    """The reachable states of some layer exceed the budget."""


class LinearCounter:
    """Exact counts over a problem compiled with `linear=True` (see the module docstring)."""

    def __init__(self, problem: CompiledProblem, max_states: int | None = None, *, meet: bool = False,
                 halves: bool = False):
        self.problem = problem
        self.max_states = MAX_STATES if max_states is None else max_states
        self.meet = meet  # join at the cut even within the budget (both routes can then be compared)
        self.halves = halves  # likewise, the states after the comparisons joined with two enumerated halves
        self.sizes = [variable.size for variable in problem.variables]
        self.atoms: list[LinearAtom] = list(problem.linear)
        self.atom_of_var = {atom.var: index for index, atom in enumerate(self.atoms)}
        sums: dict[tuple, list[int]] = {}
        for index, atom in enumerate(self.atoms):
            sums.setdefault(atom.terms, []).append(index)
        # one entry per distinct linear sum: ({variable: weight per value}, atoms comparing it)
        self.sums = [({var: np.asarray(w, dtype=np.int64) for var, w in terms}, atoms)
                     for terms, atoms in sums.items()]
        self.sum_of_atom = {atom: index for index, (_, atoms) in enumerate(self.sums) for atom in atoms}
        self.components = _components(problem, self.atoms)
        part_of = {var: index for index, variables in enumerate(self.components) for var in variables}
        # each factor lies within one part (parts are unions of factor scopes): listed once, not per part
        self.factors_of: list[list] = [[] for _ in self.components]
        for factor in problem.factors:
            if factor.scope:
                self.factors_of[part_of[factor.scope[0]]].append(factor)

    def count(self, evidence: dict[int, object]) -> int:
        """The exact number of assignments meeting every factor, every comparison's definition and the evidence."""
        allowed = [_allowed(evidence.get(var), size) for var, size in enumerate(self.sizes)]
        if any(not factor.scope and len(factor.rows) == 0 for factor in self.problem.factors):
            return 0  # a rule that folded to "never"
        total = 1
        for component, factors in zip(self.components, self.factors_of):
            total *= self._layers(component, factors, allowed)
            if total == 0:
                return 0
        return total

    # ------------------------------------------------------------ one independent part
    def _order(self, variables: list[int], factors: list) -> list[int]:
        """Switches of comparisons first, then the comparisons, then the rest in the compiled order."""
        members = set(variables)
        compares = [var for var in variables if var in self.atom_of_var]
        switches: set[int] = set()
        for factor in factors:
            if any(var in self.atom_of_var for var in factor.scope):
                switches.update(var for var in factor.scope if var not in self.atom_of_var)
        ranked = [var for var in (self.problem.order or range(len(self.sizes))) if var in members]
        placed = set(ranked)
        ranked += [var for var in sorted(members) if var not in placed]
        first = [var for var in ranked if var in switches]
        return first + compares + [var for var in ranked if var not in switches and var not in self.atom_of_var]

    def _layers(self, variables: list[int], factors: list, allowed: list[np.ndarray]) -> int:
        """The count of one independent part: its variables assigned layer by layer (see the module docstring)."""
        order = self._order(variables, factors)
        position = {var: i for i, var in enumerate(order)}
        members = set(variables)
        checked_at: dict[int, list] = {}
        last_use = {var: position[var] for var in order}
        for factor in factors:
            done = max(position[var] for var in factor.scope)
            checked_at.setdefault(done, []).append(factor)
            for var in factor.scope:
                last_use[var] = max(last_use[var], done)
        sums = [index for index, (weights, atoms) in enumerate(self.sums)
                if members.intersection(weights) or any(self.atoms[atom].var in members for atom in atoms)]
        # (a sum over no variable, always 0, may have its comparisons in several parts)
        atoms = sorted({atom for index in sums for atom in self.sums[index][1] if self.atoms[atom].var in members})
        plan = _Plan(self, order, allowed, sums, atoms)
        exact = math.prod(max(len(allowed[var]), 1) for var in order) < 2**62
        state = _States.start(len(sums), len(atoms), np.int64 if exact else object)
        frontier: list[int] = []
        cut = _meeting_layer(order, allowed, self.atom_of_var)
        rest = max((layer + 1 for layer, var in enumerate(order) if var in self.atom_of_var), default=0)
        snapshot = after_comparisons = None
        for layer, var in enumerate(order):
            if layer == rest:
                after_comparisons = (state, frontier)
                if self.halves:
                    return self._halves(after_comparisons, order, rest, plan, checked_at)
            if layer == cut:
                snapshot = (state, frontier)
                if self.meet:
                    return self._meet(snapshot, order, cut, plan, checked_at)
            try:
                state, frontier = self._step(state, frontier, layer, var, plan, checked_at.get(layer, []), last_use)
            except CountTooLarge as error:
                return self._past_budget(error, after_comparisons, snapshot, order, (rest, cut), plan, checked_at)
            if state.size == 0:
                return 0
            if state.size > self.max_states:
                error = CountTooLarge(said("%(states)s reachable states after %(variable)s",
                                           states=Number(state.size), variable=self.problem.variables[var].name))
                state = None  # (its memory, before the joins)
                return self._past_budget(error, after_comparisons, snapshot, order, (rest, cut), plan, checked_at)
        return int(state.counts.sum())

    def _past_budget(self, error: CountTooLarge, after_comparisons, snapshot, order: list[int],
                     layers: tuple[int, int | None], plan: _Plan, checked_at: dict[int, list]) -> int:
        """The layers outgrew their budget: the states after the comparisons joined with two enumerated
        halves of the rest, else the states at the cut joined with the rest, else the refusal."""
        rest, cut = layers
        if after_comparisons is not None:
            try:
                return self._halves(after_comparisons, order, rest, plan, checked_at)
            except CountTooLarge as refused:
                error = CountTooLarge(said("%(reason)s; %(then)s", reason=error.args[0], then=refused.args[0]))
        if snapshot is None:
            raise error
        try:
            return self._meet(snapshot, order, cut, plan, checked_at)
        except CountTooLarge as refused:
            raise CountTooLarge(said("%(reason)s; %(then)s", reason=error.args[0], then=refused.args[0])) from refused

    def _halves(self, snapshot: tuple[_States, list[int]], order: list[int], rest: int, plan: _Plan,
                checked_at: dict[int, list]) -> int:
        """The states after the comparisons, the rest cut in two halves enumerated on their own, joined
        (meet_count.joined_in_three): the halves are split where the join sweeps the fewest rows."""
        state, frontier = snapshot
        remaining = order[rest:]
        if not remaining:
            return int(state.counts.sum())
        sizes = [max(len(plan.allowed[var]), 1) for var in remaining]
        if math.prod(sizes) >= 2**62:
            raise CountTooLarge(said("%(assignments)s assignments after the comparisons, past 64-bit integers",
                                     assignments=Number(math.prod(sizes))))
        groups = state_corners(state, frontier, plan)
        corner_count = sum(len(queries) for _, _, queries, _ in groups)
        split = _halves_split(sizes, corner_count, len({sums for _, sums, _, _ in groups}))
        if split is None:
            raise CountTooLarge(said("%(states)s states after the comparisons (%(corners)s corners), then a join past "
                                     "%(swept)s swept rows or %(rows)s rows a half", states=Number(state.size),
                                     corners=Number(corner_count), swept=Number(MAX_SWEPT_ROWS),
                                     rows=Number(MAX_HALF_ROWS)))
        middle_vars, suffix_vars = remaining[:split], remaining[split:]
        later = [factor for layer, factors in checked_at.items() if layer >= rest for factor in factors]
        middle_set, suffix_set = set(middle_vars), set(suffix_vars)
        inside_middle = [factor for factor in later if middle_set.issuperset(factor.scope)]
        inside_suffix = [factor for factor in later if suffix_set.issuperset(factor.scope)]
        # (by scope, not `in`: factors hold arrays, and a scope within one half is never across)
        across = [factor for factor in later
                  if not middle_set.issuperset(factor.scope) and not suffix_set.issuperset(factor.scope)]
        read = {var for factor in across for var in factor.scope}
        sum_weights = [self.sums[index][0] for index in plan.sums]
        try:
            middle = suffix_rows(middle_vars, plan.allowed, sum_weights, inside_middle, read & middle_set,
                                 self.problem.variables, np.int64)
            # the second half in chunks, each joined and dropped before the next is enumerated: memory is
            # that of a chunk, the price each chunk's pass over every query (the joins add up: see
            # `suffix_chunks`)
            total = 0
            for chunk in suffix_chunks(suffix_vars, plan.allowed, sum_weights, inside_suffix, read & suffix_set,
                                       self.problem.variables, MAX_CHUNK_ROWS):
                total += joined_in_three(groups, frontier, middle, chunk, across, self.problem.variables)
                del chunk
            return total
        except (MeetTooLarge, TooManyColumns) as error:
            raise CountTooLarge(said("%(states)s states after the comparisons, then %(reason)s",
                                     states=Number(state.size), reason=error.args[0])) from error

    def _meet(self, snapshot: tuple[_States, list[int]], order: list[int], cut: int, plan: _Plan,
              checked_at: dict[int, list]) -> int:
        """The count from the states at layer `cut` joined with the enumerated rest (meet_count.py)."""
        state, frontier = snapshot
        suffix = order[cut:]
        members = set(suffix)
        later = [factor for layer, factors in checked_at.items() if layer >= cut for factor in factors]
        inside = [factor for factor in later if members.issuperset(factor.scope)]
        across = [factor for factor in later if not members.issuperset(factor.scope)]
        keep = {var for factor in across for var in factor.scope if var in members}
        sum_weights = [self.sums[index][0] for index in plan.sums]
        dtype = np.int64 if math.prod(max(len(plan.allowed[var]), 1) for var in order) < 2**56 else object
        try:
            columns, values, totals, counts = suffix_rows(suffix, plan.allowed, sum_weights, inside, keep,
                                                          self.problem.variables, dtype)
            return joined_count(state, frontier, (columns, values, totals, counts), across, plan,
                                self.problem.variables, dtype)
        except MeetTooLarge as error:
            raise CountTooLarge(said("%(states)s states at the cut, then %(reason)s", states=Number(state.size),
                                     reason=error.args[0])) from error

    def _step(self, state: _States, frontier: list[int], layer: int, var: int, plan: _Plan,
              factors: list, last_use: dict[int, int]):
        """The states after assigning `var`: extended, checked, collapsed and merged."""
        values = plan.allowed[var]
        if state.size * len(values) > 6 * self.max_states:  # refused before the rows are built, not after
            raise CountTooLarge(said("%(states)s candidate states at %(variable)s",
                                     states=Number(state.size * len(values)),
                                     variable=self.problem.variables[var].name))
        parent = np.repeat(np.arange(state.size), len(values))
        value = np.tile(values.astype(np.int32), state.size)
        columns = frontier + [var]
        rows = np.hstack([state.values[parent], value[:, None]]) if len(parent) else np.zeros((0, len(columns)),
                                                                                               np.int32)
        keep = np.ones(len(rows), dtype=bool)
        for factor in factors:
            keep &= _rows_allowed(rows, columns, factor, self.problem.variables)
        rows, parent, value = rows[keep], parent[keep], value[keep]
        sums = state.sums[parent].copy()
        pending = state.pending[parent].copy()
        for column, index in enumerate(plan.sums):
            weights = self.sums[index][0].get(var)
            if weights is not None:
                sums[:, column] += weights[value]
        next_frontier = [v for v in columns if last_use[v] > layer]
        if var in self.atom_of_var:
            column = plan.atom_column[self.atom_of_var[var]]
            pending[:, column] = np.where(value == 1, 1, 2)
            if var not in next_frontier:  # both answers allowed: together they ask nothing of the sum
                either = np.bincount(parent, minlength=state.size)[parent] == 2
                drop = either & (value == 0)
                pending[either, column] = 0
                rows, parent, sums, pending = rows[~drop], parent[~drop], sums[~drop], pending[~drop]
        counts = state.counts[parent]
        alive = plan.settle(layer, sums, pending)
        rows, sums, pending, counts = rows[alive], sums[alive], pending[alive], counts[alive]
        kept = rows[:, [columns.index(v) for v in next_frontier]]
        return _States.merged(kept, sums, pending, counts), next_frontier


class _Plan:
    """What the layers need to know in advance: each sum's least and largest rest, each comparison's cut."""

    def __init__(self, counter: LinearCounter, order: list[int], allowed: list[np.ndarray],
                 sums: list[int], atoms: list[int]):
        self.counter = counter
        self.allowed = allowed
        self.sums = sums
        self.atoms = atoms
        self.atom_column = {atom: column for column, atom in enumerate(atoms)}
        position = {var: i for i, var in enumerate(order)}
        # rest_low[layer][column]: the least the variables after `layer` can add to that sum
        self.rest_low = np.zeros((len(order) + 1, len(sums)), dtype=object)
        self.rest_high = np.zeros((len(order) + 1, len(sums)), dtype=object)
        for column, index in enumerate(sums):
            for var, weights in counter.sums[index][0].items():
                reachable = weights[allowed[var]] if len(allowed[var]) else np.zeros(1, np.int64)
                self.rest_low[: position[var] + 1, column] += int(reachable.min())
                self.rest_high[: position[var] + 1, column] += int(reachable.max())
        self.fixed_from = {column: max(position[counter.atoms[a].var] for a in counter.sums[index][1] if a in atoms)
                           for column, index in enumerate(sums)}
        self.sum_column_of_atom = [sums.index(counter.sum_of_atom[atom]) for atom in atoms]
        self.cuts = [_cut(counter.atoms[atom]) for atom in atoms]
        # starts[layer][column]: where the classes of equivalent partial totals begin (see `canonical`)
        self.starts = [_class_starts(counter.sums[index][0], order, allowed,
                                     [cut for cut, c in zip(self.cuts, self.sum_column_of_atom) if c == column])
                       for column, index in enumerate(sums)]

    def settle(self, layer: int, sums: np.ndarray, pending: np.ndarray) -> np.ndarray:
        """Settle, in place, the requirements every completion decides; forget sums nothing reads. Rows alive."""
        alive = np.ones(len(sums), dtype=bool)
        for column, (kind, cut) in enumerate(self.cuts):
            asked = pending[:, column] != 0
            if not asked.any():
                continue
            total = self.sum_column_of_atom[column]
            low = sums[:, total] + int(self.rest_low[layer + 1, total])
            high = sums[:, total] + int(self.rest_high[layer + 1, total])
            surely, never = _decided(kind, cut, low, high)
            must = pending[:, column] == 1
            alive &= ~(asked & ((must & never) | (~must & surely)))
            pending[asked & (surely | never), column] = 0
        for total in range(len(self.sums)):
            if layer < self.fixed_from[total]:
                continue  # a comparison of this sum is still to be assigned: it will read the total
            columns = [c for c, t in enumerate(self.sum_column_of_atom) if t == total]
            unread = ~(pending[:, columns] != 0).any(axis=1)
            sums[unread, total] = 0
        self.canonical(layer, sums)
        return alive

    def canonical(self, layer: int, sums: np.ndarray) -> None:
        """Each partial total replaced, in place, by the first total of its class (see `_class_starts`).

        Totals of one class meet every comparison of their sum alike for every sum the variables after
        `layer` can add, so their states have the same completions: merging them keeps the count exact.
        """
        for column, per_layer in enumerate(self.starts):
            starts = per_layer[layer] if per_layer is not None else None
            if starts is None or not len(starts):
                continue
            index = np.searchsorted(starts, sums[:, column], side="right") - 1
            sums[:, column] = starts[np.maximum(index, 0)]  # (-1: a forgotten total below the reachable ones)


class _States:
    """Reachable states of one layer: frontier values, partial sums, requirements, and how many reach each."""

    def __init__(self, values: np.ndarray, sums: np.ndarray, pending: np.ndarray, counts: np.ndarray):
        self.values, self.sums, self.pending, self.counts = values, sums, pending, counts

    @property
    def size(self) -> int:
        return len(self.counts)

    @classmethod
    def start(cls, sums: int, atoms: int, dtype) -> _States:
        return cls(np.zeros((1, 0), np.int32), np.zeros((1, sums), np.int64), np.zeros((1, atoms), np.int8),
                   np.ones(1, dtype=dtype))

    @classmethod
    def merged(cls, values: np.ndarray, sums: np.ndarray, pending: np.ndarray, counts: np.ndarray) -> _States:
        """Equal states made one, their counts added."""
        key = np.hstack([values.astype(np.int64), sums, pending.astype(np.int64)])
        if key.shape[1] == 0:
            total = counts.sum() if len(counts) else None
            if total is None:
                return cls(values[:0], sums[:0], pending[:0], counts[:0])
            return cls(values[:1], sums[:1], pending[:1], np.array([total], dtype=counts.dtype))
        if not len(key):
            return cls(values, sums, pending, counts)
        _, first, inverse = np.unique(_packed(key), axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        merged = np.zeros(len(first), dtype=counts.dtype)
        np.add.at(merged, inverse, counts)
        return cls(values[first], sums[first], pending[first], merged)


def _packed(key: np.ndarray) -> np.ndarray:
    """The rows of `key` as one int64 each (same rows, same number) when their ranges allow, else the rows."""
    low, high = key.min(axis=0), key.max(axis=0)
    spans = [int(h) - int(lo) + 1 for lo, h in zip(low, high)]
    if math.prod(spans) >= 2**62:
        return key
    packed = np.zeros(len(key), dtype=np.int64)
    for column, span in enumerate(spans):
        packed = packed * span + (key[:, column] - low[column])
    return packed


def _cut(atom: LinearAtom) -> tuple[str, int | None]:
    """The comparison on an integer sum s as (kind, integer): "le": s <= c, "ge": s >= c, "eq"/"ne": s == c.

    `None` for ==/!= with a threshold no integer sum reaches.
    """
    threshold = atom.threshold
    if atom.op == "<=":
        return "le", math.floor(threshold)
    if atom.op == "<":
        return "le", math.ceil(threshold) - 1
    if atom.op == ">=":
        return "ge", math.ceil(threshold)
    if atom.op == ">":
        return "ge", math.floor(threshold) + 1
    whole = int(threshold) if threshold.denominator == 1 else None
    return ("eq" if atom.op == "==" else "ne"), whole


def _decided(kind: str, cut: int | None, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(surely holds, never holds) for a sum known to end between `low` and `high`."""
    if kind == "le":
        return high <= cut, low > cut
    if kind == "ge":
        return low >= cut, high < cut
    if cut is None:
        equal_surely, equal_never = np.zeros(len(low), bool), np.ones(len(low), bool)
    else:
        equal_surely, equal_never = (low == cut) & (high == cut), (cut < low) | (cut > high)
    return (equal_surely, equal_never) if kind == "eq" else (equal_never, equal_surely)


# Achievable suffix sums are kept as a table of this many flags at most (per sum); wider sums keep raw totals.
MAX_SUFFIX_RANGE = 1 << 24


def _class_starts(weights: dict[int, np.ndarray], order: list[int], allowed: list[np.ndarray],
                  cuts: list[tuple[str, int | None]]) -> list[np.ndarray | None] | None:
    """Per layer, the sorted first totals of the classes of partial totals that no completion tells apart.

    The variables after a layer can add the sums of a set S (computed backwards, ignoring the rules: a
    superset of what they really add, which only makes classes finer). Totals t and t' are equivalent
    when t + s and t' + s meet every comparison alike for every s in S: "t + s <= c" changes only where
    t = c - s + 1, ">=" where t = c - s, "=="/"!=" at c - s and c - s + 1. Those points, within the
    totals the layer can reach, start the classes (with the least reachable total, so every total has
    one). This is the merge of BDD encodings of linear constraints (Abio et al. 2012). None: not built.
    """
    lows, highs = [0], [0]  # least and largest sum of the variables from position i on, built backwards
    ranges: list[np.ndarray] = []
    for var in reversed(order):
        reachable = weights[var][allowed[var]] if var in weights and len(allowed[var]) else np.zeros(1, np.int64)
        ranges.append(reachable)
        lows.append(lows[-1] + int(reachable.min()))
        highs.append(highs[-1] + int(reachable.max()))
    lows.reverse(), highs.reverse(), ranges.reverse()
    if highs[0] - lows[0] >= MAX_SUFFIX_RANGE or not cuts:
        return None
    total_low, total_high = lows[0], highs[0]
    starts: list[np.ndarray | None] = [None] * len(order)
    flags = np.zeros(highs[0] - lows[0] + 1, dtype=bool)  # flags[s - lows[i]]: s achievable after position i
    flags[0] = True
    for position in range(len(order) - 1, -1, -1):
        # the layer of `position` has the variables after it to add: the flags as they are now
        suffix = np.flatnonzero(flags[: highs[position + 1] - lows[position + 1] + 1]) + lows[position + 1]
        reach_low, reach_high = total_low - lows[position + 1], total_high - highs[position + 1]
        points = [np.array([reach_low], np.int64)]
        for kind, cut in cuts:
            if cut is None:
                continue
            if kind == "le":
                points.append(cut - suffix + 1)
            elif kind == "ge":
                points.append(cut - suffix)
            else:
                points += [cut - suffix, cut - suffix + 1]
        # marked in a table over the reachable totals: sorted and unique without sorting
        marks = np.zeros(reach_high - reach_low + 1, dtype=bool)
        for point in points:
            marks[point[(point >= reach_low) & (point <= reach_high)] - reach_low] = True
        starts[position] = np.flatnonzero(marks) + reach_low
        flags = _added(flags, ranges[position] - int(ranges[position].min()))
    _drop_layers_without_merges(starts, ranges, total_low - np.array(lows[1:]), len(flags))
    return starts


def _drop_layers_without_merges(starts: list[np.ndarray | None], ranges: list[np.ndarray],
                                reach_lows: np.ndarray, width: int) -> None:
    """None, in place, for the layers where every total the variables so far can reach has its own class.

    Those layers would only pay for the lookups (dense sums in cents over many features: most layers).
    The reachable totals come from a forward pass like the backward one, ignoring the rules too.
    """
    flags = np.zeros(width, dtype=bool)  # flags[t - reach_lows[position]]: t reachable up to position
    flags[0] = True
    for position, classes in enumerate(starts):
        flags = _added(flags, ranges[position] - int(ranges[position].min()))
        if classes is None:
            continue
        totals = np.flatnonzero(flags) + int(reach_lows[position])
        if np.all(np.diff(np.searchsorted(classes, totals, side="right")) > 0):
            starts[position] = None


def _added(flags: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """The flags of S + w for w in `shifts` (all >= 0, counted from the new least sum)."""
    merged = np.zeros_like(flags)
    for shift in np.unique(shifts):
        merged[shift:] |= flags[: len(flags) - shift]
    return merged


def _halves_split(sizes: list[int], corner_count: int, batches: int) -> int | None:
    """Where to cut the variables after the comparisons (domain sizes `sizes`) into the middle, whose rows
    become queries with every corner, and the suffix, swept once per batch of queries: the cut with the
    fewest swept rows (`swept_rows`), within the budgets; None when no cut fits them."""
    best = None
    for split in range(len(sizes) + 1):
        middle, suffix = math.prod(sizes[:split]), math.prod(sizes[split:])
        if middle > MAX_HALF_ROWS or suffix > MAX_HALF_ROWS:
            continue
        work = swept_rows(corner_count, middle, suffix, batches)
        if work <= MAX_SWEPT_ROWS and (best is None or work < best[0]):
            best = (work, split)
    return None if best is None else best[1]


def _meeting_layer(order: list[int], allowed: list[np.ndarray], atom_of_var: dict[int, int]) -> int | None:
    """The first layer after every comparison from which the rest has at most MAX_SUFFIX_ROWS assignments."""
    start = max((layer + 1 for layer, var in enumerate(order) if var in atom_of_var), default=0)
    rest = 1
    for layer in range(len(order) - 1, start - 1, -1):
        rest *= max(len(allowed[order[layer]]), 1)
        if rest > MAX_SUFFIX_ROWS:
            return layer + 1 if layer + 1 < len(order) else None
    return start if start < len(order) else None


def _allowed(evidence: object, size: int) -> np.ndarray:
    """The values a variable may take under its evidence (None: all)."""
    if evidence is None:
        return np.arange(size, dtype=np.int64)
    if isinstance(evidence, (int, np.integer)):
        return np.array([int(evidence)], dtype=np.int64)
    array = np.asarray(evidence)
    if array.dtype == bool and array.shape == (size,):
        return np.flatnonzero(array).astype(np.int64)
    return np.unique(np.atleast_1d(array).astype(np.int64))


def _components(problem: CompiledProblem, atoms: list[LinearAtom]) -> list[list[int]]:
    """The variables in groups that no factor and no linear sum link to each other."""
    parent = list(range(len(problem.variables)))

    def find(var: int) -> int:
        while parent[var] != var:
            parent[var] = parent[parent[var]]
            var = parent[var]
        return var

    def link(scope) -> None:
        scope = list(scope)
        for var in scope[1:]:
            parent[find(var)] = find(scope[0])

    for factor in problem.factors:
        link(factor.scope)
    for atom in atoms:
        link([atom.var, *(var for var, _ in atom.terms)])
    groups: dict[int, list[int]] = {}
    for var in range(len(problem.variables)):
        groups.setdefault(find(var), []).append(var)
    return list(groups.values())
