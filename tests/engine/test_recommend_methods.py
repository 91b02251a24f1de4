"""bench.recommend_methods' candidate models and the published split they are measured on."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bench.chowliu import ChowLiuTree
from bench.mixture import Mixture
from bench.recommend import published_folds
from bench.recommend_methods import Counts, predict

# Three features, values coded 0..size-1: feature 1 copies feature 0 (two
# families of configurations), feature 2 is the same everywhere but one row.
ROWS = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 1], [1, 1, 0], [1, 1, 0], [1, 1, 0]]).T
SIZES = np.array([2, 2, 2])


def joint(a: int, b: int) -> np.ndarray:
    """Counts of (value of a, value of b) over ROWS."""
    counts = np.zeros((SIZES[a], SIZES[b]))
    np.add.at(counts, (ROWS[a], ROWS[b]), 1)
    return counts


def test_published_folds_reads_one_digit_per_row_and_ignores_the_extra_digits(tmp_path):
    path = tmp_path / "folds.txt"
    path.write_text("01234\n56789\n01\n", encoding="utf-8")
    folds, split = published_folds(path, [{}] * 10)
    assert folds == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert "first 10 of its 12 digits" in split
    with pytest.raises(SystemExit, match="12 fold digits for 13 sales rows"):
        published_folds(path, [{}] * 13)


@pytest.mark.parametrize("picked", [0, 1])
def test_the_tree_carries_a_pick_to_the_feature_it_determines(picked):
    tree = ChowLiuTree(SIZES, joint, smoothing=0.1)
    evidence = [np.ones(2), np.ones(2), np.ones(2)]
    evidence[0] = np.eye(2)[picked]
    p = tree.predict(1, evidence)
    assert int(np.argmax(p)) == picked
    assert p[picked] / p.sum() > 0.9


def test_the_tree_gives_nothing_to_a_value_outside_the_domain():
    tree = ChowLiuTree(SIZES, joint, smoothing=0.1)
    evidence = [np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.ones(2)]
    p = tree.predict(1, evidence)  # the pick says 1, the domain allows only 0
    assert p[1] == 0 and p[0] > 0


@pytest.mark.parametrize("picked", [0, 1])
def test_the_mixture_finds_the_family_of_the_pick(picked):
    mixture = Mixture(ROWS, SIZES, components=2, smoothing=0.1)
    p = mixture.predict(1, [0], [picked])
    assert int(np.argmax(p)) == picked
    assert p[picked] / p.sum() > 0.8


def training_counts() -> Counts:
    """What the methods learn from ROWS."""
    offsets = np.concatenate([[0], np.cumsum(SIZES)[:-1]])
    return Counts(SimpleNamespace(sizes=SIZES, offsets=offsets), ROWS)


def test_exact_lets_the_rows_holding_every_pick_vote_by_count():
    counts = training_counts()
    allowed = np.ones(2, dtype=bool)
    # Rows 0-2 hold feature 0 = 0: two of them have feature 2 = 0, one has 1.
    assert predict("exact:5", counts, 2, [0], [0], allowed).tolist() == [2.0, 1.0]
    # Only the value still possible counts; with none possible among them, knn speaks.
    only_one = np.array([False, True])
    assert predict("exact:5", counts, 2, [0], [0], only_one).tolist() == [0.0, 1.0]
    assert shares(predict("exact:5,2", counts, 2, [0], [0], only_one)) == pytest.approx(
        shares(predict("knn:5", counts, 2, [0], [0], only_one))
    )


def test_exact_falls_back_to_knn_when_no_row_holds_every_pick():
    counts = training_counts()
    allowed = np.ones(2, dtype=bool)
    # No row has feature 0 = 1 and feature 2 = 1; feature 1 copies feature 0.
    votes = predict("exact:5", counts, 1, [0, 2], [1, 1], allowed)
    assert shares(votes) == pytest.approx(
        shares(predict("knn:5", counts, 1, [0, 2], [1, 1], allowed))
    )
    assert shares(votes)[1] > 0.9  # not the even split of every row


def shares(votes: np.ndarray) -> np.ndarray:
    """Votes as shares of their total."""
    return votes / votes.sum()
