"""A boolean catalog compiled to d-DNNF (the d4 compiler), and the questions one pass answers.

A d-DNNF is a circuit of AND nodes whose children share no variable and OR
nodes whose children exclude each other; d4's edges carry the literals its
decisions and unit propagation fixed. Under a set of assumed literals:
- one pass up tells which nodes still have a model, one pass down which edges
  some model uses: every literal on a used edge is possible, and so is either
  value of a variable *free* on a used edge (one the OR node mentions and that
  branch does not);
- the same pass up with sums and products counts the models exactly (free
  variables double the count), and with min and plus finds the cheapest model.
Each pass is linear in the circuit's size (a few thousand nodes for
automotive01), independent of the number of configurations.

The compiler runs in a child process with a time and memory limit, so a CNF it
cannot compile never hangs or swells the process that asked.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

import numpy as np

from .problems import Number, Said, said

COMPILE_SECONDS = 20
# Address space, not resident memory: d4 reserves a 4 GiB cache page up front
# (untouched, so it costs nothing) and stops with bad_alloc below about 5 GiB.
# automotive01 peaks at about 100 MB resident.
COMPILE_MEMORY_BYTES = 6 * 2**30
# A remembered d4 failure (compiled.py) is tried again after this long: the machine, its load or the
# catalog's neighbours in the store may have changed, and one wasted try a week costs little.
FAILURE_KEPT_SECONDS = 7 * 24 * 3600

_CHILD = """
import sys
import py_d4
variables, clauses = 0, []
for line in sys.stdin:
    if line.startswith("p"):
        variables = int(line.split()[2])
    elif line.strip():
        clauses.append([int(x) for x in line.split()[:-1]])
text = py_d4.Solver(clauses, variables).compile().getNNFString()
with open(sys.argv[1], "w") as out:
    out.write(text)
"""


def d4_version() -> str:
    """The installed d4 (its distribution's version): a failure remembered under another d4 is not trusted."""
    # imported only when a failure is written or read: it costs milliseconds at every start-up
    from importlib import metadata

    try:
        return metadata.version("d4Solver")
    except metadata.PackageNotFoundError:
        return "absent"


class CompilationFailed(Exception):
    """d4 did not produce a circuit within its limits."""


def compile_cnf(dimacs: str, seconds: float | None = None, memory: int | None = None) -> str:
    """The d-DNNF of a DIMACS CNF in d4's NNF text, compiled in a child process within the limits.

    The limits default to COMPILE_SECONDS and COMPILE_MEMORY_BYTES, read at each call.
    """
    seconds = COMPILE_SECONDS if seconds is None else seconds
    memory = COMPILE_MEMORY_BYTES if memory is None else memory

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    with tempfile.TemporaryDirectory(prefix="d4-") as folder:
        out = os.path.join(folder, "circuit.nnf")
        try:
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, out],
                input=dimacs.encode("ascii"),
                stdout=subprocess.DEVNULL,  # d4 prints its statistics there
                stderr=subprocess.PIPE,
                timeout=seconds,
                preexec_fn=limit_memory,
                check=False,
            )
        except subprocess.TimeoutExpired:
            within = Number(int(seconds)) if seconds == int(seconds) else f"{seconds:g}"
            raise CompilationFailed(said("d4 did not finish within %(seconds)s s", seconds=within)) from None
        if done.returncode != 0 or not os.path.exists(out):
            raise CompilationFailed(gave_up(done.returncode, done.stderr, memory))
        with open(out, encoding="ascii") as text:
            return text.read()


