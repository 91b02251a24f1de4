"""Compile a problem into layers of reachable states (a decision diagram).

The junction tree joins, inside each bag, every tuple its factors allow. With
several numeric rules (running totals of weight, volume, price...) crossing the
same features, a bag then holds combinations of totals and options that no
actual choice reaches, and its size explodes. Here the variables are instead
assigned one after the other, in an order that keeps related variables close;
after each one, a *state* records only what later factors still need (the
values of earlier variables that appear in a factor not yet complete, running
totals included), and only states some prefix of choices actually reaches are
kept. Each factor is checked as soon as its last variable is assigned.

The result is again a `CompiledProblem`: the original variables, one state variable
per layer, and one factor per layer holding its transitions
(state before, value, state after). Its constraint graph is a path, so the
junction tree answers every query on it unchanged: exact domains, counts,
cheapest completions and repairs.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .compile import CompiledProblem, Factor, OutgrewBudget, Variable
from .jtree import JunctionTree, TreeTooLarge
from .problems import Number, said

if TYPE_CHECKING:  # networkx costs ~0.1 s to import; only compiling needs it
    pass

# Past this many states in one layer, the layered form is refused as well.
MAX_LAYER_STATES = 2_000_000


class LayeringTooLarge(Exception):
    """The reachable states of some layer exceed the budget."""


def solution_space(problem: CompiledProblem) -> JunctionTree:
    """The compiled solution space: a junction tree, or reachable-state layers when the tree is too large."""
    for weighted in (False, True):
        try:
            return JunctionTree(problem, weighted=weighted)
        except TreeTooLarge:
            pass
    try:
        return JunctionTree(layered_problem(problem))
    except (LayeringTooLarge, TreeTooLarge) as error:
        raise OutgrewBudget(
            None,
            said("the rules combine into too many cases to compile exactly (%(reason)s)", reason=error.args[0]),
        ) from None


def layered_problem(problem: CompiledProblem) -> CompiledProblem:
    """The same solution space as `problem`, as a path of reachable-state layers."""
    order = problem.order or variable_order(problem)
    position = {var: i for i, var in enumerate(order)}
    checked_at: dict[int, list[Factor]] = {}
    last_use = {var: position[var] for var in order}
    for factor in problem.factors:
        if not factor.scope:
            continue
        done = max(position[v] for v in factor.scope)
        checked_at.setdefault(done, []).append(factor)
        for var in factor.scope:
            last_use[var] = max(last_use[var], done)

    forgetting = _Forgetting(problem)
    variables = list(problem.variables)
    factors: list[Factor] = []
    frontier: list[int] = []
    states = np.zeros((1, 0), dtype=np.int32)
    previous_state_var: int | None = None
    constant_false = any(not f.scope and len(f.rows) == 0 for f in problem.factors)
    for layer, var in enumerate(order):
        columns = frontier + [var]
        parent, value = _extensions(states, frontier, var, checked_at.get(layer, []), variables)
        candidates = np.hstack([states[parent], value[:, None]])
        for factor in checked_at.get(layer, []):
            keep = _rows_allowed(candidates, columns, factor, variables)
            candidates, parent, value = candidates[keep], parent[keep], value[keep]
        if constant_false:
            candidates, parent, value = candidates[:0], parent[:0], value[:0]
        frontier = [v for v in columns if last_use[v] > layer]
        projected = candidates[:, [columns.index(v) for v in frontier]]
        forgetting.forget(projected, frontier, set(columns))
        states, child = _distinct_rows(projected)
        if len(states) > MAX_LAYER_STATES:
            raise LayeringTooLarge(said("%(states)s reachable states after %(variable)s",
                                        states=Number(len(states)), variable=variables[var].name))
        state_var = len(variables)
        variables.append(Variable(f"state#{layer}", max(len(states), 1), "state"))
        if previous_state_var is None:
            rows = np.stack([value, child], axis=1)
            factors.append(Factor((var, state_var), rows.astype(np.int32), None))
        else:
            rows = np.stack([parent, value, child], axis=1)
            factors.append(Factor((previous_state_var, var, state_var), rows.astype(np.int32), None))
        previous_state_var = state_var
    return replace(problem, variables=variables, factors=factors)


class _Forgetting:
    """Forget a running total in the states where no rule can still depend on it.

    A rule comparing a total ("if payment == instalments then price() >= 600")
    is a factor over the total's last variable and a few others. Once those
    others are assigned, a state where the factor allows every value of the
    total (payment is card) no longer needs the running total: it is set to
    value 0 there, so states that differ only in it merge. The total's later
    values then follow from 0 rather than from the true sum, which nothing
    reads (domains, counts and prices come from the features, each
    configuration still has exactly one path), and no rule can tell.
    """

    def __init__(self, problem: CompiledProblem):
        self.sizes = [variable.size for variable in problem.variables]
        self.chain_of = problem.chain_of
        # chain's last variable -> [(other variables, keys of their tuples that allow every total)]
        self.free: dict[int, list[tuple[list[int], np.ndarray]]] = {}
        for last in set(problem.chain_of.values()):
            tests = []
            for factor in problem.factors:
                if last not in factor.scope or factor.constraint is None:
                    continue
                others = [v for v in factor.scope if v != last]
                sizes = [self.sizes[v] for v in others]
                if math.prod(sizes) >= 2**62:
                    tests = None
                    break
                keys = _keys(factor.rows[:, [factor.scope.index(v) for v in others]], sizes)
                unique, counts = np.unique(keys, return_counts=True)
                tests.append((others, unique[counts == self.sizes[last]]))
            if tests is not None:
                self.free[last] = tests

    def forget(self, states: np.ndarray, frontier: list[int], assigned: set[int]) -> None:
        """Set, in place, every running total of `states` that no rule can still read to 0."""
        for column, var in enumerate(frontier):
            tests = self.free.get(self.chain_of.get(var, -1))
            if not tests or any(not assigned.issuperset(others) for others, _ in tests):
                continue
            free = np.ones(len(states), dtype=bool)
            for others, allowing_all in tests:
                picked = states[:, [frontier.index(v) for v in others]]
                free &= np.isin(_keys(picked, [self.sizes[v] for v in others]), allowing_all)
            states[free, column] = 0


def _extensions(states, frontier, var, factors, variables) -> tuple[np.ndarray, np.ndarray]:
    """(state index, value of `var`) of every way to extend a state that the tightest factor allows.

    A running total is a function of the state and the feature just assigned:
    joining with the factor that defines it yields only the reachable values,
    where trying every value of the total first would multiply the states by
    its domain size.
    """
    size = variables[var].size
    defining = [f for f in factors if var in f.scope]
    if not defining:
        if len(states) * size > 4 * MAX_LAYER_STATES:
            raise LayeringTooLarge(said("%(states)s candidate states at %(variable)s",
                                        states=Number(len(states) * size), variable=variables[var].name))
        return np.repeat(np.arange(len(states)), size), np.tile(np.arange(size, dtype=np.int32), len(states))
    factor = min(defining, key=lambda f: len(f.rows))
    others = [v for v in factor.scope if v != var]
    sizes = [variables[v].size for v in others]
    mine = states[:, [frontier.index(v) for v in others]]
    theirs = factor.rows[:, [factor.scope.index(v) for v in others]]
    if math.prod(sizes) < 2**62:
        state_keys, row_keys = _keys(mine, sizes), _keys(theirs, sizes)
    else:
        both = np.unique(np.concatenate([mine, theirs]), axis=0, return_inverse=True)[1].ravel()
        state_keys, row_keys = both[: len(mine)], both[len(mine):]
    order = np.argsort(row_keys, kind="stable")
    low = np.searchsorted(row_keys[order], state_keys, "left")
    counts = np.searchsorted(row_keys[order], state_keys, "right") - low
    total = int(counts.sum())
    if total > 4 * MAX_LAYER_STATES:
        raise LayeringTooLarge(said("%(states)s candidate states at %(variable)s",
                                    states=Number(total), variable=variables[var].name))
    parent = np.repeat(np.arange(len(states)), counts)
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    rows = order[starts + np.arange(total)]
    value = factor.rows[rows, factor.scope.index(var)].astype(np.int32)
    return parent, value


def variable_order(problem: CompiledProblem) -> list[int]:
    """An order that keeps the variables of each factor close together (small frontiers).

    Reverse Cuthill-McKee on the constraint graph, which keeps the bandwidth
    small, one connected part after the other.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(problem.variables)))
    for factor in problem.factors:
        scope = factor.scope
        graph.add_edges_from((scope[i], scope[j]) for i in range(len(scope)) for j in range(i + 1, len(scope)))
    order: list[int] = []
    for component in sorted(nx.connected_components(graph), key=min):
        sub = graph.subgraph(component)
        order.extend(nx.utils.reverse_cuthill_mckee_ordering(sub))
    return order


def _rows_allowed(candidates: np.ndarray, columns: list[int], factor: Factor, variables) -> np.ndarray:
    """Which candidate rows satisfy the factor (its scope lies within `columns`)."""
    sizes = [variables[v].size for v in factor.scope]
    picked = candidates[:, [columns.index(v) for v in factor.scope]]
    if math.prod(sizes) < 2**62:
        return np.isin(_keys(picked, sizes), _keys(factor.rows, sizes))
    both = np.concatenate([picked, factor.rows])
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    return np.isin(inverse[: len(picked)], inverse[len(picked):])


def _keys(rows: np.ndarray, sizes: list[int]) -> np.ndarray:
    keys = np.zeros(len(rows), dtype=np.int64)
    for column, size in enumerate(sizes):
        keys = keys * size + rows[:, column]
    return keys


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, index of each row among them)."""
    if rows.shape[1] == 0:
        return np.zeros((1 if len(rows) else 0, 0), dtype=np.int32), np.zeros(len(rows), dtype=np.int64)
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    return distinct.astype(np.int32), inverse.ravel()
