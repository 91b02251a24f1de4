"""Suggest the option a customer most likely wants for a feature, among the options still possible.

Learned from past configurations (all customers', and this customer's own):

- Each past configuration is a row of an integer matrix, one column per
  feature: the option's position in the catalog, or EMPTY when the feature was
  left empty (for a multi-select feature, the index of the set of options).
- Features inform each other unequally (the gearbox says a lot about the
  engine, the paint little), so each feature pair gets a weight: the share of
  the target feature's entropy that the other feature explains (normalised
  mutual information over the training rows).
- For a question, every row scores its agreement with the current picks,
  weighted by how much each picked feature tells about the target; rows vote
  for their value of the target with weight exp(sharpness * agreement), so the
  rows most like the current configuration decide and the rest only break
  ties. Only the values still possible vote (the exact domain from
  `Catalog.domains`, plus "leave empty" when the feature may stay empty).
- With `same_picks_decide`, when some rows hold every pick so far and a value
  still possible, those rows alone vote, by weight: what the customers who
  picked exactly the same chose. The similarity vote above speaks only when
  no row holds every pick. Where new sales may repeat old ones (the big
  Renault catalog's published split, or medium's sales split at random)
  this makes 7-8 % fewer errors; see bench/RECOMMEND.md, "Fourth attempt".
- The customer's own configurations come first: when they chose a value that
  is still possible, that is the suggestion ("your usual").

Pure Python and numpy; one question costs about a millisecond on a catalog of
268 features and 7,500 past configurations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .model import Feature
from .results import State

EMPTY = -1  # the feature was left empty
UNKNOWN = -2  # an option the catalog no longer has: never agrees, never votes
NO_MATCH = -3  # a pick no past configuration holds (a new set of a multi-select feature)

YOUR_USUAL = "your usual"
MOST_POPULAR = "most popular"

Picks = Mapping[str, "str | Sequence[str] | None"]


@dataclass(frozen=True)
class PastConfiguration:
    """One configuration to learn from: feature -> option id (or list), a weight, its owner."""

    selections: Picks
    weight: float = 1.0
    owner: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """The suggested option (None: leave the feature empty), its vote share and why."""

    feature: str
    option: str | None
    score: float
    reason: str
    source: str  # "own" (the customer's history), "similar" or "popular"
    # For "similar": the pick it goes with most often, as (feature id, option ids);
    # no option ids for "left empty". Pages word the reason from it in their language.
    because: tuple[str, tuple[str, ...]] | None = None

    @property
    def leave_empty(self) -> bool:
        """True when the suggestion is to choose nothing for the feature."""
        return self.option is None


@dataclass
class _Column:
    """How one feature's values are coded in the matrix."""

    feature: Feature
    index: int
    codes: dict = field(default_factory=dict)  # option id, or frozenset for multi-select -> code
    sets: list = field(default_factory=list)  # multi-select: code -> frozenset of option ids

    def code(self, picked: str | Sequence[str] | None, grow: bool = False) -> int:
        """The code of a value; new sets of a multi-select feature get a code when `grow`."""
        options = [picked] if isinstance(picked, str) else [o for o in picked or () if o]
        if not options:
            return EMPTY
        if not self.feature.multi:
            return self.codes.get(options[0], UNKNOWN)
        chosen = frozenset(options)
        if any(option not in self.codes for option in chosen):
            return UNKNOWN
        key = chosen
        if key not in self.codes and grow:
            self.codes[key] = len(self.sets)
            self.sets.append(chosen)
        return self.codes.get(key, NO_MATCH)


def as_past_configuration(configuration: PastConfiguration | Mapping) -> PastConfiguration:
    """A PastConfiguration from itself or from a plain selection dict."""
    if isinstance(configuration, PastConfiguration):
        return configuration
    return PastConfiguration(dict(configuration))


