"""Weighted dominance sums, compiled: Σ_q w_q · Σ_{p <= q in every column} w_p, for millions of rows.

This is the inner join of meeting in the middle (meet_count.py): the points are
the enumerated rows of one half (their totals), the queries the corners of the
boxes the other half still allows, less that half's own totals. The divide and
conquer of `meet_count.dominated_weights` costs n log^(d-1) n numpy steps; here
one column is swept in order (points and queries sorted by it), two more are
kept in a Fenwick tree over their ranks (a table of at most `FENWICK_CELLS`
cells), and one more, when there is one, is cut into dyadic blocks of ranks
(each query's prefix of ranks is at most one block per level, so every level is
one more sweep). Sums of numeric rules have this shape: a few wide totals
(prices in cents, weights in grams) and narrow ones (litres, watts) whose ranks
fit a table.

The loops are compiled with numba (imported on first use only: the shop never
counts, and numba costs a second to import and seconds to compile, cached on
disk). Integers are int64: callers check that no sum can pass 2**63
(`fits_int64`).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from .problems import Number, said

# The Fenwick table of two columns' ranks, at most (8 bytes a cell: 256 MiB).
FENWICK_CELLS = 1 << 25
# Query and point rows per sweep at most: the rest waits for the next batch (memory, 40 bytes a row).
BATCH_ROWS = 6_000_000


class TooManyColumns(Exception):
    """More columns than one sweep, a two-column table and one column of blocks can take."""


def fits_int64(point_weights: np.ndarray, query_weights: np.ndarray) -> bool:
    """Whether Σ|w_q| · Σ|w_p| stays below 2**62 (so every partial sum of the kernel fits int64)."""
    return _absolute_sum(point_weights) * _absolute_sum(query_weights) < 2**62


def _absolute_sum(weights: np.ndarray) -> int:
    """Σ|w| as a Python integer (in int64 when the largest times the count fits, not as objects)."""
    if not len(weights):
        return 0
    largest = max(abs(int(weights.max())), abs(int(weights.min())))
    if largest * len(weights) < 2**63 and weights.dtype != object:
        return int(np.abs(weights).sum(dtype=np.int64))
    return sum(abs(int(weight)) for weight in weights)


def dominance_total(points: np.ndarray, point_weights: np.ndarray, queries: np.ndarray,
                    query_weights: np.ndarray) -> int:
    """Σ over queries q of query_weights[q] times the weight of the points p with p <= q in every column.

    Rows are int64; weights int64 with `fits_int64`. At most four columns (`TooManyColumns`).
    """
    if not len(queries):
        return 0
    prepared = PreparedPoints(points, point_weights, queries.min(axis=0), queries.max(axis=0))
    return prepared.total(queries, query_weights)


class PreparedPoints:
    """Points ranked, trimmed and planned once, for queries that come in several batches.

    `low` and `high`: the least and largest query value of each column, over every batch to come. Every
    column is kept as ranks among the points' values (int32): a query's value becomes the rank of the
    largest point value not above it, so comparisons keep their answers in a quarter of the memory.
    """

    def __init__(self, points: np.ndarray, weights: np.ndarray, low: np.ndarray, high: np.ndarray,
                 columns: list[int] | None = None):
        # `columns`: which columns of `points` to compare (by default all): read in place, not copied out
        columns = list(range(points.shape[1])) if columns is None else list(columns)
        self.columns = len(columns)
        self.by_key = True  # the points in order of the swept column (`streamed_total` reorders them)
        keep = np.ones(len(points), dtype=bool)
        for index, column in enumerate(columns):
            keep &= points[:, column] <= high[index]  # above every query: never counted
        everything = bool(keep.all())
        self.weights = weights if everything else weights[keep]
        self.empty = not len(self.weights)
        if self.empty or self.columns == 0:
            return
        self.values, ranks = [], []
        for index, column in enumerate(columns):
            # below every query in that column: equal for every comparison, and fewer ranks
            kept = _clipped_below(points[:, column] if everything else points[keep, column], int(low[index]))
            values = np.unique(kept)  # (with return_inverse, numpy holds three more copies at once)
            ranks.append(np.searchsorted(values, kept).astype(np.int32))
            self.values.append(values.astype(np.int64))  # (one dtype for the compiled sweeps)
            del kept
        del keep
        plan = plan_columns([len(values) for values in self.values])
        if plan is None:
            raise TooManyColumns(said("%(totals)s totals to compare at once", totals=Number(self.columns)))
        self.sweep, self.table_columns, self.blocked = plan
        # every array in the order of the swept column, once (the sweeps then take them as they are);
        # the ranks are reordered in place, one at a time: one temporary copy, not a second set
        order = np.argsort(ranks[self.sweep], kind="stable")
        self.weights = self.weights[order]  # (a new array: the caller's weights stay as they are)
        for column in ranks:  # (every column is swept, in the table or blocked)
            _permute(column, order)
        del order
        self.keys = ranks[self.sweep]
        self.ranks = [ranks[column] for column in self.table_columns]
        while len(self.ranks) < 2:  # a column every row shares: rank 0 everywhere
            self.ranks.append(np.zeros(len(self.keys), np.int32))
        self.sizes = [len(self.values[column]) for column in self.table_columns] + [1] * (2 - len(self.table_columns))
        self.block_ranks = ranks[self.blocked] if self.blocked is not None else None

    @property
    def levels(self) -> int:
        """The sweeps over every point: one, or one per level of blocks of the blocked column."""
        if self.empty or self.columns == 0 or self.blocked is None:
            return 1
        return len(self.values[self.blocked]).bit_length()

    def table_type(self):
        """The Fenwick table's integers: int32 when the points' weights add up below 2**31 (every cell is a
        sum of some of them; numeric-heavy's 27,893 x 688 cells take 77 MiB instead of 154), else int64."""
        return np.int32 if _absolute_sum(self.weights) < 2**31 else np.int64

    def swept_rows(self, queries: int) -> int:
        """The rows the sweeps pass for that many queries (each query in at most every level)."""
        return self.levels * (len(self.weights) + queries)

    def total(self, queries: np.ndarray, weights: np.ndarray) -> int:
        """Σ weights[q] · (weight of the points <= queries[q] in every column), for one batch."""
        if self.empty or not len(queries):
            return 0
        if not self.by_key:
            raise ValueError("points reordered by streamed_total: prepare them again")
        if self.columns == 0:
            return int(self.weights.sum()) * int(weights.sum())
        total = 0
        for start in range(0, len(queries), BATCH_ROWS):
            total += self._batch(queries[start: start + BATCH_ROWS], weights[start: start + BATCH_ROWS])
        return total

    def _rank(self, queries: np.ndarray, column: int) -> np.ndarray:
        return (np.searchsorted(self.values[column], queries[:, column], side="right") - 1).astype(np.int32)

    def _batch(self, queries: np.ndarray, weights: np.ndarray) -> int:
        ranks = [self._rank(queries, column) for column in self.table_columns]
        while len(ranks) < 2:
            ranks.append(np.zeros(len(queries), np.int32))
        keys = self._rank(queries, self.sweep)
        if self.blocked is None:
            nothing = np.zeros(len(queries), np.int32)
            return self._swept(np.zeros(len(self.keys), np.int32), keys, ranks, weights, nothing)
        block_ranks = self._rank(queries, self.blocked)
        total = 0
        for level in range(len(self.values[self.blocked]).bit_length()):
            # the prefix 0..r of ranks is, per set bit `level` of r + 1, the block (r + 1 >> level) - 1
            above = (block_ranks + 1) >> level
            asked = (above & 1) == 1
            total += self._swept(self.block_ranks >> level, keys[asked], [r[asked] for r in ranks],
                                 weights[asked], above[asked] - 1)
        return total

    def _swept(self, point_blocks, keys, ranks, weights, blocks) -> int:
        """One compiled sweep over every block (see `_kernels`)."""
        point_order = np.argsort(point_blocks, kind="stable")  # (stable: by key within each block)
        order = np.lexsort((keys, blocks))
        first, second = self.sizes
        table = np.zeros((first + 1) * (second + 1), self.table_type())
        return int(_kernels()[0](
            point_blocks[point_order], self.keys[point_order], self.ranks[0][point_order],
            self.ranks[1][point_order], self.weights[point_order],
            blocks[order], keys[order], ranks[0][order], ranks[1][order], weights[order], table, second + 1))


def _clipped_below(values: np.ndarray, low: int) -> np.ndarray:
    """max(values, low), in the values' own integer type when `low` fits it (int32 totals: no int64 copy)."""
    info = np.iinfo(values.dtype)
    if low <= info.min:
        return values
    if low > info.max:
        values = values.astype(np.int64)
    return np.maximum(values, low)


def _permute(array: np.ndarray, order: np.ndarray) -> None:
    """`array` put, in place, in that order (one temporary copy of it)."""
    array[:] = array[order]


class CornerStreams:
    """Queries made of corners less offsets (a corner row minus each row of its group of offsets), never
    all held at once: the compiled sweep walks, per corner, its offsets in order of the swept column.

    `corners` (n × d), `corner_weights`, `corner_groups` (which group of offsets each corner takes);
    `offsets` (m × d), `offset_weights`, `offset_groups` (the group of each offset row). A query's
    weight is its corner's times its offset's.
    """

    def __init__(self, corners, corner_weights, corner_groups, offsets, offset_weights, offset_groups):
        self.corners, self.corner_weights, self.corner_groups = corners, corner_weights, corner_groups
        self.offsets, self.offset_weights, self.offset_groups = offsets, offset_weights, offset_groups

    def __len__(self) -> int:
        sizes = np.bincount(self.offset_groups, minlength=int(self.corner_groups.max(initial=0)) + 1)
        return int(sizes[self.corner_groups].sum())


def streamed_total(prepared: PreparedPoints, streams: CornerStreams) -> int:
    """`prepared.total` of every query of `streams`, in one sweep per level of blocks."""
    if prepared.empty or not len(streams.corners):
        return 0
    if prepared.columns == 0:
        return int(prepared.weights.sum()) * _weight_of_all(streams)
    sweep, blocked = prepared.sweep, prepared.blocked
    # offsets in runs: by group, then by the blocked column, each run by the swept column falling (so its
    # queries' swept values rise)
    keys = [-streams.offsets[:, sweep]]
    if blocked is not None:
        keys.append(streams.offsets[:, blocked])
    keys.append(streams.offset_groups)
    order = np.lexsort(keys)
    offsets, weights = streams.offsets[order], streams.offset_weights[order]
    groups = streams.offset_groups[order]
    run_key = groups.astype(np.int64) if blocked is None else np.column_stack([groups, offsets[:, blocked]])
    change = np.ones(len(offsets), dtype=bool)
    if len(offsets) > 1:
        change[1:] = (run_key[1:] != run_key[:-1]) if run_key.ndim == 1 else (run_key[1:] != run_key[:-1]).any(axis=1)
    run_starts = np.flatnonzero(change)
    run_ends = np.append(run_starts[1:], len(offsets))
    run_groups = groups[run_starts]
    # every (corner, run of its group) is one stream
    by_group = np.argsort(run_groups, kind="stable")
    count = max(int(groups.max(initial=0)), int(streams.corner_groups.max(initial=0))) + 2
    group_first = np.searchsorted(run_groups[by_group], np.arange(count))
    per_corner = group_first[streams.corner_groups + 1] - group_first[streams.corner_groups]
    stream_corner = np.repeat(np.arange(len(streams.corners)), per_corner)
    within = np.arange(len(stream_corner)) - np.repeat(np.cumsum(per_corner) - per_corner, per_corner)
    stream_run = by_group[group_first[streams.corner_groups[stream_corner]] + within]
    first, second = (prepared.table_columns + [-1, -1])[:2]
    tables = [prepared.values[c] if c >= 0 else np.zeros(1, np.int64) for c in (first, second)]
    kernel = _kernels()[1]
    width = prepared.sizes[1] + 1
    table = np.zeros((prepared.sizes[0] + 1) * width, prepared.table_type())
    corners = np.ascontiguousarray(streams.corners)
    corner_weights = streams.corner_weights.astype(np.int64)
    if blocked is None:
        level_blocks = [(None, np.zeros(len(stream_corner), np.int64), np.ones(len(stream_corner), dtype=bool))]
    else:
        # a stream's blocked value is fixed (one run, one offset value): its rank among the points' values
        fixed = corners[stream_corner, blocked] - offsets[run_starts[stream_run], blocked]
        ranks = np.searchsorted(prepared.values[blocked], fixed, side="right") - 1
        level_blocks = []
        for level in range(len(prepared.values[blocked]).bit_length()):
            above = (ranks + 1) >> level
            level_blocks.append((level, above - 1, (above & 1) == 1))
    total = 0
    for level, stream_blocks, asked in reversed(level_blocks):
        chosen = np.flatnonzero(asked)
        chosen = chosen[np.argsort(stream_blocks[chosen], kind="stable")]
        if level is None:  # one block: the points as prepared
            point_blocks = np.zeros(len(prepared.keys), np.int32)
        else:
            # from the widest blocks down, the points reordered in place: each level's blocks split the
            # previous level's in two, so a stable sort by the new blocks keeps them in key order within
            # each (one temporary copy at a time, not a second set of the points per level)
            point_blocks = prepared.block_ranks >> level
            order = np.argsort(point_blocks, kind="stable")
            for array in (point_blocks, prepared.keys, *prepared.ranks, prepared.weights, prepared.block_ranks):
                _permute(array, order)
            del order
            prepared.by_key = False
        points = (point_blocks, prepared.keys, prepared.ranks[0], prepared.ranks[1], prepared.weights)
        total += int(kernel(
            *points, prepared.values[sweep],
            stream_blocks[chosen], stream_corner[chosen], run_starts[stream_run[chosen]],
            run_ends[stream_run[chosen]], corners, corner_weights, np.ascontiguousarray(offsets), weights,
            sweep, first, second, tables[0], tables[1], table, width))
        del points, point_blocks
    return total


def _weight_of_all(streams: CornerStreams) -> int:
    """Σ over queries of their weights (for points with no column: every point under every query)."""
    total = 0
    for group in np.unique(streams.corner_groups):
        offsets = int(streams.offset_weights[streams.offset_groups == group].astype(object).sum())
        total += offsets * int(streams.corner_weights[streams.corner_groups == group].astype(object).sum())
    return total


def plan_columns(distinct: list[int]) -> tuple[int, list[int], int | None] | None:
    """(swept column, Fenwick columns, blocked column or None) for columns with that many different
    values; None past four columns.

    The column with the most different values is swept (it needs no table); two more share the Fenwick
    table when it fits; a fourth, or one that does not fit, is blocked (one sweep per level of blocks).
    Among those choices, the one with the fewest estimated steps per row.
    """
    columns = len(distinct)
    ranked = sorted(range(columns), key=lambda column: distinct[column])
    sweep = ranked[-1]
    rest = ranked[:-1]
    if len(rest) > 3:
        return None
    options = []
    for blocked in [None, *rest]:
        table = [column for column in rest if column != blocked]
        if len(table) > 2 or math.prod(distinct[column] for column in table) > FENWICK_CELLS:
            continue
        cells = math.prod(distinct[column] for column in table)
        touches = math.prod(max(1, distinct[column].bit_length()) for column in table)
        # a table past the caches misses on some touches: numeric-heavy's small-box join took 28 s CPU with
        # its volume blocked (7 levels, a 27,893 x 688 table) and 40 s with its weight blocked (15 levels, a
        # 67 x 688 table), which this weight of 1.3 per touch past 2**20 cells reproduces
        slow = 1.3 if cells > 1 << 20 else 1
        levels = 1 if blocked is None else distinct[blocked].bit_length()
        options.append((levels * (touches * slow + 60), blocked, table))  # 60: the sorts of each level
    if not options:
        return None
    _, blocked, table = min(options, key=lambda option: option[0])
    return sweep, table, blocked


@cache
def _kernels():
    """The compiled sweep (numba imported here, on the first count that needs it)."""
    import numba

    @numba.njit(inline="always")
    def fenwick_add(table, width, first, second, weight):
        """Adds `weight` at (first, second) of the 2-D Fenwick tree kept in `table`, rows of `width`."""
        rows = len(table) // width
        i = first + 1
        while i < rows:
            j = second + 1
            while j < width:
                table[i * width + j] += weight
                j += j & -j
            i += i & -i

    @numba.njit(inline="always")
    def fenwick_prefix(table, width, first, second):
        """The weight held at or below (first, second) in both ranks."""
        found = 0
        i = first + 1
        while i > 0:
            j = second + 1
            while j > 0:
                found += table[i * width + j]
                j -= j & -j
            i -= i & -i
        return found

    @numba.njit(cache=True, nogil=True)
    def sweep(p_block, p_key, p_first, p_second, p_weight, q_block, q_key, q_first, q_second, q_weight,
              table, width):
        """Σ q_weight · (weight of the points of the same block with key <= the query's and both ranks <=).

        Points and queries come sorted by (block, key); the table (a 2-D Fenwick tree, rows of `width`)
        is empty on entry and emptied again at each block's end.
        """
        total = 0
        n_points, n_queries = len(p_key), len(q_key)
        point, query = 0, 0
        while query < n_queries:
            block = q_block[query]
            while point < n_points and p_block[point] < block:
                point += 1
            inserted = point
            while query < n_queries and q_block[query] == block:
                while point < n_points and p_block[point] == block and p_key[point] <= q_key[query]:
                    fenwick_add(table, width, p_first[point], p_second[point], p_weight[point])
                    point += 1
                if q_first[query] >= 0 and q_second[query] >= 0:
                    total += q_weight[query] * fenwick_prefix(table, width, q_first[query], q_second[query])
                query += 1
            for undo in range(inserted, point):  # empty the table for the next block
                fenwick_add(table, width, p_first[undo], p_second[undo], -p_weight[undo])
        return total

    @numba.njit(inline="always")
    def rank(values, value):
        """The index of the largest of the sorted values not above `value` (-1: none)."""
        low, high = 0, len(values)
        while low < high:
            middle = (low + high) // 2
            if values[middle] <= value:
                low = middle + 1
            else:
                high = middle
        return low - 1

    @numba.njit(cache=True, nogil=True)
    def streamed(p_block, p_key, p_first, p_second, p_weight, sweep_values, s_block, s_corner, s_start, s_end,
                 corners, corner_weights, offsets, offset_weights, sweep, first, second, first_values,
                 second_values, table, width):
        """`sweep` for queries corner - offset made on the way: per block, the streams (a corner and a run
        of offsets whose swept values fall) are merged by a binary heap on the query's swept value."""
        total = 0
        n_points, n_streams = len(p_key), len(s_block)
        heap_key = np.empty(n_streams, np.int64)
        heap_stream = np.empty(n_streams, np.int64)
        position = s_start.copy()
        point, stream = 0, 0
        while stream < n_streams:
            block = s_block[stream]
            size = 0
            while stream < n_streams and s_block[stream] == block:
                if position[stream] < s_end[stream]:  # push
                    key = corners[s_corner[stream], sweep] - offsets[position[stream], sweep]
                    child = size
                    size += 1
                    while child > 0 and heap_key[(child - 1) // 2] > key:
                        heap_key[child], heap_stream[child] = heap_key[(child - 1) // 2], heap_stream[(child - 1) // 2]
                        child = (child - 1) // 2
                    heap_key[child], heap_stream[child] = key, stream
                stream += 1
            while point < n_points and p_block[point] < block:
                point += 1
            inserted = point
            while size > 0:
                key, current = heap_key[0], heap_stream[0]
                while point < n_points and p_block[point] == block and sweep_values[p_key[point]] <= key:
                    fenwick_add(table, width, p_first[point], p_second[point], p_weight[point])
                    point += 1
                corner, row = s_corner[current], position[current]
                i = 0 if first < 0 else rank(first_values, corners[corner, first] - offsets[row, first])
                j0 = 0 if second < 0 else rank(second_values, corners[corner, second] - offsets[row, second])
                if i >= 0 and j0 >= 0:
                    total += corner_weights[corner] * offset_weights[row] * fenwick_prefix(table, width, i, j0)
                position[current] = row + 1
                # replace the top by this stream's next query, or by the last item, and sift it down
                if row + 1 < s_end[current]:
                    key = corners[corner, sweep] - offsets[row + 1, sweep]
                else:
                    size -= 1
                    key, current = heap_key[size], heap_stream[size]
                parent = 0
                while True:
                    child = 2 * parent + 1
                    if child >= size:
                        break
                    if child + 1 < size and heap_key[child + 1] < heap_key[child]:
                        child += 1
                    if heap_key[child] >= key:
                        break
                    heap_key[parent], heap_stream[parent] = heap_key[child], heap_stream[child]
                    parent = child
                if size > 0:
                    heap_key[parent], heap_stream[parent] = key, current
            for undo in range(inserted, point):  # empty the table for the next block
                fenwick_add(table, width, p_first[undo], p_second[undo], -p_weight[undo])
        return total

    return sweep, streamed
