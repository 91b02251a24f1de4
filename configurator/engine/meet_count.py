"""Meeting in the middle, for exact counts whose running totals outgrow the layered count (linear_count.py).

The layered count keeps, per layer, every partial total that a comparison can
still read. Dense totals near their bounds (prices in cents, weights in grams)
keep those partial totals apart until the last variables, so the middle layers
outgrow any budget. Here the variables are cut in two: the layered count runs
up to the cut (its states: frontier values, what each comparison still asks,
partial totals, counts), the variables after the cut are enumerated on their
own (their totals, and the values that rules across the cut read), and the
two are joined: a state and a completion make configurations when the rules
across the cut allow their values and every total the state still asks about,
state's part plus completion's part, meets what is asked.

Per group of states asking the same thing, that join is a dominance count over
the totals still asked about ("how many completions add at most x to the weight
and at most y to the price"): intervals become corners by inclusion-exclusion,
and `dominated_weights` counts by divide and conquer on one total at a time
(each level halves the events; one total left is a sorted cumulative sum). It
costs about n log^(d-1) n for d totals, so it is refused (`MeetTooLarge`) when
its estimate passes `MAX_JOIN_WORK`, like a suffix with more than
`MAX_SUFFIX_ROWS` assignments.

`joined_in_three` meets in three: the states after the comparisons (few), and
the rest cut in a middle and a suffix, both enumerated. Each state's corners
less each middle row's totals are the queries, the suffix rows the points, and
the dominance sums come from the compiled sweep of dominance.py, which makes
the queries on its way: so many price() bounds (one box per service
combination) cost one pass over the suffix rows per set of sums asked, not
one layer of states per combination and partial choice. The suffix rows can
come in chunks (`suffix_chunks`): each chunk joined on its own, the counts
added, so memory is that of a chunk, and every query is passed once per chunk.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .layered import _rows_allowed
from .problems import Number, said

# The assignments of the variables after the cut, enumerated at most (rows of totals and frontier values).
MAX_SUFFIX_ROWS = 4_000_000
# About n log^(d-1) n elementary steps of the dominance count, at most (tens of seconds of numpy).
MAX_JOIN_WORK = 3_000_000_000
# Corner rows (states times corners of their box) gathered for one join at most: memory, 8 bytes a total.
MAX_CORNER_ROWS = 8_000_000
# Below this many (point, query) pairs a dominance count compares them all at once.
BRUTE_PAIRS = 1 << 21
# Rows merged at most: past this, sorting them costs more memory than their duplicates (dense totals have few).
MAX_MERGED_ROWS = 4_000_000
# Totals are integers well inside int64; these stand for "no bound" on one side.
LOWEST, HIGHEST = -(1 << 60), 1 << 60


class MeetTooLarge(Exception):
    """The suffix or the join would pass its budget."""


def dominated_weights(points: np.ndarray, weights: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query row q, the total weight of the point rows p with p <= q in every column."""
    result = np.zeros(len(queries), dtype=weights.dtype)
    if not len(points) or not len(queries):
        return result
    if points.shape[1] == 0:
        result[:] = weights.sum()
        return result
    if points.shape[1] == 1:
        order = np.argsort(points[:, 0], kind="stable")
        cumulative = np.concatenate([np.zeros(1, dtype=weights.dtype), np.cumsum(weights[order])])
        return cumulative[np.searchsorted(points[order, 0], queries[:, 0], side="right")]
    if len(points) * len(queries) <= BRUTE_PAIRS:
        return _compared(points, weights, queries)
    # Events in order of the first column, points before queries on ties: a point of the first half
    # is below every query of the second half there, so only the other columns remain to compare.
    values = np.concatenate([points[:, 0], queries[:, 0]])
    kinds = np.concatenate([np.zeros(len(points), np.int8), np.ones(len(queries), np.int8)])
    order = np.lexsort((kinds, values))
    first, second = order[: len(order) // 2], order[len(order) // 2:]
    low_points, low_queries = first[first < len(points)], first[first >= len(points)] - len(points)
    high_points, high_queries = second[second < len(points)], second[second >= len(points)] - len(points)
    result[high_queries] += dominated_weights(points[low_points, 1:], weights[low_points], queries[high_queries, 1:])
    result[low_queries] += dominated_weights(points[low_points], weights[low_points], queries[low_queries])
    result[high_queries] += dominated_weights(points[high_points], weights[high_points], queries[high_queries])
    return result


def _compared(points: np.ndarray, weights: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """`dominated_weights` by comparing every pair, a block of queries at a time."""
    block = max(1, BRUTE_PAIRS // max(len(points), 1))
    parts = []
    for start in range(0, len(queries), block):
        below = (points[None, :, :] <= queries[start: start + block, None, :]).all(axis=2)
        parts.append(below.astype(weights.dtype) @ weights if weights.dtype != object
                     else np.array([weights[row].sum() for row in below], dtype=object))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=weights.dtype)


def join_work(points: int, queries: int, totals: int) -> float:
    """The estimated steps of `dominated_weights` for that many points, queries and columns."""
    events = points + queries
    if totals <= 1 or events <= 1:
        return float(events)
    levels = max(1.0, math.log2(max(events / math.sqrt(BRUTE_PAIRS), 2.0)))
    return events * levels ** (totals - 1)


def box_count(totals: np.ndarray, counts: np.ndarray, completions: np.ndarray, weights: np.ndarray,
              allowed: list[list[tuple[int, int]]], dtype) -> int:
    """Σ counts[i] * weights[j] over pairs whose totals[i] + completions[j] lie in `allowed` in every column.

    `allowed[c]` is column c's allowed final totals as disjoint closed intervals (LOWEST/HIGHEST: unbounded).
    """
    queries, factors = corners(totals, counts, allowed)
    return counted(completions, weights, queries, factors, dtype)


def corners(totals: np.ndarray, counts: np.ndarray, allowed: list[list[tuple[int, int]]]):
    """The dominance queries (rows) and their signed factors that add up to a `box_count`.

    Each combination of intervals is a box; a box is its corners by inclusion-exclusion (a lower end,
    minus one, with the sign flipped), each corner shifted by every state's own part of the totals.
    """
    width = len(allowed)
    if any(not intervals for intervals in allowed) or not len(totals):
        return np.zeros((0, width), np.int64), counts[:0]
    queries, factors = [], []
    for box in itertools.product(*allowed):
        lows = [column for column, (low, _) in enumerate(box) if low != LOWEST]
        for size in range(len(lows) + 1):
            for below in itertools.combinations(lows, size):
                corner = np.array([box[c][0] - 1 if c in below else box[c][1] for c in range(width)], np.int64)
                queries.append(corner[None, :] - totals)
                factors.append(counts if size % 2 == 0 else -counts)
    return np.concatenate(queries), np.concatenate(factors)


def counted(completions: np.ndarray, weights: np.ndarray, queries: np.ndarray, factors: np.ndarray, dtype) -> int:
    """Σ factors[q] * (weight of the completions dominated by query q), within the work budget."""
    if not len(queries):
        return 0
    if join_work(len(completions), len(queries), completions.shape[1]) > MAX_JOIN_WORK:
        raise MeetTooLarge(said("a join of %(corners)s corners with %(completions)s completions over %(totals)s totals",
                                corners=Number(len(queries)), completions=Number(len(completions)),
                                totals=Number(completions.shape[1])))
    found = dominated_weights(completions, weights.astype(dtype), queries)
    return int(np.dot(factors.astype(dtype), found))


def allowed_totals(requirements: list[tuple[str, int | None, bool]]) -> list[tuple[int, int]]:
    """The final totals meeting every (kind, cut, must hold) requirement on one sum, as disjoint intervals."""
    intervals = [(LOWEST, HIGHEST)]
    for kind, cut, holds in requirements:
        if kind in ("eq", "ne") and (kind == "eq") != holds:  # "differs from cut"
            if cut is not None:
                intervals = _without(intervals, cut)
            continue
        if kind in ("eq", "ne"):  # "equals cut"
            keep = (LOWEST, LOWEST - 1) if cut is None else (cut, cut)
        elif kind == "le":
            keep = (LOWEST, cut) if holds else (cut + 1, HIGHEST)
        else:
            keep = (cut, HIGHEST) if holds else (LOWEST, cut - 1)
        intervals = [(max(low, keep[0]), min(high, keep[1])) for low, high in intervals]
        intervals = [(low, high) for low, high in intervals if low <= high]
    return intervals


def _without(intervals: list[tuple[int, int]], point: int) -> list[tuple[int, int]]:
    kept = []
    for low, high in intervals:
        if low <= point <= high:
            kept += [part for part in ((low, point - 1), (point + 1, high)) if part[0] <= part[1]]
        else:
            kept.append((low, high))
    return kept


def merged_rows(values: np.ndarray, totals: np.ndarray, counts: np.ndarray):
    """Equal (values, totals) rows made one, their counts added."""
    if not len(counts):
        return values, totals, counts
    if values.shape[1] + totals.shape[1] == 0:
        return values[:1], totals[:1], np.array([counts.sum()], dtype=counts.dtype)
    if len(counts) > MAX_MERGED_ROWS:
        return values, totals, counts
    packed = _packed_rows(values, totals)
    _, first, inverse = np.unique(packed, axis=0 if packed.ndim == 2 else None, return_index=True,
                                  return_inverse=True)
    if len(first) == len(counts):
        return values, totals, counts  # nothing to merge: no copies
    merged = np.zeros(len(first), dtype=counts.dtype)
    np.add.at(merged, inverse.ravel(), counts)
    return values[first], totals[first], merged


def _packed_rows(values: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The rows of (values, totals) as one int64 each when their ranges allow (a sort of numbers, not of
    rows: millions of suffix rows merge in a fraction of the memory), else the rows themselves."""
    columns = [values[:, column] for column in range(values.shape[1])]
    columns += [totals[:, column] for column in range(totals.shape[1])]
    lows = [int(column.min()) for column in columns]
    spans = [int(column.max()) - low + 1 for column, low in zip(columns, lows)]
    if math.prod(spans) >= 2**62:
        return np.hstack([values.astype(np.int64), totals])
    packed = np.zeros(len(totals), dtype=np.int64)
    for column, low, span in zip(columns, lows, spans):
        packed *= span
        packed += column
        packed -= low
    return packed


def suffix_rows(suffix: list[int], allowed: list[np.ndarray], sum_weights: list[dict[int, np.ndarray]],
                inside: list, keep: set[int], variables, dtype):
    """The variables after the cut enumerated backwards, rules within them checked, equal rows merged.

    Returns (columns, values, totals, counts): the values of the variables in `keep` (read by rules
    across the cut), each sum's total over the suffix, and how many assignments give each row.
    """
    enumeration = _Enumeration(suffix, allowed, sum_weights, inside, keep, variables, dtype)
    (rows,) = enumeration.chunks(enumeration.start(), len(suffix) - 1, None)
    return rows


def suffix_chunks(suffix: list[int], allowed: list[np.ndarray], sum_weights: list[dict[int, np.ndarray]],
                  inside: list, keep: set[int], variables, most_rows: int):
    """`suffix_rows`' rows in chunks of at most `most_rows` rows, one chunk at a time, totals and counts as
    int32 when they surely fit (else int64).

    The first variables of the suffix are enumerated last: when adding one of them whole would pass
    `most_rows` candidate rows, its values are split into as few groups of about equal size as keep
    within it, and each group is enumerated on (split again further down if need be). A chunk passes
    `most_rows` only when the rows so far with one value do. Every row lands in exactly one chunk, so
    sums over the rows (the joins) add up over the chunks; each chunk's rows are merged within it.
    """
    enumeration = _Enumeration(suffix, allowed, sum_weights, inside, keep, variables, np.int64, narrow=True)
    yield from enumeration.chunks(enumeration.start(), len(suffix) - 1, most_rows)


class _Enumeration:
    """The backward enumeration of `suffix_rows`: which rules each step checks, which values it keeps."""

    def __init__(self, suffix, allowed, sum_weights, inside, keep, variables, dtype, narrow: bool = False):
        self.suffix, self.allowed, self.keep, self.variables = suffix, allowed, keep, variables
        position = {var: index for index, var in enumerate(suffix)}
        self.checked_at: dict[int, list] = {}
        self.first_use = dict(position)
        for factor in inside:
            done = min(position[var] for var in factor.scope)  # the last of its variables to be assigned, going back
            self.checked_at.setdefault(done, []).append(factor)
            for var in factor.scope:
                self.first_use[var] = min(self.first_use[var], done)
        sizes = [max(len(allowed[var]), 1) for var in suffix]
        # int32 where every total and count surely fits: tens of millions of rows in half the memory
        self.counts_dtype = np.int32 if narrow and dtype == np.int64 and math.prod(sizes) < 2**31 else dtype
        widest = max((sum(int(np.abs(weights[var][allowed[var]]).max(initial=0)) for var in suffix if var in weights)
                      for weights in sum_weights), default=0)
        totals_dtype = np.int32 if narrow and widest < 2**31 else np.int64
        self.totals_dtype = totals_dtype
        self.sum_weights = [{var: np.asarray(w).astype(totals_dtype) for var, w in weights.items()}
                            for weights in sum_weights]

    def start(self) -> tuple:
        """The one empty row: no value kept, every total 0, one assignment."""
        return ([], np.zeros((1, 0), np.int32), np.zeros((1, len(self.sum_weights)), self.totals_dtype),
                np.ones(1, dtype=self.counts_dtype))

    def chunks(self, rows: tuple, index: int, most_rows: int | None):
        """The rows once suffix[index], ..., suffix[0] are added to `rows`, in chunks (see `suffix_chunks`)."""
        while index >= 0:
            choices = self.allowed[self.suffix[index]]
            candidates = len(rows[3]) * len(choices)
            if most_rows is not None and candidates > most_rows and len(choices) > 1:
                widest = max(1, most_rows // len(rows[3]))  # values a group may have (at least one)
                for group in np.array_split(choices, -(-len(choices) // widest)):
                    yield from self.chunks(self.step(rows, index, group), index - 1, most_rows)
                return
            rows = self.step(rows, index, choices)
            index -= 1
        yield rows

    def step(self, rows: tuple, index: int, choices: np.ndarray) -> tuple:
        """`rows` with suffix[index] added, one of `choices` each: rules checked, unread values dropped, merged."""
        columns, values, totals, counts = rows
        var = self.suffix[index]
        parent = np.repeat(np.arange(len(counts), dtype=_index_type(len(counts) * len(choices))), len(choices))
        value = np.tile(choices.astype(np.int32), len(counts))
        candidates = columns + [var]
        rows = np.hstack([values[parent], value[:, None]])
        factors = self.checked_at.get(index, [])
        if factors:
            fits = np.ones(len(rows), dtype=bool)
            for factor in factors:
                fits &= _rows_allowed(rows, candidates, factor, self.variables)
            rows, parent, value = rows[fits], parent[fits], value[fits]
        sums = totals[parent]  # (a copy: fancy indexing)
        for column, weights in enumerate(self.sum_weights):
            if var in weights:
                sums[:, column] += weights[var][value]
        columns = [v for v in candidates if v in self.keep or self.first_use[v] < index]
        rows = rows[:, [candidates.index(v) for v in columns]]
        values, totals, counts = merged_rows(rows, sums, counts[parent])
        return columns, values, totals, counts


def _index_type(rows: int):
    """int32 row numbers where they fit (the parents of tens of millions of rows), else int64."""
    return np.int32 if rows < 2**31 else np.int64


def joined_count(state, frontier: list[int], suffix: tuple, across: list, plan, variables, dtype) -> int:
    """The states at the cut joined with the rest's rows (`suffix_rows`' answer), group by group.

    States are grouped by their frontier values and what each comparison still asks (`plan.cuts`,
    `plan.sum_column_of_atom` say of which sum, and how); completions by the values the rules across
    the cut read. A pair of groups those rules allow adds the `corners` of its box; the corners of
    every group meeting the same completions over the same sums are counted in one join.
    """
    columns, values, totals, counts = suffix
    groups, members_of = _grouped(np.hstack([state.values.astype(np.int64), state.pending.astype(np.int64)]))
    completions, chosen_of = _grouped(values.astype(np.int64))
    # corners of every group of states, gathered per (completion group, sums asked): one join each
    batches: dict[tuple, tuple[list, list]] = {}
    for row, members in zip(groups, members_of):
        sums, allowed = _asked_totals(row[len(frontier):], plan)
        queries, factors = corners(state.sums[members][:, list(sums)], state.counts[members], allowed)
        for completion, fixed in enumerate(completions):
            joined = np.concatenate([row[: len(frontier)], fixed])[None, :]
            if all(_rows_allowed(joined, frontier + columns, factor, variables)[0] for factor in across):
                batch = batches.setdefault((completion, sums), ([], []))
                batch[0].append(queries)
                batch[1].append(factors)
                if sum(len(part) for part in batch[0]) > MAX_CORNER_ROWS:
                    raise MeetTooLarge(said("more than %(most)s corners to join over %(totals)s totals",
                                            most=Number(MAX_CORNER_ROWS), totals=Number(len(sums))))
    total = 0
    for (completion, sums), (queries, factors) in batches.items():
        chosen = chosen_of[completion]
        total += counted(totals[chosen][:, list(sums)], counts[chosen], np.concatenate(queries),
                         np.concatenate(factors), dtype)
    return total


def _grouped(key: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct rows of `key` and, for each, the indexes of the rows equal to it."""
    if key.shape[1] == 0:
        return key[:1], [np.arange(len(key))]
    distinct, inverse = np.unique(key, axis=0, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.searchsorted(inverse.ravel()[order], np.arange(len(distinct) + 1))
    return distinct, [order[bounds[i]: bounds[i + 1]] for i in range(len(distinct))]


# ---------------------------------------------------------------- three ways: states, middle rows, suffix rows
# The rows of one half enumerated at most (each a vector of totals: about 60 bytes with its sort keys).
MAX_HALF_ROWS = 20_000_000
# Rows swept by the compiled join at most (suffix rows once per batch, queries once): minutes of CPU.
MAX_SWEPT_ROWS = 400_000_000
# Rows of the second half held at once (about: see `suffix_chunks`); each chunk's join passes every query
# again, so fewer, larger chunks are faster (numeric-heavy's 17,010,000 rows: two chunks).
MAX_CHUNK_ROWS = 10_000_000


def _asked_totals(pending_of_atom, plan) -> tuple[tuple[int, ...], list[list[tuple[int, int]]]]:
    """The sums a group of states still asks about (sorted) and, per sum, the totals its requirements allow."""
    asked: dict[int, list] = {}
    for column, pending in enumerate(pending_of_atom):
        if pending:
            kind, cut = plan.cuts[column]
            asked.setdefault(plan.sum_column_of_atom[column], []).append((kind, cut, pending == 1))
    sums = tuple(sorted(asked))
    return sums, [allowed_totals(asked[column]) for column in sums]


def state_corners(state, frontier: list[int], plan) -> list[tuple[np.ndarray, tuple[int, ...], np.ndarray, np.ndarray]]:
    """Per group of states (same frontier values, same requirements): (frontier values, sums asked,
    dominance queries, their signed factors), the `corners` of each state's box less its own totals."""
    groups, members_of = _grouped(np.hstack([state.values.astype(np.int64), state.pending.astype(np.int64)]))
    found = []
    for row, members in zip(groups, members_of):
        sums, allowed = _asked_totals(row[len(frontier):], plan)
        queries, factors = corners(state.sums[members][:, list(sums)], state.counts[members].astype(np.int64),
                                   allowed)
        if len(queries):
            found.append((row[: len(frontier)], sums, queries, factors))
    return found


def swept_rows(corner_count: int, middle_rows: int, suffix_rows_: int, batches: int = 1) -> int:
    """The rows `joined_in_three` sweeps for that many corners, middle rows and suffix rows (its budget):
    every query once, the suffix rows once per batch of queries asking the same sums."""
    return batches * suffix_rows_ + corner_count * middle_rows


def joined_in_three(groups: list, frontier: list[int], middle: tuple, suffix: tuple, across: list,
                    variables) -> int:
    """States (as `state_corners` groups), middle rows and suffix rows joined: the count of triples whose
    values the rules across allow and whose totals land in the state's box.

    A state's corner less a middle row's totals is one dominance query against the suffix rows' totals,
    counted by the compiled sweep of dominance.py, which makes those queries on its way (never all held at
    once). Counts must fit int64 (checked here; the caller checks the product of the domains).
    """
    from .dominance import CornerStreams, PreparedPoints, fits_int64, streamed_total

    middle_columns, middle_values, middle_totals, middle_counts = middle
    suffix_columns, suffix_values, suffix_totals, suffix_counts = suffix
    middle_keys, middle_of = _grouped(middle_values.astype(np.int64))
    middle_group = np.zeros(len(middle_counts), np.int64)
    for group, rows in enumerate(middle_of):
        middle_group[rows] = group
    suffix_keys, suffix_of = _grouped(suffix_values.astype(np.int64))
    columns = frontier + middle_columns + suffix_columns
    batches: dict[tuple, list] = {}
    for fixed, sums, queries, factors in groups:
        for m, middle_fixed in enumerate(middle_keys):
            for s, suffix_fixed in enumerate(suffix_keys):
                joined = np.concatenate([fixed, middle_fixed, suffix_fixed])[None, :]
                if all(_rows_allowed(joined, columns, factor, variables)[0] for factor in across):
                    batches.setdefault((sums, s), []).append((queries, factors, m))
    total = 0
    for (sums, s), parts in batches.items():
        corner_rows = np.concatenate([queries for queries, _, _ in parts])
        corner_weights = np.concatenate([factors for _, factors, _ in parts])
        corner_groups = np.concatenate([np.full(len(factors), m, np.int64) for _, factors, m in parts])
        offsets = middle_totals[:, list(sums)]
        chosen = suffix_of[s] if len(suffix_keys) > 1 else slice(None)  # (one group: no copy of every row)
        queries = np.array([_sum(np.abs(corner_weights)) * _sum(middle_counts)], dtype=object)
        if not fits_int64(suffix_counts[chosen], queries):
            raise MeetTooLarge(said("a join whose counts could pass 64-bit integers"))
        low = corner_rows.min(axis=0) - offsets.max(axis=0, initial=0)
        high = corner_rows.max(axis=0) - offsets.min(axis=0, initial=0)
        points = suffix_totals if isinstance(chosen, slice) else suffix_totals[chosen]
        prepared = PreparedPoints(points, suffix_counts[chosen], low, high, columns=list(sums))
        del points
        streams = CornerStreams(corner_rows, corner_weights.astype(np.int64), corner_groups, offsets,
                                middle_counts.astype(np.int64), middle_group)
        if prepared.swept_rows(len(streams)) > 2 * MAX_SWEPT_ROWS:  # (the split assumed one level)
            raise MeetTooLarge(said("a join of %(queries)s queries with %(rows)s rows in %(levels)s levels of blocks",
                                    queries=Number(len(streams)), rows=Number(len(prepared.weights)),
                                    levels=Number(prepared.levels)))
        total += streamed_total(prepared, streams)
        del prepared  # before the next batch's points are prepared
    return total


def _sum(values: np.ndarray) -> int:
    """An exact Python integer sum of non-negative counts (int64 when it cannot overflow)."""
    if len(values) and int(values.max()) * len(values) >= 2**63:
        return sum(int(value) for value in values)
    return int(values.sum(dtype=np.int64)) if len(values) else 0
