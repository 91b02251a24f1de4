"""The constraint graph of a catalog (networkx): which features influence which.

Features are nodes; a rule joins every pair of features it mentions, and the
edge remembers the rules. The graph tells a catalog manager which parts of a
product line are independent, which features a pick can affect, and gives a
guided flow a sensible order of questions: dimension by dimension, the most
constraining questions first, so that later answers are guided by earlier ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .compile import _atoms
from .model import DIMENSIONS, CatalogModel, Compare, CustomerAtom, Feature, FilledAtom, OptionAtom

if TYPE_CHECKING:  # networkx costs ~0.1 s to import: only the functions that build the graph import it
    import networkx as nx


def rule_features(model: CatalogModel, constraint) -> set[str]:
    """Ids of the features a rule mentions (numeric terms mention all they sum over)."""
    if constraint.kind == "table":
        return set(constraint.table_features)
    names: set[str] = set()
    for expr in (constraint.condition, constraint.expr):
        for atom in _atoms(expr):
            if isinstance(atom, (OptionAtom, FilledAtom)):
                names.add(atom.feature)
            elif isinstance(atom, Compare):
                names |= _term_features(model, atom.term)
            elif isinstance(atom, CustomerAtom):
                continue
    return names


def named_features(constraint) -> set[str]:
    """Ids of the features a rule names itself: option tests, tables and count(F).

    Unlike `rule_features`, totals over attributes or dimensions (`sum(weight_g)`,
    `price()`, `count(packaging)`) do not count: a weight limit ties every part
    that weighs something, which no customer would call related.
    """
    if constraint.kind == "table":
        return set(constraint.table_features)
    names: set[str] = set()
    for expr in (constraint.condition, constraint.expr):
        for atom in _atoms(expr):
            if isinstance(atom, (OptionAtom, FilledAtom)):
                names.add(atom.feature)
            elif isinstance(atom, Compare) and atom.term.kind == "count" and atom.term.arg not in DIMENSIONS:
                names.add(atom.term.arg)
    return names


def related_features(model: CatalogModel) -> dict[str, set[str]]:
    """Per feature, the features a rule names together with it (see `named_features`):
    the ones whose picks a person accepts as a reason for a suggestion."""
    related: dict[str, set[str]] = {feature.id: set() for feature in model.features}
    for constraint in model.constraints:
        names = named_features(constraint)
        for name in names:
            related.setdefault(name, set()).update(names - {name})
    return related


def _term_features(model: CatalogModel, term) -> set[str]:
    if term.kind == "count" and term.arg not in DIMENSIONS:
        return {term.arg}
    if term.kind == "count":
        return {f.id for f in model.features if f.dimension == term.arg}
    if term.kind == "price":
        return {f.id for f in model.features if any(o.price for o in f.options)}
    return {
        f.id
        for f in model.features
        if (term.dimension is None or f.dimension == term.dimension)
        and any(term.arg in o.attributes for o in f.options)
    }


def feature_graph(model: CatalogModel) -> nx.Graph:
    """Features as nodes, an edge for every pair of features a rule ties together."""
    import networkx as nx

    graph = nx.Graph()
    for feature in model.features:
        graph.add_node(feature.id, dimension=feature.dimension)
    for constraint in model.constraints:
        names = sorted(rule_features(model, constraint))
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if graph.has_edge(a, b):
                    graph[a][b]["rules"].append(constraint.name)
                else:
                    graph.add_edge(a, b, rules=[constraint.name])
    return graph


def independent_parts(model: CatalogModel) -> list[list[str]]:
    """Groups of features no rule connects: each is solved on its own.

    Plain union-find rather than the networkx graph: `catalog check` asks only
    this, and would otherwise import networkx for it alone.
    """
    leader = {feature.id: feature.id for feature in model.features}

    def find(name: str) -> str:
        while leader[name] != name:
            leader[name] = leader[leader[name]]
            name = leader[name]
        return name

    for constraint in model.constraints:
        names = [name for name in rule_features(model, constraint) if name in leader]
        for name in names[1:]:
            leader[find(name)] = find(names[0])
    parts: dict[str, list[str]] = {}
    for feature in model.features:  # catalog order within each part, parts by their first feature
        parts.setdefault(find(feature.id), []).append(feature.id)
    return list(parts.values())


def influenced_by(model: CatalogModel, feature_id: str) -> list[str]:
    """Features whose options a pick of `feature_id` can change, nearest first."""
    import networkx as nx

    graph = feature_graph(model)
    distances = nx.single_source_shortest_path_length(graph, feature_id)
    return [name for name, _ in sorted(distances.items(), key=lambda item: (item[1], item[0])) if name != feature_id]


def question_order(model: CatalogModel) -> list[Feature]:
    """Dimension by dimension (product first), most connected features first within each."""
    import networkx as nx

    graph = feature_graph(model)
    centrality = nx.degree_centrality(graph) if len(graph) > 1 else {n: 0 for n in graph}
    position = {f.id: i for i, f in enumerate(model.features)}
    return sorted(
        model.features,
        key=lambda f: (DIMENSIONS.index(f.dimension), -round(centrality[f.id], 6), position[f.id]),
    )
