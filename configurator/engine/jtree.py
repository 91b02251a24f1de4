"""Exact reasoning over a tree decomposition of the compiled problem.

The constraint graph of a product line has small treewidth (10 and 12 on the
Renault catalogs), so it is split into a tree of *bags* of variables (networkx
computes the decomposition). Each bag holds, as a numpy array, every tuple of
its variables that satisfies all the factors lying inside it. On such a tree:

- one upward and one downward semi-join pass leave exactly the tuples that
  belong to some complete valid configuration: reading a variable's values off
  any bag that holds it gives its *exact* valid domain (no dead ends);
- the same passes with sums of products count the configurations exactly;
- with minimum of sums they find the cheapest completion (and, with other
  costs, the smallest repair).

A pick only adds a unary restriction to one bag, so each query is a handful of
vectorised numpy operations per bag, with no search.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .compile import CompiledProblem
from .problems import Number, said

if TYPE_CHECKING:  # networkx costs ~0.1 s to import; only compiling needs it
    import networkx as nx

INFINITE = np.int64(2**60)
# A bag whose join would hold more tuples than this is refused (TreeTooLarge);
# the catalog is then compiled into reachable-state layers instead (layered.py).
MAX_BAG_TUPLES = 3_000_000
# Above this many variables min-fill-in gets slow; min-degree is nearly as good.
MIN_FILL_LIMIT = 3000


@dataclass
class Bag:
    """A cluster of the tree: its variables and its allowed tuples."""

    variables: tuple[int, ...]
    rows: np.ndarray  # (n, len(variables)) int32

    def column(self, var: int) -> np.ndarray:
        return self.rows[:, self.variables.index(var)]


@dataclass
class Edge:
    """The link from a child bag to its parent, over their shared variables.

    Tuples of both bags are numbered by their values on the shared variables
    (`child_ids`, `parent_ids`, both in 0..size-1), so passing a message is
    indexing an array of that size.
    """

    child: int
    parent: int
    child_ids: np.ndarray
    parent_ids: np.ndarray
    size: int
    child_order: np.ndarray  # child tuples sorted by id
    child_bounds: np.ndarray  # child_order[bounds[s]:bounds[s+1]] have id s


# Keys numbered through a table of every possible key, rather than sorted, while there are at most this
# many more possible keys than 8 per row (`_compact_keys`).
DENSE_KEYS = 2**20


class TreeTooLarge(Exception):
    """Some bag of the decomposition would hold too many tuples."""


class JunctionTree:
    """The compiled solution space of a catalog, ready for queries."""

    def __init__(self, problem: CompiledProblem, weighted: bool = False):
        """Decompose and fill the bags; `weighted` picks the domain-size-aware decomposition."""
        self.problem = problem
        self.sizes = [variable.size for variable in problem.variables]
        graph = self._primal_graph()
        bag_sets, tree = _decompose(graph, self.sizes if weighted else None)
        self.bags = self._fill_bags(bag_sets)
        self.parent, self.preorder = _root(tree, len(self.bags), self.bags)
        self.roots = [b for b in self.preorder if self.parent[b] is None]
        self._prune_globally()
        self.home = self._home_bags()
        self.edges = {child: self._edge(child) for child in self.preorder if self.parent[child] is not None}
        self.width = max((len(bag.variables) for bag in self.bags), default=0) - 1

    # ------------------------------------------------------------ building
    def _primal_graph(self) -> nx.Graph:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.sizes)))
        for factor in self.problem.factors:
            scope = factor.scope
            graph.add_edges_from((scope[i], scope[j]) for i in range(len(scope)) for j in range(i + 1, len(scope)))
        return graph

    def _fill_bags(self, bag_sets: list[frozenset[int]]) -> list[Bag]:
        """Each bag's tuples: the join of every factor whose scope lies inside it."""
        bags_of_var: dict[int, list[int]] = {}
        for index, members in enumerate(bag_sets):
            for var in members:
                bags_of_var.setdefault(var, []).append(index)
        inside: list[list] = [[] for _ in bag_sets]
        for factor in self.problem.factors:
            if not factor.scope:
                continue
            for index in bags_of_var[factor.scope[0]]:
                if bag_sets[index].issuperset(factor.scope):
                    inside[index].append(factor)
        # Factors with an empty scope are constants: one that allows nothing
        # empties the catalog.
        empty = any(not f.scope and len(f.rows) == 0 for f in self.problem.factors)
        bags = []
        for members, factors in zip(bag_sets, inside):
            variables = tuple(sorted(members))
            rows = _join_all(factors, variables, self.sizes)
            if empty:
                rows = rows[:0]
            bags.append(Bag(variables, rows))
        return bags

    def _prune_globally(self) -> None:
        """Drop, once and for all, tuples no valid configuration uses (for any customer)."""
        self.edges = {child: self._edge(child) for child in self.preorder if self.parent[child] is not None}
        alive = self._propagate({}, visit_all=True)
        for bag, mask in zip(self.bags, alive):
            bag.rows = np.ascontiguousarray(bag.rows[mask])

    def _home_bags(self) -> list[tuple[int, int]]:
        """For each variable, the smallest bag holding it and its column there."""
        home: list[tuple[int, int] | None] = [None] * len(self.sizes)
        for index, bag in enumerate(self.bags):
            for column, var in enumerate(bag.variables):
                current = home[var]
                if current is None or len(self.bags[current[0]].rows) > len(bag.rows):
                    home[var] = (index, column)
        return home

    def _edge(self, child: int) -> Edge:
        parent = self.parent[child]
        shared = [v for v in self.bags[child].variables if v in self.bags[parent].variables]
        child_rows = self.bags[child].rows
        parent_rows = self.bags[parent].rows
        both = np.concatenate(
            [
                child_rows[:, [self.bags[child].variables.index(v) for v in shared]],
                parent_rows[:, [self.bags[parent].variables.index(v) for v in shared]],
            ]
        )
        ids, size = _compact_keys(both, [self.sizes[v] for v in shared])
        child_ids = ids[: len(child_rows)]
        order = np.argsort(child_ids, kind="stable")
        bounds = np.searchsorted(child_ids[order], np.arange(size + 1))
        return Edge(child, parent, child_ids, ids[len(child_rows):], size, order, bounds)

    # ------------------------------------------------------------ queries
    def _evidence_masks(self, evidence: dict[int, object]) -> list[np.ndarray]:
        alive = [np.ones(len(bag.rows), dtype=bool) for bag in self.bags]
        for var, allowed in evidence.items():
            index = self.home[var][0]
            alive[index] &= self._allowed_rows(var, allowed)
        return alive

    def _sparse_evidence_masks(self, evidence: dict[int, object]) -> list[np.ndarray | None]:
        """As `_evidence_masks`, with None for the bags no evidence restricts."""
        alive: list[np.ndarray | None] = [None] * len(self.bags)
        for var, allowed in evidence.items():
            index = self.home[var][0]
            rows = self._allowed_rows(var, allowed)
            alive[index] = rows if alive[index] is None else alive[index] & rows
        return alive

    def _allowed_rows(self, var: int, allowed: object) -> np.ndarray:
        """Which tuples of the variable's home bag give it an allowed value (one value, or a set)."""
        index, column = self.home[var]
        values = self.bags[index].rows[:, column]
        if isinstance(allowed, (set, frozenset, list, tuple)):
            return np.isin(values, list(allowed))
        return values == allowed

    def _propagate(self, evidence: dict[int, object], visit_all: bool = False) -> list[np.ndarray]:
        """Alive tuples per bag after both semi-join passes: exactly those of valid configurations.

        Once the relations are globally consistent (after `_prune_globally`), a
        bag no evidence reached needs no upward message; before that, every bag
        must be visited (`visit_all`).
        """
        alive = self._evidence_masks(evidence)
        touched = [visit_all] * len(self.bags)
        for var in evidence:
            touched[self.home[var][0]] = True
        for child in reversed(self.preorder):
            edge = self.edges.get(child)
            if edge is None or not touched[child]:
                continue
            message = np.zeros(edge.size, dtype=bool)
            message[edge.child_ids[alive[child]]] = True
            alive[edge.parent] &= message[edge.parent_ids]
            touched[edge.parent] = True
        for child in self.preorder:
            edge = self.edges.get(child)
            if edge is None or not touched[edge.parent]:
                continue
            message = np.zeros(edge.size, dtype=bool)
            message[edge.parent_ids[alive[edge.parent]]] = True
            alive[child] &= message[edge.child_ids]
            touched[child] = True
        return alive

    def satisfiable(self, evidence: dict[int, object]) -> bool:
        """True when some valid configuration meets the evidence."""
        return self.consistent(self._propagate(evidence))

    def consistent(self, alive: list[np.ndarray]) -> bool:
        """True when every independent part of the catalog still has a solution."""
        return all(alive[root].any() for root in self.roots) and all(len(b.rows) for b in self.bags)

    def domains(self, evidence: dict[int, object]) -> tuple[bool, list[np.ndarray]]:
        """(consistent, for each variable a boolean array over its values: possible or not)."""
        alive = self._propagate(evidence)
        if not self.consistent(alive):
            return False, [np.zeros(size, dtype=bool) for size in self.sizes]
        possible = []
        for var, (index, column) in enumerate(self.home):
            present = np.zeros(self.sizes[var], dtype=bool)
            present[self.bags[index].rows[alive[index], column]] = True
            possible.append(present)
        return True, possible

    def domains_leaving_out(
        self, evidence: dict[int, object], leave_out: list[int]
    ) -> tuple[bool, list[np.ndarray], dict[int, np.ndarray]]:
        """`domains(evidence)`, plus for each variable of `leave_out` its domain without its own evidence.

        One pass for all of them: a bag's tuples are filtered by its own
        evidence and by one message from each neighbour, and every message
        sums up only the evidence on *its* side of the tree (it never echoes
        back what the receiving bag sent). So dropping one variable's pin in
        its home bag, and keeping every incoming message, gives exactly the
        domain `domains()` would give with that pin left out.
        """
        own = self._evidence_masks(evidence)
        incoming = self._incoming_messages(evidence, own)
        alive = [mask & agreed for mask, agreed in zip(own, incoming)]
        if not self.consistent(alive):
            empty = [np.zeros(size, dtype=bool) for size in self.sizes]
            return False, empty, {var: np.zeros(self.sizes[var], dtype=bool) for var in leave_out}
        possible = [self._values_alive(var, alive) for var in range(len(self.sizes))]
        without: dict[int, np.ndarray] = {}
        for var in leave_out:
            index = self.home[var][0]
            mask = incoming[index].copy()
            for other, allowed in evidence.items():
                if other != var and self.home[other][0] == index:
                    mask &= self._allowed_rows(other, allowed)
            without[var] = self._values_alive(var, {index: mask})
        return True, possible, without

    def _values_alive(self, var: int, alive) -> np.ndarray:
        """Which values of `var` its home bag's alive tuples hold (`alive` indexed by bag)."""
        index, column = self.home[var]
        present = np.zeros(self.sizes[var], dtype=bool)
        present[self.bags[index].rows[alive[index], column]] = True
        return present

    def _incoming_messages(self, evidence: dict[int, object], own: list[np.ndarray]) -> list[np.ndarray]:
        """Per bag, which tuples agree with the evidence everywhere else in the tree.

        Upward, each bag counts per tuple how many of its children's messages
        reject it; the message down to one child then leaves that child's own
        rejections out of the count. Parts of the tree without evidence send
        nothing: after `_prune_globally` their message would reject nothing.
        """
        count = len(self.bags)
        touched = [False] * count
        for var in evidence:
            touched[self.home[var][0]] = True
        rejections: list[np.ndarray | None] = [None] * count
        rejected_by: dict[int, np.ndarray] = {}  # child -> parent tuples its message rejects
        for child in reversed(self.preorder):
            edge = self.edges.get(child)
            if edge is None or not touched[child]:
                continue
            mask = own[child] if rejections[child] is None else own[child] & (rejections[child] == 0)
            message = np.zeros(edge.size, dtype=bool)
            message[edge.child_ids[mask]] = True
            rejected = ~message[edge.parent_ids]
            rejected_by[child] = rejected
            parent = edge.parent
            so_far = rejections[parent]
            rejections[parent] = rejected.astype(np.int32) if so_far is None else so_far + rejected
            touched[parent] = True
        from_parent: list[np.ndarray | None] = [None] * count
        for child in self.preorder:
            edge = self.edges.get(child)
            if edge is None or not touched[edge.parent]:
                continue
            parent = edge.parent
            mask = own[parent] if from_parent[parent] is None else own[parent] & from_parent[parent]
            if rejections[parent] is not None:
                others = rejections[parent] - rejected_by[child] if child in rejected_by else rejections[parent]
                mask = mask & (others == 0)
            message = np.zeros(edge.size, dtype=bool)
            message[edge.parent_ids[mask]] = True
            from_parent[child] = message[edge.child_ids]
            touched[child] = True
        incoming = []
        for index, bag in enumerate(self.bags):
            agreed = np.ones(len(bag.rows), dtype=bool) if from_parent[index] is None else from_parent[index]
            if rejections[index] is not None:
                agreed = agreed & (rejections[index] == 0)
            incoming.append(agreed)
        return incoming

    def count(self, evidence: dict[int, object]) -> int:
        """The exact number of complete valid configurations under the evidence."""
        alive = self._propagate(evidence)
        if not self.consistent(alive):
            return 0
        weights = [mask.astype(object) for mask in alive]
        for child in reversed(self.preorder):
            edge = self.edges.get(child)
            if edge is None:
                continue
            message = self._sum_by_id(edge, weights[child])
            weights[edge.parent] = weights[edge.parent] * message[edge.parent_ids]
        return math.prod(int(weights[root].sum()) for root in self.roots)

    @staticmethod
    def _sum_by_id(edge: Edge, weights: np.ndarray) -> np.ndarray:
        message = np.zeros(edge.size, dtype=object)
        present = edge.child_bounds[1:] > edge.child_bounds[:-1]
        starts = edge.child_bounds[:-1][present]
        if len(starts):
            message[present] = np.add.reduceat(weights[edge.child_order], starts)
        return message

    def cheapest(self, evidence: dict[int, object], costs: dict[int, np.ndarray]) -> list[int] | None:
        """A value per variable of a valid configuration of least total cost, or None.

        `costs` gives, per variable, an int64 cost for each of its values.
        """
        alive = self._propagate(evidence)
        if not self.consistent(alive):
            return None
        total = [self._own_cost(index, costs, alive[index]) for index in range(len(self.bags))]
        for child in reversed(self.preorder):
            edge = self.edges.get(child)
            if edge is None:
                continue
            message = np.full(edge.size, INFINITE, dtype=np.int64)
            np.minimum.at(message, edge.child_ids, total[child])
            total[edge.parent] = np.minimum(total[edge.parent] + message[edge.parent_ids], INFINITE)
        chosen: dict[int, int] = {}
        for bag in self.preorder:
            edge = self.edges.get(bag)
            if edge is None:
                chosen[bag] = int(np.argmin(total[bag]))
                continue
            wanted = edge.parent_ids[chosen[edge.parent]]
            group = edge.child_order[edge.child_bounds[wanted]:edge.child_bounds[wanted + 1]]
            chosen[bag] = int(group[np.argmin(total[bag][group])])
        return [int(self.bags[index].rows[chosen[index], column]) for index, column in self.home]

    def max_marginals(
        self,
        evidence: dict[int, object],
        gain: list[np.ndarray],
        variables: list[int],
        leave_out: list[int] = (),
        cache: UpwardCache | None = None,
    ) -> tuple[float, dict[int, np.ndarray], dict[int, np.ndarray]]:
        """The largest total gain of a valid configuration, overall and per value of each of `variables`.

        `gain` holds, per bag, the gain of each tuple (`own_gain`). -inf where
        no valid configuration under the evidence has the value. For each
        variable of `leave_out`, the same without its own evidence (as
        `domains_leaving_out`). Max-sum message passing, both ways, in float64:
        exact for integer gains whose sums stay below 2**53 (the caller checks).
        Independent parts of the catalog add their best gains. With a `cache`
        (kept by the caller for this one `gain`), the upward pass reuses each
        subtree whose evidence is the same as in an earlier call.
        """
        own = self._sparse_evidence_masks(evidence)
        inner, below, up = self._upward_max(evidence, own, gain, cache)
        # every part gets, from the start, the best the other parts add
        best_of_root = {root: float(inner[root].max(initial=-np.inf)) for root in self.roots}
        overall = sum(best_of_root.values())
        down: list[np.ndarray | None] = [None] * len(self.bags)
        finite = [value for value in best_of_root.values() if value > -np.inf]
        dead = len(best_of_root) - len(finite)
        for root, value in best_of_root.items():
            if value > -np.inf:
                rest = sum(finite) - value if dead == 0 else -np.inf
            else:
                rest = sum(finite) if dead == 1 else -np.inf
            down[root] = np.full(len(self.bags[root].rows), rest)
        # The message down to a child sums everything but that child's own message (which may be
        # -inf where only the child's evidence rules a tuple out: `leave_out` needs those tuples),
        # from prefix and suffix sums over the parent's children.
        for parent in self.preorder:
            children = self._children_of().get(parent)
            if not children:
                continue
            base = _masked(gain[parent], own[parent]) + down[parent]
            suffix = [np.zeros(len(base))]
            for child in reversed(children[1:]):
                suffix.append(suffix[-1] + up[child])
            suffix.reverse()
            prefix = base
            for position, child in enumerate(children):
                edge = self.edges[child]
                grouping = self._groups(("parent", child), edge.parent_ids, edge.size)
                message = _group_max(prefix + suffix[position], grouping)
                down[child] = message[edge.child_ids]
                prefix = prefix + up[child]
        best = {}
        totals: dict[int, np.ndarray] = {}  # several variables share a home bag
        for var in variables:
            index, column = self.home[var]
            if index not in totals:
                totals[index] = inner[index] + down[index]
            best[var] = self._max_by_value(var, index, column, totals[index])
        without: dict[int, np.ndarray] = {}
        for var in leave_out:
            index, column = self.home[var]
            mask = np.ones(len(self.bags[index].rows), dtype=bool)
            for other, allowed in evidence.items():
                if other != var and self.home[other][0] == index:
                    mask &= self._allowed_rows(other, allowed)
            # inner[index] holds the bag's own evidence: rebuild it without this variable's pin
            total = np.where(mask, gain[index] + below[index], -np.inf) + down[index]
            without[var] = self._max_by_value(var, index, column, total)
        return overall, best, without

    def best_gain(self, evidence: dict[int, object], gain: list[np.ndarray],
                  cache: UpwardCache | None = None) -> float:
        """The largest total gain of a valid configuration under the evidence (-inf: none); upward pass only."""
        own = self._sparse_evidence_masks(evidence)
        inner, _, _ = self._upward_max(evidence, own, gain, cache)
        return sum(float(inner[root].max(initial=-np.inf)) for root in self.roots)

    def _upward_max(self, evidence, own, gain, cache):
        """Per bag: (inner: own masked gain + children's messages, below: children's messages summed,
        up: the message each child sends, indexed by its parent's tuples).

        A subtree's three arrays depend only on the evidence inside it, so with a
        `cache` they are looked up by that evidence (the subtree's picks) and only
        the bags whose subtree holds changed evidence are computed again: a pick
        recomputes its own bag's path to the root, not the whole tree.
        """
        count = len(self.bags)
        inner: list[np.ndarray | None] = [None] * count
        below: list[np.ndarray | None] = [None] * count
        up: dict[int, np.ndarray] = {}
        keys = self._subtree_keys(evidence) if cache is not None else None
        children_of = self._children_of()
        for index in reversed(self.preorder):
            found = cache.get(index, keys[index]) if cache is not None else None
            if found is None:
                total = np.zeros(len(self.bags[index].rows))
                for child in children_of.get(index, ()):
                    total = total + up[child]
                mine = _masked(gain[index], own[index]) + total
                edge = self.edges.get(index)
                sent = None
                if edge is not None:
                    grouping = self._groups(("child", index), edge.child_ids, edge.size)
                    sent = _group_max(mine, grouping)[edge.parent_ids]
                found = (mine, total, sent)
                if cache is not None:
                    cache.put(index, keys[index], found)
            inner[index], below[index], sent = found
            if sent is not None:
                up[index] = sent
        return inner, below, up

    def _children_of(self) -> dict[int, list[int]]:
        """Parent bag -> its children, in preorder (cached: the tree never changes)."""
        found = self.__dict__.get("_children_cache")
        if found is None:
            found = {}
            for child in self.preorder:
                if self.parent[child] is not None:
                    found.setdefault(self.parent[child], []).append(child)
            self.__dict__["_children_cache"] = found
        return found

    def _subtree_keys(self, evidence: dict[int, object]) -> list[tuple]:
        """Per bag, a hashable key of the evidence on the variables homed in its subtree."""
        span = self.__dict__.get("_subtree_span")
        if span is None:
            span = self.__dict__["_subtree_span"] = _subtree_spans(self.preorder, self.parent, len(self.bags))
        position, end = span
        items = sorted(
            (position[self.home[var][0]], var, hashable(allowed)) for var, allowed in evidence.items()
        )
        starts = [item[0] for item in items]
        keys: list[tuple] = [()] * len(self.bags)
        if not items:
            return keys
        for index in range(len(self.bags)):
            low = bisect_left(starts, position[index])
            high = bisect_left(starts, end[index], low)
            if low < high:
                keys[index] = tuple(items[low:high])
        return keys

    def _children_sum(self, index: int, up: dict[int, np.ndarray]) -> np.ndarray:
        total = np.zeros(len(self.bags[index].rows))
        for child, message in up.items():
            if self.parent[child] == index:
                total = total + message
        return total

    def _max_by_value(self, var: int, index: int, column: int, total: np.ndarray) -> np.ndarray:
        grouping = self._groups(("value", index, column), self.bags[index].rows[:, column], self.sizes[var])
        return _group_max(total, grouping)

    def _groups(self, key: tuple, ids: np.ndarray, size: int) -> tuple:
        """How to take a maximum per id (0..size-1) over tuples: (order, starts, present, size).

        Tuples sorted by id; `starts` where each present id's run begins; `present`
        None when every id has a tuple. Cached: the bags never change.
        """
        cache = self.__dict__.setdefault("_group_cache", {})
        found = cache.get(key)
        if found is None:
            order = np.argsort(ids, kind="stable")
            bounds = np.searchsorted(ids[order], np.arange(size + 1))
            present = bounds[1:] > bounds[:-1]
            found = cache[key] = (order, bounds[:-1][present], None if present.all() else present, size)
        return found

    def own_gain(self, index: int, gains: dict[int, np.ndarray]) -> np.ndarray:
        """Gain of the variables whose home is this bag, per tuple (float64)."""
        bag = self.bags[index]
        total = np.zeros(len(bag.rows))
        for column, var in enumerate(bag.variables):
            if self.home[var][0] == index and var in gains:
                total += gains[var][bag.rows[:, column]]
        return total

    def _own_cost(self, index: int, costs: dict[int, np.ndarray], alive: np.ndarray) -> np.ndarray:
        """Cost of the variables whose home is this bag, per tuple; dead tuples cost INFINITE."""
        bag = self.bags[index]
        cost = np.zeros(len(bag.rows), dtype=np.int64)
        for column, var in enumerate(bag.variables):
            if self.home[var][0] == index and var in costs:
                cost += costs[var][bag.rows[:, column]]
        cost[~alive] = INFINITE
        return cost

    def stats(self) -> dict[str, int]:
        """Size figures for reports and benchmarks."""
        return {
            "bags": len(self.bags),
            "width": self.width,
            "tuples": int(sum(len(bag.rows) for bag in self.bags)),
            "largest_bag": int(max((len(bag.rows) for bag in self.bags), default=0)),
        }


