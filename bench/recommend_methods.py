"""`python -m bench.recommend_methods --catalog medium [--folds 0-8] [--rows 40] [METHOD ...]`.

Compares candidate recommendation methods on the replays that
`python -m bench.recommend` keeps in bench/results/recommend-replay-<catalog>.jsonl
(the exact domain before each reveal); rows not replayed yet are replayed with
the engine and added to that file, so a `--rows N --spread` sample costs only
its own rows. Each
method sees what the engine's recommender sees: the picks revealed so far and
the asked feature's exact domain; its best still-possible value is its answer.
Training uses the rows outside each fold, as in bench.recommend. By default
it uses folds 0-8, so that fold 9 stays a test fold.

Methods (`name:parameters`):
  popular            most chosen value still possible (the baseline)
  knn:S              the engine's method at sharpness S (association-weighted agreement)
  ens:S1,S2,...      the mean of knn at several sharpnesses (each normalised)
  nb:B               naive Bayes over every pick, add-B smoothing
  backoff:K          rows matching the longest prefix of the picks, most telling first,
                     held by at least K rows with a still-possible value
  dom:S,B            knn at sharpness S whose agreement also counts, B times their
                     association, the features not yet picked whose value in the row
                     is still in the exact domain (needs replays that kept every domain)
  dedup:S,A          knn at sharpness S where a configuration seen n times weighs n^A
                     in all (A=1: as knn; A=0: each distinct configuration once)
  masked-lr:L        per feature, softmax regression on one-hot picks, trained on the
                     training rows with a random reveal order (the features revealed
                     before the asked one), L2 penalty L; slow (minutes per fold)
  mix:K,A[,B[,R]]    latent classes: a mixture of K product-of-multinomial components fitted
                     by EM with add-A counts; the posterior over components given the
                     picks (and, B times, the open features' domains); R seeds averaged
  tree:A[,D]         Chow-Liu tree (add-A pair counts), exact P(target | picks) by
                     messages; with D, the open features' domains as evidence too
  blend:S,A,W        log of knn:S's distribution plus W times the log of tree:A's
  poe:S,K,A,B,WK,WM,WP  weighted logs of knn:S's, mix:K,A,B's and popularity's distributions
  exact:S            the rows that share every pick so far vote by count (the empirical
                     P(target | picks)); knn:S when none of them holds a still-possible value
  exact:S,K          the same, only when at least K rows share every pick (weight of rows
                     with a still-possible value)
  exham:S,L          exact:S, but the fallback is ham:S,L
  exback:K           exact, but the fallback is backoff:K (the longest run of the most telling
                     picks that K rows still hold)
  expow:S,A          exact:S where each distinct configuration among the rows holding every
                     pick votes its count to the power A (A=1: exact:S)
  exsm:S,W           the exact-match counts smoothed by knn:S's vote shares as W pseudo-rows
                     (many rows sharing every pick: their counts decide; few: knn does)
  ham:S,L            knn:S whose agreement also counts L for each pick a row shares,
                     whatever its association (L large: the rows sharing the most picks decide)
  knn-oracle         knn with the best sharpness per feature, chosen on the test rows
                     themselves: an upper bound for a per-feature sharpness, not a method
"""

from __future__ import annotations

import argparse
import collections
import sys

import numpy as np

from configurator.engine import load_catalog

from .catalogs import selected
from .chowliu import ChowLiuTree
from .mixture import Mixture
from .recommend import RESULTS, ReplayCache, folds_path, published_folds, read_sales

ORACLE_SHARPNESS = (0, 1, 2, 3, 5, 8, 12, 25, 50)


