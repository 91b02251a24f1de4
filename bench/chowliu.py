"""Chow-Liu tree: the maximum mutual-information spanning tree, exact inference by messages."""

from __future__ import annotations

import numpy as np


class ChowLiuTree:
    """Pairwise model on the tree that keeps the most mutual information between features.

    `joint(a, b)` gives training counts of (value of a, value of b);
    `smoothing` is added to every pair count.
    """

    def __init__(self, sizes, joint, smoothing: float = 0.5):
        self.sizes = np.asarray(sizes)
        n = len(self.sizes)
        pairs = {}
        information = np.zeros((n, n))
        for a in range(n):
            for b in range(a + 1, n):
                p = joint(a, b) + smoothing
                p /= p.sum()
                outer = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
                information[a, b] = information[b, a] = float((p * np.log(p / outer)).sum())
                pairs[(a, b)] = p
        self.neighbours: list[list[int]] = [[] for _ in range(n)]
        self.potential = {}
        inside, best, parent = np.zeros(n, bool), information[0].copy(), np.zeros(n, int)
        inside[0] = True
        best[0] = -np.inf
        for _ in range(n - 1):  # Prim's algorithm
            b = int(np.argmax(np.where(inside, -np.inf, best)))
            a = int(parent[b])
            inside[b] = True
            self.neighbours[a].append(b)
            self.neighbours[b].append(a)
            p = pairs[(min(a, b), max(a, b))]
            p = p if a < b else p.T  # rows: a's values
            single_a, single_b = p.sum(axis=1), p.sum(axis=0)
            self.potential[(a, b)] = p / single_a[:, None] / single_b[None, :]
            self.potential[(b, a)] = self.potential[(a, b)].T
            closer = (information[b] > best) & ~inside
            best[closer], parent[closer] = information[b][closer], b
        self.single = [self._marginal(i, joint, smoothing) for i in range(n)]

    def _marginal(self, i, joint, smoothing):
        other = i + 1 if i + 1 < len(self.sizes) else i - 1
        counts = joint(i, other).sum(axis=1) if i < other else joint(other, i).sum(axis=0)
        p = counts + smoothing
        return p / p.sum()

    def predict(self, target: int, evidence: list[np.ndarray]) -> np.ndarray:
        """P(target | evidence): `evidence[i]` is feature i's indicator of allowed values."""

        def message(node: int, towards: int) -> np.ndarray:
            belief = self.single[node] * evidence[node]
            for other in self.neighbours[node]:
                if other != towards:
                    belief = belief * message(other, node)
            m = belief @ self.potential[(node, towards)]
            return m / max(m.max(), 1e-300)

        belief = self.single[target] * evidence[target]
        for other in self.neighbours[target]:
            belief = belief * message(other, target)
        return belief