def gave_up(returncode: int, stderr: bytes, memory: int) -> Said:
    """Why d4's child ended without a circuit, as a sentence the pages translate.

    d4 writes its reasons in English (often a C++ exception's name); that last
    line is kept as a detail after the sentence, as d4 wrote it, where it adds
    something: running out of memory is said outright, so no detail is needed.
    """
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
    line = last[0] if last else ""
    if returncode < 0:  # killed: the kernel's out-of-memory killer, or a crash
        return said("d4 was stopped by signal %(signal)s", signal=_signal_name(-returncode))
    if any(sign in line for sign in _OUT_OF_MEMORY):
        return said(
            "d4 ran out of memory within its limit of %(memory)s MiB",
            memory=Number(memory // 2**20),
        )
    if not line:
        return said("d4 stopped with exit code %(code)s and no message", code=returncode)
    return said(
        "d4 stopped with exit code %(code)s; its last line (as d4 wrote it): %(line)s",
        code=returncode,
        line=line,
    )


# How an allocation refused under RLIMIT_AS ends the child: C++'s exception, as py_d4 raises it
_OUT_OF_MEMORY = ("bad_alloc", "MemoryError")


def _signal_name(number: int) -> str:
    """SIGKILL for 9; the number itself for a signal this platform does not name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


@dataclass
class _Edge:
    child: int
    lits: tuple[int, ...]
    pos: int  # bitset of variables the edge sets true
    neg: int  # and false
    free: int  # bitset of variables free on this branch of an OR node


class Circuit:
    """A parsed d-DNNF over variables 1..variables, with its query passes."""

    def __init__(self, text: str, variables: int):
        self.variables = variables
        self.kind: list[str] = []
        self.edges: list[list[_Edge]] = []
        self._parse(text)
        self.order = self._post_order()
        self.root_free = self._free_variables()
        self._free_index = {
            id(edge): _indices(edge.free) for edges in self.edges for edge in edges if edge.free
        }
        self._root_free_index = _indices(self.root_free)
        self._levels = _Levels(self)

    def _parse(self, text: str) -> None:
        number: dict[int, int] = {}
        pending: list[tuple[int, int, tuple[int, ...]]] = []
        for line in text.splitlines():
            parts = line.split()
            if not parts or parts[0] == "c":
                continue
            if parts[0] in ("o", "a", "t", "f"):
                number[int(parts[1])] = len(self.kind)
                self.kind.append(parts[0])
                self.edges.append([])
                continue
            values = [int(part) for part in parts[:-1]]
            pending.append((values[0], values[1], tuple(values[2:])))
        for parent, child, lits in pending:
            pos = sum(1 << lit for lit in lits if lit > 0)
            neg = sum(1 << -lit for lit in lits if lit < 0)
            self.edges[number[parent]].append(_Edge(number[child], lits, pos, neg, 0))
        self.root = 0

    def _post_order(self) -> list[int]:
        """Nodes with every child before its parents."""
        order, seen, stack = [], set(), [(self.root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((edge.child, False) for edge in self.edges[node] if edge.child not in seen)
        return order

    def _free_variables(self) -> int:
        """Mark each OR edge's free variables; return those the whole circuit leaves free."""
        mentions = [0] * len(self.kind)
        for node in self.order:
            below = [edge.pos | edge.neg | mentions[edge.child] for edge in self.edges[node]]
            for part in below:
                mentions[node] |= part
            if self.kind[node] == "o":
                for edge, part in zip(self.edges[node], below):
                    edge.free = mentions[node] & ~part
        everything = (1 << (self.variables + 1)) - 2
        return everything & ~mentions[self.root]

    # ------------------------------------------------------------ passes
    def _alive(self, edge: _Edge, pos: int, neg: int) -> bool:
        return not (edge.pos & neg or edge.neg & pos)

    def possible(self, assumed: list[int]) -> tuple[bool, np.ndarray, np.ndarray]:
        """(consistent, can_true, can_false) under `assumed`: per variable, whether some model sets it so."""
        return self._levels.possible(assumed)

    def count(self, assumed: list[int]) -> int:
        """The exact number of models under `assumed`."""
        pos, neg = _bits(assumed)
        if pos & neg:
            return 0
        fixed = pos | neg
        counts = [0] * len(self.kind)
        for node in self.order:
            kind = self.kind[node]
            if kind == "t":
                counts[node] = 1
                continue
            if kind == "f":
                continue
            parts = [
                counts[e.child] << (e.free & ~fixed).bit_count() if self._alive(e, pos, neg) else 0
                for e in self.edges[node]
            ]
            if kind == "a":
                product = 1
                for part in parts:
                    product *= part
                counts[node] = product
            else:
                counts[node] = sum(parts)
        return counts[self.root] << (self.root_free & ~fixed).bit_count()

    def cheapest(self, assumed: list[int], cost_true: np.ndarray, cost_false: np.ndarray) -> set[int] | None:
        """The true variables of a least-cost model under `assumed`, or None without a model.

        `cost_true[v]` / `cost_false[v]` is what variable v costs when true / false.
        """
        pos, neg = _bits(assumed)
        if pos & neg:
            return None
        true_cost = cost_true.astype(object)
        false_cost = cost_false.astype(object)
        for lit in assumed:  # an assumed value is the only value: the other one is never taken
            (false_cost if lit > 0 else true_cost)[abs(lit)] = None
        best_of_var = np.array(
            [min(c for c in pair if c is not None) if pair != (None, None) else None
             for pair in zip(true_cost.tolist(), false_cost.tolist())],
            dtype=object,
        )
        best: list = [None] * len(self.kind)
        choice: dict[int, _Edge] = {}
        for node in self.order:
            kind = self.kind[node]
            if kind == "t":
                best[node] = 0
            elif kind in ("a", "o"):
                best[node], choice[node] = self._best_edges(node, pos, neg, best, true_cost, false_cost, best_of_var)
        if best[self.root] is None:
            return None
        return self._read_model(choice, pos, neg, true_cost, false_cost)

    def _best_edges(self, node, pos, neg, best, true_cost, false_cost, best_of_var):
        """(cost of the node, its cheapest OR edge) from its children's costs."""
        total, cheapest_edge, cheapest = 0, None, None
        for edge in self.edges[node]:
            if not self._alive(edge, pos, neg) or best[edge.child] is None:
                if self.kind[node] == "a":
                    return None, None
                continue
            cost = best[edge.child] + sum(true_cost[lit] if lit > 0 else false_cost[-lit] for lit in edge.lits)
            if edge.free:
                cost += sum(best_of_var[self._free_index[id(edge)]])
            if self.kind[node] == "a":
                total += cost
            elif cheapest is None or cost < cheapest:
                cheapest, cheapest_edge = cost, edge
        if self.kind[node] == "a":
            return total, None
        return cheapest, cheapest_edge

    def _read_model(self, choice, pos, neg, true_cost, false_cost) -> set[int]:
        """The true variables of the model the cheapest choices make."""
        true_vars: set[int] = set()
        free: list[np.ndarray] = [self._root_free_index]
        stack = [self.root]
        while stack:
            node = stack.pop()
            if self.kind[node] == "a":
                stack.extend(edge.child for edge in self.edges[node])
                for edge in self.edges[node]:
                    true_vars.update(lit for lit in edge.lits if lit > 0)
                continue
            edge = choice.get(node)
            if edge is None:
                continue
            true_vars.update(lit for lit in edge.lits if lit > 0)
            if edge.free:
                free.append(self._free_index[id(edge)])
            stack.append(edge.child)
        for var in np.concatenate(free).tolist():
            if false_cost[var] is None or (true_cost[var] is not None and true_cost[var] < false_cost[var]):
                true_vars.add(var)
        return true_vars


class _Levels:
    """The circuit as arrays by height, so the domain pass is a few numpy operations per level.

    A node's height is one more than its highest child's: going up level by
    level, every child is done before its parents; going down, every parent
    before its children.
    """

    def __init__(self, circuit: Circuit):
        self.variables = circuit.variables
        self.root = circuit.root
        nodes = len(circuit.kind)
        height = np.zeros(nodes, dtype=np.int64)
        for node in circuit.order:
            children = [edge.child for edge in circuit.edges[node]]
            height[node] = 1 + max((height[c] for c in children), default=-1)
        self.leaf_true = np.array(
            [kind == "t" or (kind == "a" and not edges) for kind, edges in zip(circuit.kind, circuit.edges)]
        )
        # edges grouped by parent, parents by height
        parents = sorted((node for node in circuit.order if circuit.edges[node]), key=lambda n: height[n])
        edges = [edge for node in parents for edge in circuit.edges[node]]
        self.child = np.array([edge.child for edge in edges], dtype=np.int64)
        self.edge_parent = np.repeat(parents, [len(circuit.edges[n]) for n in parents]).astype(np.int64)
        self.lits, self.lit_start = _flatten([edge.lits for edge in edges])
        self.free, self.free_start = _flatten([_indices(edge.free).tolist() for edge in edges])
        self.root_free = _indices(circuit.root_free)
        # per level: (parent nodes, edges, their children, their parents, first edge of each
        # parent within the level, how many usable edges each parent needs: all for AND, one for OR)
        self.levels = []
        start = 0
        for level_height in sorted({int(height[n]) for n in parents}):
            level = [n for n in parents if height[n] == level_height]
            counts = np.array([len(circuit.edges[n]) for n in level])
            firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            need = np.where([circuit.kind[n] == "a" for n in level], counts, 1)
            edges = slice(start, start + int(counts.sum()))
            level_nodes = np.array(level, dtype=np.int64)
            self.levels.append((level_nodes, edges, self.child[edges], self.edge_parent[edges], firsts, need))
            start = edges.stop

    def _alive(self, assumed_true: np.ndarray, assumed_false: np.ndarray) -> np.ndarray:
        """Per edge: none of its literals contradicts the assumptions."""
        lits = self.lits
        bad = np.where(lits > 0, assumed_false[np.abs(lits)], assumed_true[np.abs(lits)])
        return _segment_sums(bad, self.lit_start) == 0

    def possible(self, assumed: list[int]) -> tuple[bool, np.ndarray, np.ndarray]:
        assumed_true = np.zeros(self.variables + 1, dtype=bool)
        assumed_false = np.zeros(self.variables + 1, dtype=bool)
        lits = np.asarray(assumed, dtype=np.int64)
        assumed_true[lits[lits > 0]] = True
        assumed_false[-lits[lits < 0]] = True
        if (assumed_true & assumed_false).any():
            return False, assumed_true & False, assumed_false & False
        alive = self._alive(assumed_true, assumed_false)
        holds = self.leaf_true.copy()
        usable = np.zeros(len(self.child), dtype=bool)  # alive edge to a child that has a model
        for level, edges, children, _, firsts, need in self.levels:
            ok = alive[edges] & holds[children]
            usable[edges] = ok
            holds[level] = np.add.reduceat(ok, firsts) >= need
        if not holds[self.root]:
            none = np.zeros(self.variables + 1, dtype=bool)
            return False, none, none.copy()
        reached = np.zeros(len(holds), dtype=bool)
        reached[self.root] = True
        used = np.zeros(len(self.child), dtype=bool)
        for _, edges, children, edge_parents, _, _ in reversed(self.levels):
            now = usable[edges] & reached[edge_parents]
            used[edges] = now
            reached[children[now]] = True
        on_used = np.repeat(used, np.diff(self.lit_start))
        used_lits = self.lits[on_used]
        can_true = np.zeros(self.variables + 1, dtype=bool)
        can_false = np.zeros(self.variables + 1, dtype=bool)
        can_true[used_lits[used_lits > 0]] = True
        can_false[-used_lits[used_lits < 0]] = True
        free = np.concatenate([self.free[np.repeat(used, np.diff(self.free_start))], self.root_free])
        can_true[free] = True
        can_false[free] = True
        return True, can_true & ~assumed_false, can_false & ~assumed_true


def _flatten(lists: list) -> tuple[np.ndarray, np.ndarray]:
    """(all items, start of each list with the total at the end): a CSR layout."""
    counts = [len(items) for items in lists]
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    flat = np.array([item for items in lists for item in items], dtype=np.int64)
    return flat, start


def _segment_sums(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Sum of each segment [start[i], start[i+1]) of `values` (empty segments sum to 0)."""
    counted = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
    return counted[start[1:]] - counted[start[:-1]]


def _bits(lits: list[int]) -> tuple[int, int]:
    pos = neg = 0
    for lit in lits:
        if lit > 0:
            pos |= 1 << lit
        else:
            neg |= 1 << -lit
    return pos, neg


def _indices(bits: int) -> np.ndarray:
    """The variable numbers set in a bitset."""
    found, var = [], 0
    while bits:
        low = bits & -bits
        var = low.bit_length() - 1
        found.append(var)
        bits ^= low
    return np.array(found, dtype=np.int64)