class Replays:
    """The sales as a value matrix (feature x row; the last value of each feature is "empty").

    Replays come from the cache that `python -m bench.recommend` keeps; a row
    not cached yet is replayed with the engine and added to it, so a sample of
    rows costs only its own `domains()` calls.
    """

    def __init__(self, name: str, split: str = "published"):
        bench = selected(name)[0]
        self.catalog = load_catalog(bench.catalog)
        self.sales = read_sales(bench.sales)
        self.folds = np.array(published_folds(folds_path(name), self.sales)[0])
        if split == "random":
            # Each row in a random fold (seeded), identical configurations
            # wherever they fall: new customers drawn like the past ones.
            self.folds = np.random.default_rng(0).permutation(len(self.sales)) % 10
        used = {feature for row in self.sales for feature in row["selections"]}
        self.features = [f for f in self.catalog.model.features if f.id in used]
        self.index = {f.id: i for i, f in enumerate(self.features)}
        self.sizes = np.array([len(f.options) + 1 for f in self.features])
        codes = [{o.id: k for k, o in enumerate(f.options)} for f in self.features]
        self.values = np.empty((len(self.features), len(self.sales)), dtype=np.int32)
        for j, row in enumerate(self.sales):
            for i, feature in enumerate(self.features):
                picked = row["selections"].get(feature.id)
                self.values[i, j] = self.sizes[i] - 1 if picked is None else codes[i][picked]
        # Every (feature, value) pair has a position in one flat vector of "still possible".
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.cache = ReplayCache(RESULTS / f"recommend-replay-{name}.jsonl")

    def sample(self, fold: int, rows: int, spread: bool, cached: bool = False) -> list[int]:
        """`rows` rows of the fold: its first ones, or evenly spaced over it with `spread`.

        With `cached`, only rows already in the replay cache (filled in a
        random order, they are a uniform sample of the fold).
        """
        held_out = np.flatnonzero(self.folds == fold).tolist()
        if cached:
            held_out = [row for row in held_out if row in self.cache.rows]
        if spread and len(held_out) > rows:
            held_out = held_out[:: len(held_out) // rows]
        return held_out[:rows]

    def steps(self, row: int) -> list[tuple[int, np.ndarray]]:
        """[(feature position, allowed-value mask)] in the row's reveal order."""
        if row not in self.cache.rows:
            self.catalog.prepare()
            ids = [f.id for f in self.features]
            self.cache.steps(self.catalog, row, self.sales[row], ids)
        replay = []
        for feature_id, allowed, may_be_empty, _ in self.cache.rows[row]:
            i = self.index[feature_id]
            mask = np.zeros(self.sizes[i], dtype=bool)
            mask[allowed] = True
            mask[-1] = may_be_empty
            replay.append((i, mask))
        return replay

    def still_possible(self, row: int) -> list[np.ndarray | None]:
        """Per step of the row's replay: every (feature, value) pair's "still possible" flag.

        None for each step when the replay was cached without every domain.
        """
        if row not in self.cache.pruned:
            return [None] * len(self.cache.rows[row])
        possible = np.ones(int(self.sizes.sum()), dtype=bool)
        flags = []
        for removed in self.cache.pruned[row]:
            for i, k in removed:
                possible[self.offsets[i] + (self.sizes[i] - 1 if k == -1 else k)] = False
            flags.append(possible.copy())
        return flags


class Counts:
    """What every method learns from the training rows: popularity, association, joint counts."""

    def __init__(self, data: Replays, training: np.ndarray):
        self.sizes = data.sizes
        self.values = training
        self.rows = training.shape[1]
        self.offsets = data.offsets
        self.flat = training + data.offsets[:, None]  # positions in the "still possible" vector
        self.popularity = [
            np.bincount(training[i], minlength=s).astype(float) for i, s in enumerate(self.sizes)
        ]
        self._joint: dict[tuple[int, int], np.ndarray] = {}
        self.association = self._association()

    def _association(self) -> np.ndarray:
        """As the engine: the share of the target's entropy each other feature explains."""
        n = len(self.sizes)
        association = np.zeros((n, n))
        entropy = [_entropy(p / self.rows) for p in self.popularity]
        for a in range(n):
            for b in range(a + 1, n):
                if entropy[a] == 0 or entropy[b] == 0:
                    continue
                mutual = entropy[a] + entropy[b] - _entropy(self.joint(a, b).ravel() / self.rows)
                association[a, b] = mutual / entropy[a]
                association[b, a] = mutual / entropy[b]
        return np.clip(association, 0, 1)

    def joint(self, a: int, b: int) -> np.ndarray:
        """Counts of (value of a, value of b) over the training rows."""
        if (a, b) not in self._joint:
            pair = self.values[a] * self.sizes[b] + self.values[b]
            counts = np.bincount(pair, minlength=self.sizes[a] * self.sizes[b])
            self._joint[(a, b)] = counts.reshape(self.sizes[a], self.sizes[b]).astype(float)
        return self._joint[(a, b)]

    def agreement(self, target: int, picked: list[int], values: list[int]) -> np.ndarray:
        """Per training row: summed association of the picks it shares, minus the best row's."""
        if not picked:
            return np.zeros(self.rows)
        agreement = self.association[target, picked] @ self.matches(picked, values)
        return agreement - agreement.max()

    def matches(self, picked: list[int], values: list[int]) -> np.ndarray:
        """Pick x training row: does the row hold the pick? (the last question's, reused)"""
        key = (tuple(picked), tuple(values))
        if getattr(self, "_matches_key", None) != key:
            self._matches_key = key
            self._matches = self.values[picked] == np.array(values)[:, None]
        return self._matches

    def knn(self, target: int, agreement: np.ndarray, mask: np.ndarray, sharpness: float):
        """Votes of every row, weighted exp(sharpness * agreement), on the allowed values."""
        votes = np.bincount(self.values[target], np.exp(sharpness * agreement), self.sizes[target])
        votes = votes * mask
        return votes if votes.sum() > 0 else self.popularity[target] * mask


def predict(
    method: str, counts: Counts, target: int, picked, values, mask, possible=None
) -> np.ndarray:
    """Scores per value of the target (higher is better) for one question.

    `possible`: every (feature, value) pair's "still possible" flag, when the
    replay kept every domain.
    """
    name, _, parameters = method.partition(":")
    numbers = [float(p) for p in parameters.split(",") if p]
    if name == "popular":
        return counts.popularity[target] * mask
    if name in ("knn", "ens"):
        agreement = counts.agreement(target, picked, values)
        total = np.zeros(counts.sizes[target])
        for sharpness in numbers:
            votes = counts.knn(target, agreement, mask, sharpness)
            total += votes / max(votes.sum(), 1e-300)
        return total
    if name == "exact":
        return _exact_match(counts, target, picked, values, mask, *numbers)
    if name == "exham":
        votes = _exact_votes(counts, target, picked, values, mask)
        if votes.sum() > 0:
            return votes
        return _knn_with_matches(counts, target, picked, values, mask, *numbers)
    if name == "exback":
        votes = _exact_votes(counts, target, picked, values, mask)
        if votes.sum() > 0:
            return votes
        return _backoff(counts, target, picked, values, mask, int(numbers[0]))
    if name == "expow":
        return _exact_power(counts, target, picked, values, mask, *numbers)
    if name == "exsm":
        return _exact_smoothed(counts, target, picked, values, mask, *numbers)
    if name == "ham":
        return _knn_with_matches(counts, target, picked, values, mask, *numbers)
    if name == "dom":
        return _knn_with_domains(counts, target, picked, values, mask, possible, *numbers)
    if name == "dedup":
        return _knn_deduplicated(counts, target, picked, values, mask, *numbers)
    if name == "mix":
        return _mixture(counts, numbers).predict(target, picked, values, mask, possible)
    if name == "tree":
        return _tree(counts, target, picked, values, mask, possible, *numbers)
    if name == "blend":
        return _blend(counts, target, picked, values, mask, possible, *numbers)
    if name == "poe":
        return _product_of_experts(counts, target, picked, values, mask, possible, numbers)
    if name == "masked-lr":
        return _masked_regression(counts, numbers[0]).scores(target, picked, values, mask)
    if name == "nb":
        return _naive_bayes(counts, target, picked, values, numbers[0])
    if name == "backoff":
        return _backoff(counts, target, picked, values, mask, int(numbers[0]))
    raise SystemExit(f"unknown method {method!r}")


def _knn_with_domains(counts: Counts, target, picked, values, mask, possible, sharpness, share):
    """knn whose agreement also counts the open features where the row is still possible."""
    if possible is None:
        raise SystemExit("dom needs replays cached with every domain: rebuild the replay file")
    agreement = counts.agreement(target, picked, values)
    others = [i for i in range(len(counts.sizes)) if i != target and i not in set(picked)]
    if others:
        inside = possible[counts.flat[others]]  # open feature x training row
        agreement = agreement + share * (counts.association[target, others] @ inside)
    return counts.knn(target, agreement - agreement.max(), mask, sharpness)


def _shared_picks(counts: Counts, picked, values) -> np.ndarray:
    """Per training row: how many of the picks so far it shares."""
    if not picked:
        return np.zeros(counts.rows)
    return counts.matches(picked, values).sum(axis=0)


def _exact_votes(counts: Counts, target, picked, values, mask) -> np.ndarray:
    """The still-possible values' counts among the rows sharing every pick."""
    sharing = _shared_picks(counts, picked, values) == len(picked)
    votes = np.bincount(counts.values[target][sharing], minlength=counts.sizes[target]) * mask
    return votes.astype(float)


def _exact_match(counts: Counts, target, picked, values, mask, sharpness, least=1):
    """The rows sharing every pick vote by count; knn when fewer than `least` of them vote."""
    votes = _exact_votes(counts, target, picked, values, mask)
    if votes.sum() >= least:
        return votes
    return counts.knn(target, counts.agreement(target, picked, values), mask, sharpness)


def _exact_power(counts: Counts, target, picked, values, mask, sharpness, power):
    """Rows holding every pick vote; a configuration sold n times among them weighs n^power."""
    if not hasattr(counts, "seen"):
        _, inverse, seen = np.unique(
            counts.values.T, axis=0, return_inverse=True, return_counts=True
        )
        counts.seen = seen[inverse.ravel()].astype(float)
    sharing = _shared_picks(counts, picked, values) == len(picked)
    weights = np.where(sharing, counts.seen ** (power - 1.0), 0.0)
    votes = np.bincount(counts.values[target], weights, counts.sizes[target]) * mask
    if votes.sum() > 0:
        return votes
    return counts.knn(target, counts.agreement(target, picked, values), mask, sharpness)


def _exact_smoothed(counts: Counts, target, picked, values, mask, sharpness, pseudo_rows):
    """Counts of the rows sharing every pick, plus knn's shares as `pseudo_rows` rows."""
    exact = _exact_votes(counts, target, picked, values, mask)
    votes = counts.knn(target, counts.agreement(target, picked, values), mask, sharpness)
    return exact + pseudo_rows * votes / max(votes.sum(), 1e-300)


def _knn_with_matches(counts: Counts, target, picked, values, mask, sharpness, per_pick):
    """knn whose agreement adds `per_pick` for every pick a row shares."""
    agreement = counts.agreement(target, picked, values)
    agreement = agreement + per_pick * _shared_picks(counts, picked, values)
    return counts.knn(target, agreement - agreement.max(), mask, sharpness)


def _knn_deduplicated(counts: Counts, target, picked, values, mask, sharpness, power):
    """knn where a configuration seen n times weighs n^power in all."""
    if not hasattr(counts, "seen"):
        _, inverse, seen = np.unique(
            counts.values.T, axis=0, return_inverse=True, return_counts=True
        )
        counts.seen = seen[inverse.ravel()].astype(float)
    weights = np.exp(sharpness * counts.agreement(target, picked, values))
    weights *= counts.seen ** (power - 1.0)
    votes = np.bincount(counts.values[target], weights, counts.sizes[target]) * mask
    return votes if votes.sum() > 0 else counts.popularity[target] * mask


def _mixture(counts: Counts, numbers: list[float]) -> Mixture:
    """The mixture `mix:K,A[,B[,R]]` fitted once per fold's training rows (R seeds averaged)."""
    components, smoothing = int(numbers[0]), numbers[1]
    share = numbers[2] if len(numbers) > 2 else 0.0
    seeds = int(numbers[3]) if len(numbers) > 3 else 1
    key = (components, smoothing, seeds)
    fitted = counts.__dict__.setdefault("mixtures", {})
    if key not in fitted:
        fitted[key] = [
            Mixture(counts.values, counts.sizes, components, smoothing, seed=seed)
            for seed in range(seeds)
        ]
    return MixtureVote(fitted[key], share)


class MixtureVote:
    """The mean predictive distribution of several fitted mixtures."""

    def __init__(self, mixtures: list[Mixture], share: float):
        self.mixtures, self.share = mixtures, share

    def predict(self, target, picked, values, mask, possible) -> np.ndarray:
        total = np.zeros(self.mixtures[0].sizes[target])
        for mixture in self.mixtures:
            p = mixture.predict(target, picked, values, possible, self.share) * mask
            total += p / max(p.sum(), 1e-300)
        return total


def _tree(counts: Counts, target, picked, values, mask, possible, smoothing, domains=0.0):
    """`tree:A[,D]`: the Chow-Liu tree's P(target | picks); with D, the open features' domains."""
    fitted = counts.__dict__.setdefault("trees", {})
    if smoothing not in fitted:
        fitted[smoothing] = ChowLiuTree(counts.sizes, counts.joint, smoothing)
    evidence = [np.ones(size) for size in counts.sizes]
    if domains and possible is not None:
        evidence = [possible[o : o + s].astype(float) for o, s in zip(counts.offsets, counts.sizes)]
    for i, value in zip(picked, values):
        evidence[i] = np.zeros(counts.sizes[i])
        evidence[i][value] = 1.0
    evidence[target] = mask.astype(float)
    return fitted[smoothing].predict(target, evidence)


def _blend(counts: Counts, target, picked, values, mask, possible, sharpness, smoothing, weight):
    """`blend:S,A,W`: log of knn's distribution (sharpness S) plus W times the tree's (A)."""
    agreement = counts.agreement(target, picked, values)
    score = np.log(_share(counts.knn(target, agreement, mask, sharpness)) + 1e-6)
    tree = _tree(counts, target, picked, values, mask, possible, smoothing)
    score += weight * np.log(_share(tree * mask) + 1e-6)
    return np.exp(score - score[mask].max()) * mask


def _share(p: np.ndarray) -> np.ndarray:
    return p / max(p.sum(), 1e-300)


def _product_of_experts(counts: Counts, target, picked, values, mask, possible, numbers):
    """`poe:S,K,A,B,WK,WM,WP`: weighted sum of the log of knn's, the mixture's and popularity's
    distributions (each normalised over the allowed values)."""
    sharpness, components, smoothing, share, w_knn, w_mix, w_pop = numbers
    agreement = counts.agreement(target, picked, values)
    experts = [
        counts.knn(target, agreement, mask, sharpness),
        _mixture(counts, [components, smoothing, share]).predict(
            target, picked, values, mask, possible
        ),
        counts.popularity[target] * mask,
    ]
    score = np.zeros(counts.sizes[target])
    for weight, p in zip((w_knn, w_mix, w_pop), experts):
        p = p / max(p.sum(), 1e-300)
        score += weight * np.log(p + 1e-4)
    return np.exp(score - score[mask].max()) * mask


def _masked_regression(counts: Counts, penalty: float) -> MaskedRegression:
    """The regression trained once per fold's training rows."""
    if getattr(counts, "regression", None) is None or counts.regression.penalty != penalty:
        counts.regression = MaskedRegression(counts.sizes, counts.values, penalty)
    return counts.regression


class MaskedRegression:
    """Per feature, softmax regression on the one-hot picks revealed before it.

    Trained as the benchmark asks: each training row gets a random reveal
    order, and the features before the asked one are its inputs. Full-batch
    Adam, numpy only.
    """

    STEPS = 150

    def __init__(self, sizes: np.ndarray, values: np.ndarray, penalty: float, seed: int = 0):
        self.sizes, self.penalty = sizes, penalty
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.width = int(sizes.sum()) + 1  # one column per (feature, value), then a bias
        rng = np.random.default_rng(seed)
        features, rows = values.shape
        self.weights = {}
        for target in range(features):
            if len(np.unique(values[target])) < 2:
                continue
            keys = rng.random((rows, features))
            revealed = keys < keys[:, [target]]  # before the target in a random order
            revealed[:, target] = False
            self.weights[target] = self._fit(self._inputs(values.T, revealed), values[target])

    def _inputs(self, rows: np.ndarray, revealed: np.ndarray) -> np.ndarray:
        inputs = np.zeros((len(rows), self.width), dtype=np.float32)
        where, feature = np.nonzero(revealed)
        inputs[where, self.offsets[feature] + rows[where, feature]] = 1.0
        inputs[:, -1] = 1.0
        return inputs

    def _fit(self, inputs: np.ndarray, truth: np.ndarray) -> np.ndarray:
        rows, classes = len(truth), int(truth.max()) + 1
        target = np.zeros((rows, classes), dtype=np.float32)
        target[np.arange(rows), truth] = 1.0
        weights = np.zeros((self.width, classes), dtype=np.float32)
        first = np.zeros_like(weights)
        second = np.zeros_like(weights)
        for step in range(1, self.STEPS + 1):
            logits = inputs @ weights
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            gradient = inputs.T @ (p - target) / rows
            gradient[:-1] += self.penalty / rows * weights[:-1]
            first = 0.9 * first + 0.1 * gradient
            second = 0.999 * second + 0.001 * gradient**2
            weights -= (
                0.1 * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
            )
        return weights

    def scores(self, target: int, picked, values, mask) -> np.ndarray:
        """Probabilities of the target's values among the allowed ones (popularity-free)."""
        if target not in self.weights:
            return mask.astype(float)
        inputs = np.zeros(self.width, dtype=np.float32)
        inputs[-1] = 1.0
        if picked:
            inputs[self.offsets[np.array(picked)] + np.array(values)] = 1.0
        logits = inputs @ self.weights[target]
        full = np.full(self.sizes[target], -np.inf)
        full[: len(logits)] = logits
        return np.exp(np.where(mask, full, -np.inf) - np.max(np.where(mask, full, -np.inf)))


def _naive_bayes(counts: Counts, target, picked, values, smoothing: float) -> np.ndarray:
    """log P(value) + the sum over picks of log P(pick | value), add-`smoothing` counts."""
    given = counts.popularity[target]
    scores = np.log(given + 1.0)
    for i, value in zip(picked, values):
        joint = counts.joint(target, i)[:, value]
        scores = scores + np.log(joint + smoothing) - np.log(given + smoothing * counts.sizes[i])
    return scores


def _backoff(counts: Counts, target, picked, values, mask, least: int) -> np.ndarray:
    """Votes of the rows sharing the most telling picks, as many as `least` rows still allow."""
    column = counts.values[target]
    if not picked:
        return counts.popularity[target] * mask
    order = np.argsort(-counts.association[target, picked], kind="stable")
    rows = counts.values[np.array(picked)[order]] == np.array(values)[order][:, None]
    matching = np.logical_and.accumulate(rows, axis=0) & mask[column]
    held = np.flatnonzero(matching.sum(axis=1) >= least)
    if not len(held):
        return counts.popularity[target] * mask
    return np.bincount(column[matching[held[-1]]], minlength=counts.sizes[target]).astype(float)


def best(scores: np.ndarray, mask: np.ndarray, popularity: np.ndarray) -> int:
    """The allowed value with the highest score; ties to the more popular, then the first."""
    masked = np.where(mask, scores, -np.inf)
    tied = np.flatnonzero(masked >= masked.max() - 1e-12 * abs(masked.max()))
    return int(tied[np.argmax(popularity[tied])])


def compare(
    data: Replays,
    folds: list[int],
    rows: int,
    methods: list[str],
    oracle_too: bool,
    spread: bool = False,
    cached: bool = False,
) -> dict:
    """Replay `rows` cached rows of each fold; errors per method (and the oracle).

    The first rows, or with `spread` rows evenly spaced over the fold: medium's
    folds hold runs of identical configurations, so its first 200 rows of
    fold 0 are only 7 distinct configurations.
    """
    wrong = collections.Counter()
    oracle = collections.defaultdict(lambda: np.zeros(len(ORACLE_SHARPNESS)))
    questions = 0
    replayed = 0
    by_fold: dict[int, dict] = {}
    for fold in folds:
        wrong_before, questions_before = collections.Counter(wrong), questions
        counts = Counts(data, data.values[:, data.folds != fold])
        held_out = data.sample(fold, rows, spread, cached)
        replayed += len(held_out)
        for row in held_out:
            truth = data.values[:, row]
            picked: list[int] = []
            for (target, mask), possible in zip(data.steps(row), data.still_possible(row)):
                questions += 1
                values = list(truth[picked])
                pop = counts.popularity[target]
                for method in methods:
                    scores = predict(method, counts, target, picked, values, mask, possible)
                    wrong[method] += best(scores, mask, pop) != truth[target]
                if oracle_too:
                    agreement = counts.agreement(target, picked, values)
                    for k, sharpness in enumerate(ORACLE_SHARPNESS):
                        votes = counts.knn(target, agreement, mask, sharpness)
                        oracle[target][k] += best(votes, mask, pop) != truth[target]
                picked.append(target)
        asked = questions - questions_before
        by_fold[fold] = {
            "questions": asked,
            "errors": {m: 100 * (wrong[m] - wrong_before[m]) / max(asked, 1) for m in methods},
        }
    errors = {m: 100 * wrong[m] / max(questions, 1) for m in methods}
    if oracle:
        per_sharpness = sum(oracle.values())
        errors.update(
            {f"knn:{s:g}": 100 * e / questions for s, e in zip(ORACLE_SHARPNESS, per_sharpness)}
        )
        errors["knn-oracle"] = 100 * sum(e.min() for e in oracle.values()) / questions
    return {"rows": replayed, "questions": questions, "errors": errors, "folds": by_fold}


def _entropy(p: np.ndarray) -> float:
    """Shannon entropy (nats) of a probability vector."""
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def main(argv: list[str] | None = None) -> int:
    """Compare the methods named on the command line on the cached replays."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.recommend_methods", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--catalog", default="medium", choices=["medium", "big"])
    parser.add_argument("--folds", default="0-8", help="e.g. 0-8 (default), or 9")
    parser.add_argument("--rows", type=int, default=40, help="cached rows per fold (default 40)")
    parser.add_argument(
        "--spread", action="store_true", help="rows evenly spaced over each fold, not the first"
    )
    parser.add_argument(
        "--cached", action="store_true", help="only rows already in the replay cache"
    )
    parser.add_argument(
        "--split",
        choices=["published", "random"],
        default="published",
        help="the published folds file (default) or each row in a random fold",
    )
    parser.add_argument("methods", nargs="*", default=["popular", "knn:5", "knn-oracle"])
    args = parser.parse_args(argv)
    first, _, last = args.folds.partition("-")
    folds = list(range(int(first), int(last or first) + 1))
    data = Replays(args.catalog, args.split)
    methods = [m for m in args.methods if m != "knn-oracle"]
    result = compare(
        data, folds, args.rows, methods, "knn-oracle" in args.methods, args.spread, args.cached
    )
    print(
        f"{args.catalog}, folds {args.folds}: {result['rows']} rows, {result['questions']} questions"
    )
    for method, error in result["errors"].items():
        line = f"  {method:<16} {error:.2f}% wrong"
        per_fold = [f["errors"][method] for f in result["folds"].values() if method in f["errors"]]
        if len(per_fold) > 1:
            line += f"; folds {' '.join(f'{e:.2f}' for e in per_fold)}"
            line += f"; mean {np.mean(per_fold):.2f} ± {np.std(per_fold, ddof=1):.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
