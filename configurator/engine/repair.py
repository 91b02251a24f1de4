"""Known solutions repaired into solutions with a wanted value, without the solver (for cpsat.py).

When a pick leaves the totals close to their bounds, a value is often
possible only together with two or three other changes that make up for it
on the totals (a dearer part, a lighter one elsewhere): one-feature
neighbours (witnesses.py) miss it and each such value cost a solver call.
Here a known solution gets the wanted value put in, and then, step by step,
the one change of a free feature that leaves it least broken: fewest rule
factors refused, and of the comparisons whose other value would mend their
factors, the sums closest to crossing their bounds (in parts of a typical
weight). A row that no factor refuses, its comparisons recomputed, is a
solution; only those are returned, so a miss costs a solver call, never
exactness. On a catalog with wide rules, each step also recomputes the
circuit parts (compile._Circuit) that the changed feature feeds, as the
neighbours do (witnesses.Neighbours.follow).
"""

from __future__ import annotations

import numpy as np

from .witnesses import Neighbours

STEPS = 2  # changes after the wanted value is put in
ROWS = 24  # rows repaired at once (wanted values times starting solutions)


class Repairs:
    """Greedy repairs over one catalog's factors and sums (see the module docstring)."""

    def __init__(self, neighbours: Neighbours):
        self.neighbours = neighbours
        self.sums = neighbours.sums
        factors = neighbours.factors
        checkable = [i for i in range(len(factors)) if neighbours._encoding(i) is not None]
        # a wide rule's circuit parts are recomputed at every step (Neighbours.follow), so their own
        # factors hold by construction: only the others are asked (51 of 701 on the deny-forbid catalog)
        self.asked = [i for i in checkable if i not in neighbours.implied]
        self.columns = {int(var): position for position, var in enumerate(self.sums.vars)} if self.sums else {}
        self.reach = {column: self._reach(var) for var, column in self.columns.items()}
        # a part too wide to recompute would look broken at every step: the repairs would cost their
        # scoring and never find a solution
        self.complete = len(checkable) == len(factors) and neighbours.follows_every_part

    def _reach(self, comparison: int) -> list[int]:
        """The asked factors that read the comparison, or a circuit part it feeds: what its flip can mend."""
        fed = {comparison}
        for part, inputs, _, _ in self.neighbours.circuits:  # a part's inputs come before it
            if fed.intersection(inputs):
                fed.add(part)
        reading = {i for var in fed for i in self.neighbours.factors_of.get(var, ())}
        return sorted(reading - self.neighbours.implied)

    def repaired(self, rows: np.ndarray, targets: list[tuple[int, int]], free: list[int]) -> np.ndarray:
        """Solutions made from `rows` (solutions) with a (var, value) of `targets` put in and up to
        `STEPS` changes of the `free` features (one/optional features only)."""
        flippable = self.neighbours.flippable
        free = [var for var in free if var in flippable]
        starts, locked = [], []
        for row in rows:
            for var, value in targets:
                if var in flippable and row[var] != value:
                    start = row.copy()
                    start[var] = value
                    starts.append(start)
                    locked.append(var)
        if self.sums is None or not self.complete or not free or not starts:
            return np.zeros((0, rows.shape[1]), dtype=rows.dtype)
        current, locked = np.array(starts[:ROWS], dtype=rows.dtype), np.array(locked[:ROWS])
        total = self.sums.totals(current)
        score = self.score(current, total, set(locked.tolist()))
        found = [current[score == 0]]
        change_var = np.array([u for u in free for _ in range(self.neighbours.sizes[u])], dtype=np.int64)
        change_value = np.array([y for u in free for y in range(self.neighbours.sizes[u])], dtype=rows.dtype)
        for _ in range(STEPS):
            open_rows = np.flatnonzero(score > 0)
            if not len(open_rows):
                break
            owner = np.repeat(open_rows, len(change_var))
            var, value = np.tile(change_var, len(open_rows)), np.tile(change_value, len(open_rows))
            keep = (var != locked[owner]) & (current[owner, var] != value)
            owner, var, value = owner[keep], var[keep], value[keep]
            if not len(owner):
                break
            trial = current[owner]
            trial[np.arange(len(trial)), var] = value
            trial_total = self.sums.shift(total[owner], var, current[owner, var], value)
            trial_score = self.score(trial, trial_total, set(var.tolist()))
            # the best change per row (owners are in runs): lowest score, first of equals
            order = np.lexsort((trial_score, owner))
            first = np.ones(len(order), dtype=bool)
            first[1:] = owner[order][1:] != owner[order][:-1]
            best = order[first]
            better = trial_score[best] < score[owner[best]]
            best = best[better]
            current[owner[best]] = trial[best]
            total[owner[best]] = trial_total[best]
            score[owner[best]] = trial_score[best]
            found.append(trial[best][trial_score[best] == 0])
        return np.vstack(found)

    def score(self, rows: np.ndarray, total: np.ndarray, changed: set[int]) -> np.ndarray:
        """How far each row is from a solution (0: it is one). `rows` were solutions but for the `changed`
        variables; their comparisons (from their sums `total`) and circuit parts are set here."""
        neighbours = self.neighbours
        neighbours.follow(rows, changed, total)
        refused = {i: ~neighbours._allows(i, rows) for i in self.asked}
        score = np.zeros(len(rows), dtype=np.float64)
        for index in self.asked:
            score += refused[index]
        distance = self.sums.to_flip(total) / self.sums.spread
        for column, reach in self.reach.items():
            if not reach:
                continue
            broken = np.any([refused[i] for i in reach], axis=0)
            if not broken.any():
                continue
            flipped = rows[broken]
            comparison = int(self.sums.vars[column])
            flipped[:, comparison] ^= 1
            neighbours.follow(flipped, {comparison})  # the parts that read the comparison flip with it
            mends = np.all([neighbours._allows(i, flipped) for i in reach], axis=0)
            where = np.flatnonzero(broken)[mends]
            score[where] += distance[where, column]
        return score
