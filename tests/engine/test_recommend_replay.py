"""bench.recommend's replay cache: a replayed question reads back what the engine answered live."""

from __future__ import annotations

from bench.recommend import ReplayCache, replay, replay_pruned, reveal_order, step_state
from configurator.engine.catalog import Catalog
from configurator.engine.recommend import PastConfiguration, Recommender

CATALOG = """
catalog: replay-bike
name: Replay test bike
version: 1
currency: EUR
features:
  - id: frame
    name: Frame
    dimension: product
    choose: one
    options:
      - {id: alu, name: Aluminium}
      - {id: carbon, name: Carbon}
  - id: brakes
    name: Brakes
    dimension: product
    choose: one
    options:
      - {id: rim, name: Rim}
      - {id: disc, name: Disc}
  - id: bell
    name: Bell
    dimension: product
    choose: optional
    options:
      - {id: bell, name: Bell}
constraints:
  - id: carbon-needs-disc
    if: frame == carbon
    then: brakes in [disc]
"""
FEATURES = ["frame", "brakes", "bell"]
ROW = {"selections": {"frame": "carbon", "brakes": "disc"}, "order": ["frame", "brakes"]}


def test_replay_gives_each_asked_features_exact_domain_before_its_reveal():
    catalog = Catalog.from_text(CATALOG)
    steps = replay(catalog, ROW, 7, FEATURES)
    order = reveal_order(ROW, 7, FEATURES)
    assert [step[0] for step in steps] == order
    selection: dict = {}
    for step in steps:
        live = catalog.domains(selection)
        cached = step_state(catalog, step)
        assert cached.domains[step[0]] == live.domains[step[0]]
        assert (step[0] in cached.may_be_empty) == (step[0] in live.may_be_empty)
        selection[step[0]] = ROW["selections"].get(step[0])
    brakes = next(step for step in steps if step[0] == "brakes")
    frame_first = order.index("frame") < order.index("brakes")
    assert brakes[1] == ([1] if frame_first else [0, 1])  # carbon leaves only disc


def test_pruned_values_give_every_sales_features_exact_domain_at_each_step():
    catalog = Catalog.from_text(CATALOG)
    steps, pruned = replay_pruned(catalog, ROW, 7, FEATURES)
    assert len(pruned) == len(steps)
    still_open = {
        (i, k)
        for i, feature in enumerate(FEATURES)
        for k in range(-1, len(catalog.model.feature(feature).options))
    }
    selection: dict = {}
    for step, removed in zip(steps, pruned):
        still_open -= {tuple(pair) for pair in removed}
        live = catalog.domains(selection)
        for i, feature in enumerate(FEATURES):
            options = catalog.model.feature(feature).options
            kept = [options[k].id for k in range(len(options)) if (i, k) in still_open]
            assert kept == live.domains[feature]
            assert ((i, -1) in still_open) == (feature in live.may_be_empty)
        selection[step[0]] = ROW["selections"].get(step[0])
    # after frame=carbon, rim brakes are gone: some step removed (brakes, rim)
    assert [1, 0] in [pair for removed in pruned for pair in removed]


def test_cache_file_is_read_back_and_a_torn_last_line_is_skipped(tmp_path):
    catalog = Catalog.from_text(CATALOG)
    path = tmp_path / "replay.jsonl"
    written = ReplayCache(path).steps(catalog, 3, ROW, FEATURES)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"row": 4, "steps": [["fra')  # a run killed mid-write
    again = ReplayCache(path)
    assert again.rows == {3: written}
    assert again.pruned == {3: replay_pruned(catalog, ROW, 3, FEATURES)[1]}


def test_recommender_answers_alike_on_the_cached_and_the_live_state():
    catalog = Catalog.from_text(CATALOG)
    history = [PastConfiguration({"frame": "alu", "brakes": "rim", "bell": "bell"})] * 3 + [
        PastConfiguration({"frame": "carbon", "brakes": "disc"})
    ]
    recommender = Recommender.for_catalog(catalog, history)
    selection: dict = {}
    for step in replay(catalog, ROW, 11, FEATURES):
        live = recommender.recommend(step[0], selection, catalog.domains(selection))
        cached = recommender.recommend(step[0], selection, step_state(catalog, step))
        assert cached == live
        selection[step[0]] = ROW["selections"].get(step[0])
