"""Latent-class model: a mixture of independent multinomials, fitted by EM."""

from __future__ import annotations

import numpy as np


class Mixture:
    """K components; each a product of per-feature categorical distributions.

    values: feature x row value codes (0..size-1); sizes: values per feature.
    Identical rows are merged with their counts first, so EM costs the distinct
    configurations only.
    """

    def __init__(self, values, sizes, components, smoothing=0.5, iterations=60, seed=0):
        self.sizes = np.asarray(sizes)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        width = int(self.sizes.sum())
        distinct, counts = np.unique(values.T, axis=0, return_counts=True)
        n = len(distinct)
        onehot = np.zeros((n, width))
        onehot[np.arange(n)[:, None], distinct + self.offsets] = 1.0
        feature_of = np.repeat(np.arange(len(self.sizes)), self.sizes)
        rng = np.random.default_rng(seed)
        k = min(components, n)
        resp = rng.dirichlet(np.ones(k) * 0.3, size=n)
        weights = counts.astype(float)
        for _ in range(iterations):
            r = resp * weights[:, None]
            mass = r.sum(axis=0)
            prior = (mass + 1e-3) / (mass.sum() + 1e-3 * k)
            counts_kv = r.T @ onehot + smoothing
            totals = np.add.reduceat(counts_kv, self.offsets, axis=1)
            theta = counts_kv / totals[:, feature_of]
            log_theta = np.log(theta)
            log_joint = onehot @ log_theta.T + np.log(prior)
            log_joint -= log_joint.max(axis=1, keepdims=True)
            resp = np.exp(log_joint)
            resp /= resp.sum(axis=1, keepdims=True)
        self.log_prior = np.log(prior)
        self.theta = theta  # component x flat value
        self.log_theta = log_theta

    def predict(self, target, picked, values, possible=None, share=1.0):
        """P(target value | picks), unnormalised over the target's values."""
        log_post = self.log_prior.copy()
        if picked:
            flat = self.offsets[np.array(picked)] + np.array(values)
            log_post += self.log_theta[:, flat].sum(axis=1)
        if possible is not None and share:
            # Each open feature's value must lie in its exact domain.
            open_mass = self.theta * possible
            sums = np.add.reduceat(open_mass, self.offsets, axis=1)
            skip = np.zeros(len(self.sizes), dtype=bool)
            skip[target] = True
            if picked:
                skip[np.array(picked)] = True
            log_post += share * np.log(np.maximum(sums[:, ~skip], 1e-300)).sum(axis=1)
        log_post -= log_post.max()
        post = np.exp(log_post)
        start = self.offsets[target]
        return post @ self.theta[:, start : start + self.sizes[target]]
