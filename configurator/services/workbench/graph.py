"""The constraint graph as a picture: features as nodes in one column per
dimension, rules as edges, each independent part in a band of its own; laid
out here (networkx) so the page draws plain SVG, with no script or CDN.

Within a column, features are one row apart (never on top of each other) and
ordered by community (networkx's Louvain, seeded: the same catalog, the same
picture), so features tied by many rules sit together. An edge between two
features of one column runs in the gap beside the column, not across the
features between them. A big catalog (over EDGE_LIMIT links) draws only the
links of the feature clicked and says how many it leaves out: thousands of
crossing curves tell nothing.

A catalog of more than GROUP_ABOVE features (automotive01 has 2,513) is drawn
collapsed: in each independent part, the features of one community and one
dimension are one box ("Engine +34") in that dimension's column, a row per
community, and a line between two boxes stands for all the links between
their features (thicker for more). Clicking a box opens its community's row
into its features; the others stay closed.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import networkx as nx
from sqlalchemy.orm import Session

from configurator.engine import Catalog, CatalogError
from configurator.engine.graph import feature_graph, independent_parts, influenced_by, rule_features
from configurator.engine.model import DIMENSIONS, CatalogModel
from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.workbench import drafts, graph_layouts

COLUMN = 220  # px between dimension columns
ROW = 56  # px between features in a column
BAND_PAD = 28  # px above and below each part's features
MARGIN = 20
LABEL_CHARS = 22
NODE_HALF_WIDTH = 90  # the node's box is 180 px wide (templates/partials/_constraint_graph.html)
LANE = 24  # px an edge within one column bows out beside the boxes (< half the gap between columns)
EDGE_LIMIT = 600  # above this many links, only the clicked feature's are drawn
SEED = 18  # the communities' seed: the same catalog, the same picture
GROUP_ABOVE = 150  # features: a bigger catalog is drawn as groups, opened one row at a time
GROUP_LABEL_CHARS = 15  # a group's box reads "37 · its first feature"
GROUP_EDGE_LIMIT = 300  # links between boxes drawn at most (the heaviest, and all of the opened rows)


@dataclass(frozen=True)
class Node:
    """A feature at its place."""

    id: str
    label: str
    name: str
    dimension: str
    x: float
    y: float
    rules: int  # how many rules mention it (a group: its features' links to other boxes)
    members: int = 1  # a group's features (a feature: 1)
    row: str = ""  # a group's row (part and community), to open it: `p1-c3`
    sample: tuple[str, ...] = ()  # a group's first features' names


@dataclass(frozen=True)
class Edge:
    """Two features tied by rules, drawn as a curve from (x1, y1) to (x2, y2)."""

    a: str
    b: str
    path: str
    rules: tuple[str, ...]
    links: int = 1  # feature links it stands for (between two groups: many)

    @property
    def weight(self) -> int:
        """How thick it is drawn, 1 to 4: up to 3 links, 15, 63, more (the page's CSS has a class per weight)."""
        return next(weight for weight, below in ((1, 4), (2, 16), (3, 64), (4, None)) if below is None or self.links < below)


@dataclass(frozen=True)
class Band:
    """An independent part of the catalog: no rule ties it to another band."""

    number: int
    y: float
    height: float
    features: int


@dataclass(frozen=True)
class Picture:
    """Everything the SVG needs."""

    width: float
    height: float
    columns: tuple[tuple[str, float], ...]  # (dimension, x)
    bands: tuple[Band, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    hidden_edges: int = 0  # links not drawn (a big catalog: only the clicked feature's are)
    features: int = 0  # the catalog's features (more than the nodes when drawn as groups)
    grouped: bool = False  # drawn as groups (GROUP_ABOVE)
    opened: tuple[str, ...] = ()  # the rows opened into their features


@dataclass(frozen=True)
class FeatureRules:
    """A clicked feature: the rules that mention it, and the features a pick of it can affect."""

    id: str
    name: str
    rules: tuple[tuple[str, str], ...]  # (rule name, rule as written / its message)
    influences: tuple[str, ...]


def picture(model: CatalogModel, focus: str | None = None, opened: frozenset[str] = frozenset()) -> Picture:
    """Lay out the catalog's constraint graph (deterministic: the same catalog, the same picture).

    `focus` is the clicked feature: in a big catalog only its links are drawn.
    Over GROUP_ABOVE features the picture shows groups, with the rows named
    in `opened` (and the focus's row) open into their features.
    """
    if len(model.features) > GROUP_ABOVE:
        return _grouped_picture(model, focus, opened)
    graph = feature_graph(model)
    columns = tuple((dimension, MARGIN + COLUMN / 2 + i * COLUMN) for i, dimension in enumerate(DIMENSIONS))
    column_x = dict(columns)
    names = {feature.id: feature.name for feature in model.features}
    counts = _rule_counts(model)
    nodes: list[Node] = []
    bands: list[Band] = []
    top = MARGIN + 24  # below the column headings
    for number, part in enumerate(independent_parts(model), 1):
        positions = _band_positions(graph.subgraph(part))
        height = BAND_PAD * 2 + ROW * (_tallest_column(graph, part) - 1)
        for feature_id in part:
            dimension = graph.nodes[feature_id]["dimension"]
            y = top + BAND_PAD + positions[feature_id] * (height - 2 * BAND_PAD)
            nodes.append(Node(feature_id, _label(names[feature_id]), names[feature_id], dimension,
                              column_x[dimension], round(y, 1), counts.get(feature_id, 0)))
        bands.append(Band(number, top, height, len(part)))
        top += height + MARGIN / 2
    at = {node.id: node for node in nodes}
    links = sorted(graph.edges(data=True))
    shown = links
    if len(links) > EDGE_LIMIT:
        shown = [(a, b, data) for a, b, data in links if focus in (a, b)]
    edges = tuple(Edge(a, b, _curve(at[a], at[b]), tuple(data["rules"])) for a, b, data in shown)
    width = MARGIN * 2 + COLUMN * len(DIMENSIONS)
    return Picture(width, top + MARGIN, columns, tuple(bands), tuple(nodes), edges, len(links) - len(shown),
                   features=len(nodes))


_STRUCTURES: OrderedDict[int, tuple[CatalogModel, nx.Graph, list[tuple[list[str], dict[str, int]]]]] = OrderedDict()
_STRUCTURES_LOCK = threading.Lock()


def _structure(model: CatalogModel) -> tuple[nx.Graph, list[tuple[list[str], dict[str, int]]]]:
    """The feature graph and each independent part with its communities, kept for the last few models:
    a big catalog takes seconds (Louvain), and opening a row asks again for the same catalog."""
    with _STRUCTURES_LOCK:
        kept = _STRUCTURES.get(id(model))
        if kept is not None and kept[0] is model:
            _STRUCTURES.move_to_end(id(model))
            return kept[1], kept[2]
    graph = feature_graph(model)
    digest = graph_layouts.key(model)
    parts = graph_layouts.load(model, digest)
    if parts is None:
        # a copy, not a view: Louvain walks the edges many times, and a view filters every step
        parts = [(part, _communities(graph.subgraph(part).copy())) for part in _parts(model, graph)]
        graph_layouts.save(digest, parts)
    with _STRUCTURES_LOCK:
        _STRUCTURES[id(model)] = (model, graph, parts)  # the model kept alive, so its id is not reused
        while len(_STRUCTURES) > 4:
            _STRUCTURES.popitem(last=False)
    return graph, parts


def keep_structure(model: CatalogModel) -> None:
    """Group a big catalog's features now and keep them on disk (graph_layouts.py), so the first
    manager to open the graph of a version just released does not wait for Louvain."""
    if len(model.features) > GROUP_ABOVE:
        _structure(model)


def _parts(model: CatalogModel, graph: nx.Graph) -> list[list[str]]:
    """`independent_parts` read off the feature graph already built (the same parts, in the same order):
    on a big catalog, reading every rule's features again takes a second."""
    order = {feature.id: position for position, feature in enumerate(model.features)}
    parts = [sorted(component, key=order.__getitem__) for component in nx.connected_components(graph)]
    return sorted(parts, key=lambda part: order[part[0]])


def _grouped_picture(model: CatalogModel, focus: str | None, opened: frozenset[str]) -> Picture:
    """A big catalog as groups: a row per community of each independent part, a box per dimension in it."""
    graph, parts = _structure(model)
    column_x = dict((dimension, MARGIN + COLUMN / 2 + i * COLUMN) for i, dimension in enumerate(DIMENSIONS))
    names = {feature.id: feature.name for feature in model.features}
    order = {feature.id: position for position, feature in enumerate(model.features)}
    counts = _rule_counts(model)
    shown_as: dict[str, str] = {}  # feature -> the id of the box that shows it (itself, or its group)
    nodes: list[Node] = []
    bands: list[Band] = []
    opened_rows: list[str] = []
    top = MARGIN + 24
    for number, (part, community) in enumerate(parts, 1):
        band_top = top
        top += BAND_PAD
        for rank in sorted(set(community.values())):
            row = f"p{number}-c{rank}"
            cells: dict[str, list[str]] = {}
            for feature_id in sorted((f for f in part if community[f] == rank), key=order.__getitem__):
                cells.setdefault(graph.nodes[feature_id]["dimension"], []).append(feature_id)
            is_open = row in opened or focus in {f for members in cells.values() for f in members}
            if is_open:
                opened_rows.append(row)
            for dimension, members in cells.items():
                if is_open or len(members) == 1:
                    for line, feature_id in enumerate(members):
                        shown_as[feature_id] = feature_id
                        nodes.append(Node(feature_id, _label(names[feature_id]), names[feature_id], dimension,
                                          column_x[dimension], round(top + line * ROW, 1),
                                          counts.get(feature_id, 0), row=row if is_open else ""))
                    continue
                group = f"{row}-{dimension}"
                shown_as.update(dict.fromkeys(members, group))
                first = names[members[0]]
                nodes.append(Node(group, _label(first, GROUP_LABEL_CHARS), first, dimension,
                                  column_x[dimension], round(top, 1), 0, len(members), row,
                                  tuple(names[f] for f in members[:8])))
            top += ROW * (max(len(members) for members in cells.values()) if is_open else 1)
        top += BAND_PAD - ROW
        bands.append(Band(number, band_top, top - band_top, len(part)))
        top += MARGIN / 2
    edges, hidden, links_of = _group_edges(graph, shown_as, {n.id: n for n in nodes}, set(opened_rows), focus)
    nodes = [replace(node, rules=links_of.get(node.id, 0)) if node.members > 1 else node for node in nodes]
    width = MARGIN * 2 + COLUMN * len(DIMENSIONS)
    return Picture(width, top + MARGIN, tuple(column_x.items()), tuple(bands), tuple(nodes), edges, hidden,
                   features=graph.number_of_nodes(), grouped=True, opened=tuple(opened_rows))


def _group_edges(graph: nx.Graph, shown_as: dict[str, str], at: dict[str, Node], opened: set[str],
                 focus: str | None):
    """The links between boxes, each standing for all the feature links between them.

    Drawn: every link of the clicked feature; of the opened rows' features,
    the heaviest up to EDGE_LIMIT; of the others, the heaviest up to
    GROUP_EDGE_LIMIT. Returns the edges, the feature links left out, and each
    box's count of links to other boxes.
    """
    joined: dict[tuple[str, str], list] = {}
    for a, b, data in graph.edges(data=True):
        ends = tuple(sorted((shown_as[a], shown_as[b])))
        if ends[0] != ends[1]:
            joined.setdefault(ends, []).append(data["rules"])
    links_of: dict[str, int] = {}
    for (a, b), rules in joined.items():
        links_of[a] = links_of.get(a, 0) + len(rules)
        links_of[b] = links_of.get(b, 0) + len(rules)

    def rank(ends: tuple[str, str]) -> int:
        if focus in ends:
            return 0
        return 1 if any(at[end].members == 1 and at[end].row in opened for end in ends) else 2

    limits = {0: len(joined), 1: EDGE_LIMIT, 2: GROUP_EDGE_LIMIT}
    taken = dict.fromkeys(limits, 0)
    drawn = []
    for ends, rules in sorted(joined.items(), key=lambda item: (rank(item[0]), -len(item[1]), item[0])):
        kind = rank(ends)
        if taken[kind] < limits[kind]:
            taken[kind] += 1
            drawn.append((ends, rules))
    edges = tuple(
        Edge(a, b, _curve(at[a], at[b]), tuple(sorted({r for names in rules for r in names}))[:20], len(rules))
        for (a, b), rules in sorted(drawn)
    )
    hidden = sum(len(rules) for rules in joined.values()) - sum(edge.links for edge in edges)
    return edges, hidden, links_of


def _band_positions(part: nx.Graph) -> dict[str, float]:
    """Each feature's height in its band, 0..1: one row each in its dimension's column, the
    columns centred, each in the order of the part's communities (then catalog order)."""
    order = {feature_id: position for position, feature_id in enumerate(part.nodes)}
    community = _communities(part)
    columns: dict[str, list[str]] = {}
    for feature_id in part.nodes:
        columns.setdefault(part.nodes[feature_id]["dimension"], []).append(feature_id)
    tallest = max(len(column) for column in columns.values())
    if tallest == 1:
        return dict.fromkeys(part.nodes, 0.5)
    positions = {}
    for column in columns.values():
        column.sort(key=lambda feature_id: (community[feature_id], order[feature_id]))
        offset = (tallest - len(column)) / 2
        for row, feature_id in enumerate(column):
            positions[feature_id] = (offset + row) / (tallest - 1)
    return positions


def _communities(part: nx.Graph) -> dict[str, int]:
    """Each feature's community (0 for a small part, where catalog order reads best)."""
    if part.number_of_nodes() < 12 or part.number_of_edges() == 0:
        return dict.fromkeys(part.nodes, 0)
    found = nx.community.louvain_communities(part, seed=SEED)
    ranked = sorted(found, key=lambda members: (-len(members), min(members)))
    return {feature_id: rank for rank, members in enumerate(ranked) for feature_id in members}


def _tallest_column(graph: nx.Graph, part: list[str]) -> int:
    sizes: dict[str, int] = {}
    for feature_id in part:
        dimension = graph.nodes[feature_id]["dimension"]
        sizes[dimension] = sizes.get(dimension, 0) + 1
    return max(sizes.values())


def _curve(a: Node, b: Node) -> str:
    """An edge from box edge to box edge.

    Two features of one column: a curve leaving the right side of the upper
    box and coming back to the right side of the lower one, bowing at most
    LANE px into the gap beside the column (never across the boxes between
    them). Features of two columns: a gentle curve between the facing sides.
    """
    if a.x == b.x:
        side = a.x + NODE_HALF_WIDTH
        bow = side + LANE / 0.75  # a cubic curve reaches 3/4 of its control points' offset
        return (f"M {side:.1f} {a.y:.1f} C {bow:.1f} {a.y:.1f} {bow:.1f} {b.y:.1f} "
                f"{side:.1f} {b.y:.1f}")
    left, right = (a, b) if a.x < b.x else (b, a)
    x1, x2 = left.x + NODE_HALF_WIDTH, right.x - NODE_HALF_WIDTH
    mid_x, mid_y = (x1 + x2) / 2, (left.y + right.y) / 2 - 18
    return f"M {x1:.1f} {left.y:.1f} Q {mid_x:.1f} {mid_y:.1f} {x2:.1f} {right.y:.1f}"


def _label(name: str, chars: int = LABEL_CHARS) -> str:
    return name if len(name) <= chars else name[: chars - 1] + "…"


def _rule_counts(model: CatalogModel) -> dict[str, int]:
    counts: dict[str, int] = {}
    for constraint in model.constraints:
        for feature_id in rule_features(model, constraint):
            counts[feature_id] = counts.get(feature_id, 0) + 1
    return counts


def feature_rules(model: CatalogModel, feature_id: str) -> FeatureRules | None:
    """The rules that mention a feature and what a pick of it can affect; None for an unknown id."""
    feature = model.feature(feature_id)
    if feature is None:
        return None
    rules = tuple(
        (constraint.name, constraint.message or constraint.source)
        for constraint in model.constraints
        if feature_id in rule_features(model, constraint)
    )
    return FeatureRules(feature.id, feature.name, rules, tuple(influenced_by(model, feature_id)))


def shown_model(session: Session, catalog_id: str, of_draft: bool) -> tuple[CatalogModel, str]:
    """The catalog to draw and what it is: the draft (when asked and it parses) or the version in use."""
    version = catalogs.current(session, catalog_id)  # NotFound for an unknown line
    draft = drafts.find(session, catalog_id) if of_draft else None
    if draft is not None:
        model = _draft_model(draft.source_text, catalog_id)
        if model is not None:
            return model, N_("the draft")
    return catalogs.engine_catalog(version).model, N_("version %(number)s", number=version.number)


@functools.lru_cache(maxsize=4)
def _draft_model(text: str, catalog_id: str) -> CatalogModel | None:
    """A draft's model, kept: a big catalog takes seconds to read, and each click on its graph asks again.

    None for a draft that does not parse: it has no graph, the page shows the version in use.
    """
    try:
        return Catalog.from_text(text, path=f"{catalog_id}.yaml").model
    except CatalogError:
        return None