class UpwardCache:
    """Upward max-sum arrays per bag, by the evidence in the bag's subtree (see `_upward_max`).

    Bounded twice: each bag keeps its `per_bag` most recently used subtree
    evidences, and all bags together at most `max_bytes` of arrays, the least
    recently used going first (a server keeps one cache per catalog; unbounded,
    one reached 23 MB). Thread-safe (one catalog serves concurrent requests);
    the arrays are never written after caching.
    """

    def __init__(self, per_bag: int = 16, max_bytes: int = 16 * 2**20):
        self.per_bag = per_bag
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[int, tuple], tuple[tuple, int]] = OrderedDict()  # oldest first
        self._bags: dict[int, OrderedDict[tuple, None]] = {}  # per bag, its keys, least recently used first
        self._lock = threading.Lock()

    def get(self, index: int, key: tuple):
        with self._lock:
            entry = self._entries.get((index, key))
            if entry is None:
                return None
            self._entries.move_to_end((index, key))
            self._bags[index].move_to_end(key)
            return entry[0]

    def put(self, index: int, key: tuple, value: tuple) -> None:
        size = 64 + sum(part.nbytes for part in value if isinstance(part, np.ndarray))
        with self._lock:
            if (index, key) in self._entries:
                self._drop((index, key))
            self._entries[(index, key)] = (value, size)
            self.bytes += size
            bag = self._bags.setdefault(index, OrderedDict())
            bag[key] = None
            if len(bag) > self.per_bag:
                self._drop((index, next(iter(bag))))
            while self.bytes > self.max_bytes and len(self._entries) > 1:
                self._drop(next(iter(self._entries)))

    def _drop(self, slot: tuple[int, tuple]) -> None:
        _, size = self._entries.pop(slot)
        self.bytes -= size
        del self._bags[slot[0]][slot[1]]