class Recommender:
    """Similarity-weighted voting over past configurations, restricted to the exact domains."""

    def __init__(
        self,
        features: Sequence[Feature],
        configurations: Iterable[PastConfiguration | Mapping] = (),
        *,
        sharpness: float = 12.0,
        same_picks_decide: bool = True,
    ):
        """Learn from past `configurations` (selection dicts or PastConfiguration) of `features`.

        `sharpness` is how strongly the rows most like the current picks
        outvote the others (0: plain popularity). `same_picks_decide`: the
        rows holding every pick so far, when one holds a value still
        possible, vote alone (see the module docstring).
        """
        self.features = list(features)
        self.sharpness = sharpness
        self.same_picks_decide = same_picks_decide
        self._columns = {
            feature.id: _Column(feature, index, {o.id: i for i, o in enumerate(feature.options)})
            for index, feature in enumerate(self.features)
        }
        rows = [as_past_configuration(c) for c in configurations]
        self.rows = len(rows)
        self.weights = np.array([row.weight for row in rows], dtype=np.float64)
        self.owners = np.array([row.owner for row in rows], dtype=object)
        # One feature per matrix row (features x configurations): a question reads
        # a few whole feature rows, which is contiguous memory this way round.
        self._values = self._encode([row.selections for row in rows], grow=True)
        self._association = self._feature_association()
        self._popularity = {f.id: self._vote(f.id, self.weights) for f in self.features}

    @classmethod
    def for_catalog(cls, catalog, configurations: Iterable, **options) -> Recommender:
        """A recommender over the features of a loaded `Catalog`."""
        return cls(catalog.model.features, configurations, **options)

    # ------------------------------------------------------------ training
    def _encode(self, selections: Sequence[Picks], grow: bool = False) -> np.ndarray:
        values = np.full((len(self.features), len(selections)), EMPTY, dtype=np.int16)
        for row, picks in enumerate(selections):
            for feature_id, picked in picks.items():
                column = self._columns.get(feature_id)
                if column is not None:
                    values[column.index, row] = column.code(picked, grow)
        return values

    def _feature_association(self) -> np.ndarray:
        """association[t, i]: share of feature t's entropy explained by feature i (0..1)."""
        n = len(self.features)
        association = np.zeros((n, n))
        if self.rows == 0:
            return association
        shifted = self._values.astype(np.int64) - UNKNOWN  # codes from 0
        sizes = shifted.max(axis=1) + 1
        varying = [i for i in range(n) if len(np.unique(shifted[i])) > 1]
        total = self.weights.sum()
        entropy = {i: _entropy(np.bincount(shifted[i], self.weights) / total) for i in varying}
        for a_pos, a in enumerate(varying):
            for b in varying[a_pos + 1 :]:
                joint = np.bincount(shifted[a] * sizes[b] + shifted[b], self.weights) / total
                mutual = entropy[a] + entropy[b] - _entropy(joint)
                association[a, b] = mutual / entropy[a]
                association[b, a] = mutual / entropy[b]
        return np.clip(association, 0.0, 1.0)

    # ------------------------------------------------------------ questions
    def recommend(
        self,
        feature_id: str,
        selection: Picks,
        state: State,
        customer: str | None = None,
        history: Iterable[PastConfiguration | Mapping] = (),
        *,
        explain_popular: bool = False,
    ) -> Recommendation | None:
        """The value of `feature_id` this customer most likely wants, among those `state` allows.

        `selection` holds the current picks (None or [] for a feature
        explicitly left empty); `state` is `catalog.domains(selection)`.
        The customer's own configurations are the training rows owned by
        `customer` plus `history`. None when nothing is possible or nothing
        is known to vote with. A suggestion that is also the most popular
        value is said to be "most popular", unless `explain_popular`: then a
        pick it goes with is named when there is one (the shop shows only
        suggestions with such a reason).
        """
        column = self._columns[feature_id]
        allowed = self._allowed(column, state)
        if not state.consistent or not allowed.any():
            return None
        evidence = [
            (self._columns[f].index, self._columns[f].code(picked))
            for f, picked in selection.items()
            if f != feature_id and f in self._columns
        ]
        own = self._own_vote(column, evidence, allowed, customer, history)
        if own is not None:
            return self._recommendation(column, own, allowed, YOUR_USUAL, "own")
        if self.rows == 0:
            return None
        popularity = self._popularity[feature_id]
        votes = self._same_picks_vote(feature_id, evidence, allowed)
        if votes is None:
            votes = self._vote(
                feature_id, self._similarity(column.index, evidence, self._values) * self.weights
            )
        if (votes * allowed).sum() <= 0:  # none of the similar rows holds a value still possible
            votes = popularity
        if (votes * allowed).sum() <= 0:
            return None
        best = self._best(votes, allowed, popularity)
        reason, because = MOST_POPULAR, None
        if explain_popular or best != self._best(popularity, allowed):
            because = self._because_pick(column, evidence, best)
            if because is not None:
                reason = self._because_text(column, best, because)
        source = "popular" if reason == MOST_POPULAR else "similar"
        return self._recommendation(column, votes, allowed, reason, source, best, because)

    def popular(self, feature_id: str, state: State) -> Recommendation | None:
        """The baseline: the most chosen value among the still possible ones, whatever the picks."""
        column = self._columns[feature_id]
        allowed = self._allowed(column, state)
        popularity = self._popularity[feature_id]
        if not state.consistent or (popularity * allowed).sum() <= 0:
            return None
        return self._recommendation(column, popularity, allowed, MOST_POPULAR, "popular")

    # ------------------------------------------------------------ helpers
    def _allowed(self, column: _Column, state: State) -> np.ndarray:
        """Per value (the options in catalog order, then "empty"): still possible?"""
        domain = set(state.domains.get(column.feature.id, ()))
        allowed = [option.id in domain for option in column.feature.options]
        allowed.append(column.feature.id in state.may_be_empty)
        return np.array(allowed, dtype=bool)

    def _similarity(
        self, target: int, evidence: list[tuple[int, int]], values: np.ndarray
    ) -> np.ndarray:
        """exp(sharpness * agreement) per row, relative to the best-agreeing row.

        Agreement sums, over the picks the row shares, how much each picked
        feature tells about the target (its association, 0..1), so that ten
        telling picks weigh more than one and unrelated picks weigh nothing.
        """
        if not evidence or values.shape[1] == 0:
            return np.ones(values.shape[1])
        indices = np.array([index for index, _ in evidence])
        codes = np.array([code for _, code in evidence], dtype=np.int16)
        agreement = self._association[target, indices] @ (values[indices] == codes[:, None])
        return np.exp(self.sharpness * (agreement - agreement.max()))

    def _same_picks_vote(
        self, feature_id: str, evidence: list[tuple[int, int]], allowed: np.ndarray
    ) -> np.ndarray | None:
        """The votes of the rows holding every pick, when asked and one holds an allowed value."""
        if not self.same_picks_decide:
            return None
        if not evidence:
            return self._popularity[feature_id]
        indices = np.array([index for index, _ in evidence])
        codes = np.array([code for _, code in evidence], dtype=np.int16)
        holding = (self._values[indices] == codes[:, None]).all(axis=0)
        if not holding.any():
            return None
        votes = self._vote(feature_id, np.where(holding, self.weights, 0.0))
        return votes if (votes * allowed).sum() > 0 else None

    def _vote(
        self, feature_id: str, weights: np.ndarray, values: np.ndarray | None = None
    ) -> np.ndarray:
        """Summed row weights per value of the feature: options in catalog order, then "empty"."""
        column = self._columns[feature_id]
        row = (self._values if values is None else values)[column.index]
        options = len(column.feature.options)
        if not column.feature.multi:
            counts = np.bincount(
                row.astype(np.int64) - UNKNOWN, weights, minlength=options - UNKNOWN
            )
            return np.append(counts[-UNKNOWN:], counts[EMPTY - UNKNOWN])
        votes = np.zeros(options + 1)
        for code, chosen in enumerate(column.sets):
            share = weights[row == code].sum()
            for option in chosen:
                votes[column.codes[option]] += share
        votes[options] = weights[row == EMPTY].sum()
        return votes

    def _own_vote(self, column, evidence, allowed, customer, history) -> np.ndarray | None:
        """The votes of the customer's own configurations, or None when none holds an allowed value.

        (A set of a multi-select feature that no training row holds does not vote.)
        """
        own = [as_past_configuration(c) for c in history]
        values = self._encode([c.selections for c in own])
        row_weights = np.array([c.weight for c in own], dtype=np.float64)
        if customer is not None and self.rows:
            mine = self.owners == customer
            values = np.concatenate([self._values[:, mine], values], axis=1)
            row_weights = np.concatenate([self.weights[mine], row_weights])
        if values.shape[1] == 0:
            return None
        weights = self._similarity(column.index, evidence, values) * row_weights
        votes = self._vote(column.feature.id, weights, values)
        return votes if (votes * allowed).sum() > 0 else None

    def _best(
        self, votes: np.ndarray, allowed: np.ndarray, popularity: np.ndarray | None = None
    ) -> int:
        """The allowed value with the most votes.

        Ties go to the more popular value, then to the first in catalog order ("empty" last).
        """
        masked = np.where(allowed, votes, -1.0)
        tied = np.flatnonzero(masked >= masked.max() * (1 - 1e-9))
        if popularity is not None and len(tied) > 1:
            return int(tied[np.argmax(popularity[tied])])
        return int(tied[0])

    def _because(self, column: _Column, evidence: list[tuple[int, int]], best: int) -> str | None:
        """Why `best`: "most chosen with <feature>=<option>", the pick it goes with most often."""
        because = self._because_pick(column, evidence, best)
        return None if because is None else self._because_text(column, best, because)

    def _because_text(
        self, column: _Column, best: int, because: tuple[str, tuple[str, ...]]
    ) -> str:
        """ "most chosen with <feature>=<option>" (or "most often left empty", "with no <feature>")."""
        verb = "most often left empty" if best == len(column.feature.options) else "most chosen"
        feature = self._columns[because[0]].feature
        if not because[1]:
            return f"{verb} with no {feature.name}"
        names = ", ".join(sorted(feature.option(option).name for option in because[1]))
        return f"{verb} with {feature.name}={names}"

    def _because_pick(
        self, column: _Column, evidence: list[tuple[int, int]], best: int
    ) -> tuple[str, tuple[str, ...]] | None:
        """The pick `best` goes with most often: (feature id, its option ids), or None."""
        if not evidence or column.feature.multi:
            return None
        code = EMPTY if best == len(column.feature.options) else best
        indices = np.array([index for index, _ in evidence])
        with_pick = (
            self._values[indices] == np.array([v for _, v in evidence], dtype=np.int16)[:, None]
        )
        hits = (with_pick & (self._values[column.index] == code)).sum(axis=1)
        share = hits / np.maximum(with_pick.sum(axis=1), 1)
        # Most telling pick first: highest share, then strongest association, then selection order.
        top = min(
            range(len(evidence)),
            key=lambda k: (-share[k], -self._association[column.index, indices[k]], k),
        )
        if hits[top] == 0:
            return None
        feature = self.features[evidence[top][0]]
        value = evidence[top][1]
        if value == EMPTY:
            return feature.id, ()
        return feature.id, _option_ids(feature, value, self._columns[feature.id])

    def _recommendation(
        self, column, votes, allowed, reason, source, best=None, because=None
    ) -> Recommendation:
        best = self._best(votes, allowed) if best is None else best
        options = column.feature.options
        option = options[best].id if best < len(options) else None
        total = float((votes * allowed).sum())
        return Recommendation(
            column.feature.id, option, float(votes[best]) / total, reason, source, because
        )


