"""The dense grid of grid_count.py: the variables added layer by layer over axes of clamped totals.

A `Group` is one grid: the sums some comparison reads (one axis each, of
`lengths` cells), the rules left over the variables that are not switches, and
the switch combinations (`Member`s) that read it, each with its own thresholds.
The grid starts as one cell holding 1; each variable, in the compiled order,
adds its values' shifts (`_add_shifted`). A variable that a later rule reads is
an extra axis until that rule's layer, then summed out. An axis only grows as far
as the totals reached so far (the first layers hold a few cells), up to its
clamped length.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np


class Member:
    """One switch combination: its rule tables over comparisons, and each relevant comparison's test."""

    def __init__(self, tables: list, tests: dict[int, tuple], relevant: list[int]):
        self.tables = tables  # [(compare variables, bool table over their 0/1 outcomes)]
        self.tests = tests  # compare variable -> (sum index, kind, K, cells needed)  (see _Sum.threshold)
        self.relevant = relevant


class _Layer:
    """What adding one variable does: its values, the rules checked there, the axes it keeps and drops."""

    def __init__(self, var: int, frontier: list[int], keep: bool, rules: list, drop: list[int],
                 before: list[int], after: list[int]):
        self.var, self.frontier, self.keep, self.rules, self.drop = var, frontier, keep, rules, drop
        self.before, self.after = before, after  # the totals' axis lengths before and after this layer


class Group:
    """One grid of totals and the switch combinations read off it."""

    def __init__(self, reduced, inner: set[int], axes: tuple[int, ...], sums: list, rules: list):
        self.reduced = reduced
        self.sums = sums
        self.lengths = [1] * len(sums)  # cells per axis: up to the largest threshold read, at most kmax + 1
        self.axis_of = {index: axis for axis, index in enumerate(axes)}  # sum index -> axis
        self.members: list[Member] = []
        problem = reduced.problem
        ranked = [var for var in problem.order if var in inner]
        self.order = ranked + sorted(inner - set(ranked))
        self.position = {var: layer for layer, var in enumerate(self.order)}
        self.rules = [(scope, self._table(scope, rows)) for scope, rows in rules]
        self.last_use: dict[int, int] = {}
        self.rules_at: dict[int, list] = {}
        for scope, table in self.rules:
            layer = max(self.position[var] for var in scope)
            self.rules_at.setdefault(layer, []).append((scope, table))
            for var in scope:
                self.last_use[var] = max(self.last_use.get(var, -1), layer)

    def add(self, member: Member) -> None:
        """Read this combination off the grid too: its thresholds may lengthen the axes."""
        for index, _kind, _bound, cells in member.tests.values():
            axis = self.axis_of[index]
            self.lengths[axis] = max(self.lengths[axis], min(cells, self.sums[axis].kmax + 1))
        self.members.append(member)

    def _table(self, scope: tuple[int, ...], rows: np.ndarray) -> np.ndarray:
        """A rule as a dense bool table over the positions of its variables' allowed values."""
        table = np.zeros([len(self.reduced.values(var)) for var in scope], dtype=bool)
        index = []
        for column, var in enumerate(scope):
            position = np.full(len(self.reduced.allowed[var]), -1)
            position[self.reduced.values(var)] = np.arange(len(self.reduced.values(var)))
            index.append(position[rows[:, column]])
        table[tuple(index)] = True
        return table

    # ------------------------------------------------------------ the plan
    def _layers(self):
        """The layers that change the grid; a variable no rule reads and no sum weighs only multiplies it."""
        frontier: list[int] = []
        reach = [0] * len(self.sums)
        for layer, var in enumerate(self.order):
            rules = self.rules_at.get(layer, [])
            keep = self.last_use.get(var, -1) > layer
            steps = [total.steps.get(var) for total in self.sums]
            if not rules and not keep and all(step is None for step in steps):
                yield var
                continue
            before = [min(length, r + 1) for length, r in zip(self.lengths, reach)]
            reach = [r + (int(step.max()) if step is not None else 0) for r, step in zip(reach, steps)]
            after = [min(length, r + 1) for length, r in zip(self.lengths, reach)]
            held = frontier + ([var] if keep else [])
            drop = [other for other in held if self.last_use[other] <= layer]
            yield _Layer(var, frontier, keep, rules, drop, before, after)
            frontier = [other for other in held if other not in drop]

    def size(self) -> tuple[int, int]:
        """(cells of the largest array a layer makes, cells written over all layers): known before any work."""
        peak, work = 1, 0
        for layer in self._layers():
            if isinstance(layer, _Layer):
                held = [len(self.reduced.values(var)) for var in layer.frontier]
                if layer.keep:
                    held.append(len(self.reduced.values(layer.var)))
                cells = math.prod(held) * math.prod(layer.after)
                peak = max(peak, cells)
                work += cells * (1 if layer.keep else len(self.reduced.values(layer.var)))
        return peak, work

    # ------------------------------------------------------------ the count
    def count(self, modulus: int | None) -> int:
        """The count of every member (modulo `modulus` when given; exact int64 otherwise)."""
        grid = np.ones((1,) * len(self.sums), dtype=np.int64)
        scale = 1
        for layer in self._layers():
            if isinstance(layer, _Layer):
                grid = self._step(grid, layer, modulus)
            else:
                scale *= len(self.reduced.values(layer))
        total = sum(self._read(member, grid) for member in self.members) * scale
        return total % modulus if modulus else total

    def _step(self, grid: np.ndarray, layer: _Layer, modulus: int | None) -> np.ndarray:
        """The grid after adding `layer.var`: each value's shifts, under the rules checked at this layer."""
        values = self.reduced.values(layer.var)
        sizes = [len(self.reduced.values(var)) for var in layer.frontier]
        held = len(sizes)
        new = np.zeros(sizes + ([len(values)] if layer.keep else []) + layer.after, dtype=np.int64)
        steps = [total.steps.get(layer.var) for total in self.sums]
        for positions, repeat in self._value_groups(layer, steps, len(values)):
            position = positions[0]
            source = grid
            if layer.rules:
                mask = self._mask(layer, position, sizes)
                if not mask.any():
                    continue
                source = grid * mask
            target = new[(slice(None),) * held + (position, Ellipsis)] if layer.keep else new
            shifts = [int(step[position]) if step is not None else 0 for step in steps]
            _add_shifted(target, source, held, shifts, layer.before, layer.after, repeat, modulus)
        axes = [axis for axis, var in enumerate(layer.frontier + ([layer.var] if layer.keep else []))
                if var in layer.drop]
        if axes:
            new = np.asarray(new.sum(axis=tuple(axes)))  # (an array even when no axis is left)
        if modulus:
            new %= modulus
        return new

    @staticmethod
    def _value_groups(layer: _Layer, steps: list, count: int) -> list[tuple[list[int], int]]:
        """Values that shift alike and meet no rule here are added once, times their number."""
        if layer.rules or layer.keep:
            return [([position], 1) for position in range(count)]
        alike: dict[tuple, list[int]] = {}
        for position in range(count):
            key = tuple(int(step[position]) if step is not None else 0 for step in steps)
            alike.setdefault(key, []).append(position)
        return [(positions, len(positions)) for positions in alike.values()]

    def _mask(self, layer: _Layer, position: int, sizes: list[int]) -> np.ndarray:
        """The rules checked at this layer, with its variable at the value in `position`, over the held axes."""
        mask = np.ones(sizes + [1] * len(self.sums), dtype=bool)
        for scope, table in layer.rules:
            sub = table.take(position, axis=scope.index(layer.var))
            others = [var for var in scope if var != layer.var]
            axes = [layer.frontier.index(var) for var in others]
            sub = sub.transpose(np.argsort(axes)) if others else sub
            shape = [1] * len(sizes) + [1] * len(self.sums)
            for var, axis in zip(others, axes):
                shape[axis] = sizes[axis]
            mask &= sub.reshape(shape)
        return mask

    def _read(self, member: Member, grid: np.ndarray) -> int:
        """The count of one switch combination: the cells whose comparisons its rules allow."""
        outcome = {}
        for var, (index, kind, bound, _cells) in member.tests.items():
            axis = self.axis_of[index]
            shape = [1] * grid.ndim
            shape[axis] = grid.shape[axis]
            outcome[var] = _holds(kind, bound, np.arange(grid.shape[axis])).reshape(shape)
        mask = np.ones(grid.shape, dtype=bool)
        for scope, table in member.tables:
            mask &= table[tuple(outcome.get(var, 0) for var in scope)]  # a comparison that does not matter: 0
        for var in member.relevant:
            allowed = self.reduced.allowed[var]
            if not allowed.all():
                mask &= allowed[outcome[var]]
        return int(np.sum(grid, where=mask, dtype=np.int64))


