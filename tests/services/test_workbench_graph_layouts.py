"""The grouped graph's structure kept on disk (services.workbench.graph_layouts): the first
view stores it, a new process (nothing in memory) draws the same picture from it, and a
changed catalog or a file that does not fit its catalog is grouped again."""

from __future__ import annotations

import json

import pytest

from configurator.services.workbench import graph, graph_layouts
from tests.engine.bruteforce import model_from_text
from tests.services.test_workbench_graph_groups import gen_big_catalog


@pytest.fixture(autouse=True)
def compiled_here(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFIGURATOR_COMPILED_DIR", str(tmp_path))
    monkeypatch.setattr(graph, "GROUP_ABOVE", 20)


def fresh_process() -> None:
    """Forget what this process keeps in memory, as another gunicorn process or a restart would."""
    graph._STRUCTURES.clear()


def test_a_stored_structure_draws_the_same_picture_in_a_new_process(tmp_path):
    model = model_from_text(gen_big_catalog())
    first = graph.picture(model)
    [stored] = (tmp_path / "graph-layouts").glob("*.json")
    fresh_process()
    again = graph.picture(model_from_text(gen_big_catalog()))  # another model object, the same catalog
    assert again == first and stored.exists()
    assert graph_layouts.load(model, graph_layouts.key(model)) is not None


def test_a_changed_catalog_is_grouped_anew(tmp_path):
    graph.picture(model_from_text(gen_big_catalog()))
    fresh_process()
    changed = model_from_text(gen_big_catalog(clusters=5))
    assert graph_layouts.load(changed, graph_layouts.key(changed)) is None
    graph.picture(changed)
    assert len(list((tmp_path / "graph-layouts").glob("*.json"))) == 2


def test_a_file_that_does_not_fit_its_catalog_is_not_trusted(tmp_path):
    model = model_from_text(gen_big_catalog())
    first = graph.picture(model)
    [stored] = (tmp_path / "graph-layouts").glob("*.json")
    parts = json.loads(stored.read_text())
    parts[0][0].pop()  # a feature missing
    stored.write_text(json.dumps(parts))
    fresh_process()
    assert graph_layouts.load(model, graph_layouts.key(model)) is None
    assert graph.picture(model) == first
    stored.write_text("not json")
    fresh_process()
    assert graph.picture(model) == first


@pytest.fixture
def big_line(session):
    """The big catalog as version 1 of its product line (loading it groups nothing), and a manager."""
    from configurator.services import catalogs
    from tests.services.workbench_factories import gen_catalog_manager

    catalogs.load_text(session, gen_big_catalog(), "big.yaml")
    return gen_catalog_manager(session)


def released_model(session):
    from configurator.services import catalogs

    return catalogs.engine_catalog(catalogs.current(session, "big")).model


def no_grouping(monkeypatch) -> None:
    """Louvain refuses to run: a graph drawn now must read its grouping from disk."""
    def refuse(part):
        raise AssertionError("the first view grouped the features")

    monkeypatch.setattr(graph, "_communities", refuse)


@pytest.mark.parametrize("clusters", [4, 5])  # the same structure as version 1 (none stored), another one
def test_a_release_stores_the_graphs_grouping_before_anyone_opens_it(session, big_line, monkeypatch, tmp_path,
                                                                    clusters):
    from configurator.services.workbench import drafts, releases

    assert not list(tmp_path.glob("graph-layouts/*.json"))
    drafts.save(session, "big", gen_big_catalog(clusters=clusters).replace("name: Big", "name: Bigger"), big_line)
    releases.release(session, "big", big_line, "More features")
    model = released_model(session)
    assert graph_layouts.load(model, graph_layouts.key(model)) is not None
    fresh_process()
    no_grouping(monkeypatch)
    assert graph.picture(model).grouped


def test_a_rollback_stores_the_grouping_of_the_version_in_use_again(session, big_line, monkeypatch, tmp_path):
    from configurator.services.workbench import drafts, releases

    drafts.save(session, "big", gen_big_catalog(clusters=5), big_line)
    releases.release(session, "big", big_line, "A fifth ring")
    for stored in tmp_path.glob("graph-layouts/*.json"):
        stored.unlink()
    releases.roll_back(session, "big", big_line, "Back to four rings")
    fresh_process()
    no_grouping(monkeypatch)
    assert graph.picture(released_model(session)).features == 48