def recommend_next(
    catalog,
    selection: Picks,
    customer_history: Iterable[PastConfiguration | Mapping] = (),
    k: int = 3,
    *,
    recommender: Recommender | None = None,
    customer: str | None = None,
    facts: dict | None = None,
) -> list[Recommendation]:
    """Suggestions for the next `k` open features of `catalog`, in catalog order (the page's order).

    Open: nothing picked yet (a None pick counts as decided) and still a real
    choice (at least two of: its possible options, leaving it empty).
    `recommender` learned from all customers; without one, only the
    customer's own history (`customer_history`, or the recommender's rows
    owned by `customer`) speaks. `facts` are the `customer.*` facts the
    engine sees.
    """
    recommender = recommender or Recommender.for_catalog(catalog, ())
    history = list(customer_history)
    state = catalog.domains(selection, customer=facts)
    if not state.consistent:
        return []
    suggestions: list[Recommendation] = []
    for feature in catalog.model.features:
        if len(suggestions) == k:
            break
        choices = len(state.domains[feature.id]) + (feature.id in state.may_be_empty)
        if feature.id in selection or choices < 2:
            continue
        suggestion = recommender.recommend(feature.id, selection, state, customer, history)
        if suggestion is not None:
            suggestions.append(suggestion)
    return suggestions


def _entropy(probabilities: np.ndarray) -> float:
    p = probabilities[probabilities > 0]
    return float(-(p * np.log(p)).sum())


def _option_ids(feature: Feature, code: int, column: _Column) -> tuple[str, ...]:
    if feature.multi:
        return tuple(sorted(column.sets[code]))
    return (feature.options[code].id,)


__all__ = ["EMPTY", "PastConfiguration", "Recommendation", "Recommender", "recommend_next"]