def _holds(kind: str, bound: int | None, cells: np.ndarray) -> np.ndarray:
    """Whether the comparison holds at each (clamped) k, as 0/1 to index rule tables with."""
    if kind == "le":
        result = cells <= bound
    elif kind == "ge":
        result = cells >= bound
    else:
        result = cells == bound if bound is not None else np.zeros(len(cells), dtype=bool)
        result = result if kind == "eq" else ~result
    return result.astype(np.int8)


def _add_shifted(target: np.ndarray, source: np.ndarray, held: int, shifts: list[int], before: list[int],
                 after: list[int], repeat: int, modulus: int | None) -> None:
    """target += source moved by `shifts` along the totals' axes (after `held` axes), clamped at each end.

    Per axis, the totals that stay within the target's cells move by slicing; those that pass its last
    cell are summed into it (that cell holds every total from there on).
    """
    parts = []
    for shift, old, new in zip(shifts, before, after):
        last = new - 1
        body = max(0, min(old, last - shift + 1))
        pieces = [(slice(0, body), slice(shift, shift + body), False)] if body else []
        if body < old:
            pieces.append((slice(body, old), slice(last, new), True))
        parts.append(pieces)
    lead = (slice(None),) * held
    for combination in product(*parts):
        piece = source[lead + tuple(src for src, _, _ in combination)]
        summed = tuple(held + axis for axis, (_, _, tail) in enumerate(combination) if tail)
        if summed:
            piece = piece.sum(axis=summed, keepdims=True)
            if modulus:
                piece %= modulus
        if repeat != 1:
            piece = piece * repeat
        target[lead + tuple(dst for _, dst, _ in combination) + (Ellipsis,)] += piece
