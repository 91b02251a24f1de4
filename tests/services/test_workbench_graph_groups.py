"""The constraint graph of a big catalog, drawn as groups (services.workbench.graph):
a box per dimension of each community, with its count; a line between boxes
stands for all their features' links; a row opens into its features when asked,
or when one of its features is clicked; the rest stay closed."""

from __future__ import annotations

import itertools

import pytest

from configurator.engine.graph import feature_graph
from configurator.services.workbench import graph
from tests.engine.bruteforce import model_from_text

DIMENSIONS = ("product", "packaging", "delivery", "billing")


def gen_big_catalog(clusters: int = 4, size: int = 12) -> str:
    """`clusters` rings of `size` features each, spread over the four dimensions, and one rule
    between neighbouring rings: communities for Louvain to find, all in one independent part."""
    features, rules = [], []
    for c, i in itertools.product(range(clusters), range(size)):
        features.append(f"  - id: f{c}-{i}\n    name: Feature {c}-{i}\n    dimension: {DIMENSIONS[i % 4]}\n"
                        f"    choose: optional\n    options:\n      - {{id: x, name: X}}\n")
        rules.append(f"  - if: f{c}-{i} == x\n    then: f{c}-{(i + 1) % size} == x\n")
        rules.append(f"  - if: f{c}-{i} == x\n    then: f{c}-{(i + 4) % size} == x\n")
    rules += [f"  - if: f{c}-0 == x\n    then: f{c + 1}-0 == x\n" for c in range(clusters - 1)]
    return ("catalog: big\nname: Big\nversion: 1\ncurrency: EUR\nfeatures:\n" + "".join(features)
            + "constraints:\n" + "".join(rules))


@pytest.fixture
def model(monkeypatch):
    monkeypatch.setattr(graph, "GROUP_ABOVE", 20)
    return model_from_text(gen_big_catalog())


def shown_features(picture) -> list[str]:
    """Every feature once: a feature box, or a group's (by its count)."""
    return [node.id for node in picture.nodes if node.members == 1]


def test_a_big_catalog_is_drawn_as_groups_with_their_counts(model):
    picture = graph.picture(model)
    groups = [node for node in picture.nodes if node.members > 1]
    assert picture.grouped and picture.features == 48 and picture.opened == ()
    assert groups and sum(g.members for g in groups) + len(shown_features(picture)) == 48
    assert len(picture.nodes) < 48 / 2  # collapsed: far fewer boxes than features
    assert len({(node.x, node.y) for node in picture.nodes}) == len(picture.nodes)  # no box on another
    for group in groups:
        assert group.row and group.id == f"{group.row}-{group.dimension}" and group.sample


def test_lines_between_groups_stand_for_all_their_links(model):
    picture = graph.picture(model)
    links = feature_graph(model).number_of_edges()
    drawn = sum(edge.links for edge in picture.edges)
    assert picture.hidden_edges == 0 and 0 < drawn < links  # the rest are inside the boxes
    assert {edge.weight for edge in picture.edges} <= {1, 2, 3, 4}
    boxes = {node.id: node for node in picture.nodes}
    for edge in picture.edges:
        assert edge.a in boxes and edge.b in boxes and edge.a != edge.b
    for node in picture.nodes:
        if node.members > 1:  # a group counts its links to other boxes
            assert node.rules == sum(e.links for e in picture.edges if node.id in (e.a, e.b))


def test_a_row_opens_into_its_features_and_the_others_stay_closed(model):
    closed = graph.picture(model)
    row = closed.nodes[0].row
    opened = graph.picture(model, opened=frozenset({row}))
    assert opened.opened == (row,)
    in_row = [node for node in opened.nodes if node.row == row]
    assert in_row and all(node.members == 1 for node in in_row)
    assert sum(n.members for n in closed.nodes if n.row == row) == len(in_row)
    assert [n for n in opened.nodes if n.members > 1 and n.row != row]  # other rows: still groups
    assert len({(node.x, node.y) for node in opened.nodes}) == len(opened.nodes)
    assert graph.picture(model, opened=frozenset({row})) == opened  # the same picture every time


def test_a_clicked_feature_opens_its_row_and_its_links_are_drawn(model):
    picture = graph.picture(model, "f2-3")
    assert "f2-3" in shown_features(picture) and len(picture.opened) == 1
    assert {edge.b if edge.a == "f2-3" else edge.a for edge in picture.edges if "f2-3" in (edge.a, edge.b)}


def test_a_small_catalog_is_drawn_feature_by_feature():
    picture = graph.picture(model_from_text(gen_big_catalog(clusters=2, size=8)))
    assert not picture.grouped and picture.features == 16 and all(n.members == 1 for n in picture.nodes)