def _masked(gain: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    return gain if mask is None else np.where(mask, gain, -np.inf)


def hashable(allowed: object) -> object:
    if isinstance(allowed, (set, frozenset, list, tuple)):
        return tuple(sorted(allowed))
    return allowed


def _subtree_spans(preorder: list[int], parent: list[int | None], count: int) -> tuple[list[int], list[int]]:
    """Per bag, its position in the preorder and the end of its subtree's run there."""
    position = [0] * count
    for at, index in enumerate(preorder):
        position[index] = at
    end = [position[index] + 1 for index in range(count)]
    for index in reversed(preorder):
        if parent[index] is not None:
            end[parent[index]] = max(end[parent[index]], end[index])
    return position, end


def _group_max(values: np.ndarray, grouping: tuple) -> np.ndarray:
    """Per id, the largest of `values` over the tuples with that id (-inf for none); see `_groups`."""
    order, starts, present, size = grouping
    if not len(starts):
        return np.full(size, -np.inf)
    reduced = np.maximum.reduceat(values[order], starts)
    if present is None:
        return reduced
    result = np.full(size, -np.inf)
    result[present] = reduced
    return result


# ---------------------------------------------------------------- decomposition


def _decompose(graph: nx.Graph, sizes: list[int] | None = None) -> tuple[list[frozenset[int]], nx.Graph]:
    """Bags and tree edges (a forest: one tree per connected component).

    Without `sizes`, networkx's min-fill-in heuristic (best for catalogs of
    tables, whose relations are far smaller than their domains' product). With
    `sizes`, an elimination that keeps the product of domain sizes per bag small:
    running totals of numeric rules have large domains and must not meet in one bag.
    """
    import networkx as nx
    from networkx.algorithms.approximation import treewidth_min_degree, treewidth_min_fill_in

    bags: list[frozenset[int]] = []
    tree = nx.Graph()
    for component in nx.connected_components(graph):
        if len(component) == 1:
            tree.add_node(len(bags))
            bags.append(frozenset(component))
            continue
        sub = graph.subgraph(component)
        if sizes is not None:
            decomposition = _weighted_decomposition(sub, sizes)
        elif len(component) <= MIN_FILL_LIMIT:
            _, decomposition = treewidth_min_fill_in(sub)
        else:
            _, decomposition = treewidth_min_degree(sub)
        decomposition = _merge_subset_bags(decomposition)
        numbering = {}
        for node in decomposition.nodes:
            numbering[node] = len(bags)
            tree.add_node(len(bags))
            bags.append(frozenset(node))
        tree.add_edges_from((numbering[a], numbering[b]) for a, b in decomposition.edges)
    return bags, tree


def _weighted_decomposition(graph: nx.Graph, sizes: list[int]) -> nx.Graph:
    """Tree decomposition by greedy elimination of the variable whose bag is smallest.

    A bag's weight is the product of its domain sizes (in logs), ties broken by
    fill-in. Each eliminated variable's bag hangs below the bag of its neighbour
    eliminated next, which gives a valid junction tree.
    """
    import networkx as nx

    work = {node: set(graph.neighbors(node)) for node in graph.nodes}
    log_size = {node: math.log(max(sizes[node], 1)) for node in graph.nodes}
    eliminated_at: dict[int, int] = {}
    bags: list[tuple[int, frozenset[int]]] = []
    while work:
        def cost(node):
            neighbours = work[node]
            fill = sum(1 for a in neighbours for b in neighbours if a < b and b not in work[a])
            return (log_size[node] + sum(log_size[n] for n in neighbours), fill, node)

        node = min(work, key=cost)
        neighbours = work.pop(node)
        for a in neighbours:
            work[a].discard(node)
            work[a] |= neighbours - {a}
        eliminated_at[node] = len(bags)
        bags.append((node, frozenset(neighbours | {node})))
    tree = nx.Graph()
    for node, bag in bags:
        tree.add_node(bag)
    for node, bag in bags:
        later = [n for n in bag if n != node]
        if later:
            parent = min(later, key=eliminated_at.get)
            tree.add_edge(bag, bags[eliminated_at[parent]][1])
    return _merge_subset_bags(tree)


def _merge_subset_bags(tree: nx.Graph) -> nx.Graph:
    """Contract every bag that is a subset of a neighbour: fewer, fuller bags."""
    import networkx as nx

    tree = nx.Graph(tree)
    changed = True
    while changed:
        changed = False
        for node in list(tree.nodes):
            for neighbour in list(tree.neighbors(node)):
                if node <= neighbour:
                    for other in tree.neighbors(node):
                        if other != neighbour:
                            tree.add_edge(neighbour, other)
                    tree.remove_node(node)
                    changed = True
                    break
    return tree


def _root(tree: nx.Graph, count: int, bags: list[Bag]) -> tuple[list[int | None], list[int]]:
    """Parent of each bag and a preorder (parents before children), rooted at the largest bag."""
    import networkx as nx

    parent: list[int | None] = [None] * count
    preorder: list[int] = []
    for component in nx.connected_components(tree):
        root = max(component, key=lambda b: len(bags[b].rows))
        preorder.extend(nx.dfs_preorder_nodes(tree, root))
        for child, above in nx.dfs_predecessors(tree, root).items():
            parent[child] = above
    return parent, preorder


# ---------------------------------------------------------------- relations


def _join_all(factors: list, variables: tuple[int, ...], sizes: list[int]) -> np.ndarray:
    """Join factors (and full domains of uncovered variables) into rows over `variables`."""
    relations = [(tuple(f.scope), f.rows) for f in factors]
    relations.sort(key=lambda rel: len(rel[1]))
    current_vars: tuple[int, ...] = ()
    current = np.zeros((1, 0), dtype=np.int32)
    while relations:
        # Relations adding no new variable only filter: join them first. Then the
        # one adding the fewest new variables, to keep intermediate results small.
        best = min(
            range(len(relations)),
            key=lambda i: (
                len(set(relations[i][0]) - set(current_vars)),
                -len(set(relations[i][0]) & set(current_vars)),
                len(relations[i][1]),
            ),
        )
        scope, rows = relations.pop(best)
        current_vars, current = _join(current_vars, current, scope, rows, sizes)
        if len(current) == 0:
            break
    for var in variables:
        if var not in current_vars:
            full = np.arange(sizes[var], dtype=np.int32).reshape(-1, 1)
            current_vars, current = _join(current_vars, current, (var,), full, sizes)
    order = [current_vars.index(var) for var in variables]
    return np.ascontiguousarray(current[:, order], dtype=np.int32)


def _join(a_vars, a_rows, b_vars, b_rows, sizes):
    """Natural join of two relations given as (variables, rows)."""
    shared = [v for v in b_vars if v in a_vars]
    extra = [i for i, v in enumerate(b_vars) if v not in a_vars]
    out_vars = tuple(a_vars) + tuple(b_vars[i] for i in extra)
    if not shared:
        _refuse_large(len(a_rows) * len(b_rows), out_vars)
        left = np.repeat(a_rows, len(b_rows), axis=0)
        right = np.tile(b_rows[:, extra], (len(a_rows), 1))
        return out_vars, np.hstack([left, right]).astype(np.int32)
    keys, _ = _compact_keys(
        np.concatenate(
            [
                a_rows[:, [a_vars.index(v) for v in shared]],
                b_rows[:, [b_vars.index(v) for v in shared]],
            ]
        ),
        [sizes[v] for v in shared],
    )
    a_keys, b_keys = keys[: len(a_rows)], keys[len(a_rows):]
    order = np.argsort(b_keys, kind="stable")
    sorted_keys = b_keys[order]
    low = np.searchsorted(sorted_keys, a_keys, "left")
    high = np.searchsorted(sorted_keys, a_keys, "right")
    counts = high - low
    _refuse_large(int(counts.sum()), out_vars)
    left_index = np.repeat(np.arange(len(a_rows)), counts)
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    right_index = order[starts + np.arange(int(counts.sum()))]
    rows = np.hstack([a_rows[left_index], b_rows[right_index][:, extra]])
    return out_vars, rows.astype(np.int32)


def _refuse_large(size: int, variables) -> None:
    if size > MAX_BAG_TUPLES:
        raise TreeTooLarge(said("a cluster of %(variables)s variables would hold %(tuples)s tuples",
                                variables=Number(len(variables)), tuples=Number(size)))


def _compact_keys(rows: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, int]:
    """Number the distinct rows 0..k-1 (same rows, same number); returns (ids, k)."""
    if rows.shape[1] == 0:
        return np.zeros(len(rows), dtype=np.int64), 1
    keys = np.zeros(len(rows), dtype=np.int64)
    span = 1
    for column, size in enumerate(sizes):
        if span * size >= 2**62:
            _, keys = np.unique(keys, return_inverse=True)
            keys = keys.astype(np.int64)
            span = int(keys.max()) + 1 if len(keys) else 1
        keys = keys * size + rows[:, column]
        span *= size
    if span <= DENSE_KEYS + 8 * len(rows):
        # the same numbers as np.unique (each key's rank among those present), from a table over
        # every possible key instead of a sort: building the city bike's tree sorted for a second
        present = np.zeros(span, dtype=bool)
        present[keys] = True
        rank = np.cumsum(present) - 1
        return rank[keys].astype(np.int64), int(rank[-1]) + 1 if span else 0
    unique, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64).ravel(), len(unique)
