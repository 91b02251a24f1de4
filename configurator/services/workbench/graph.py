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
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from sqlalchemy.orm import Session

from configurator.engine import Catalog, CatalogError
from configurator.engine.graph import feature_graph, independent_parts, influenced_by, rule_features
from configurator.engine.model import DIMENSIONS, CatalogModel
from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.workbench import drafts

COLUMN = 220  # px between dimension columns
ROW = 56  # px between features in a column
BAND_PAD = 28  # px above and below each part's features
MARGIN = 20
LABEL_CHARS = 22
NODE_HALF_WIDTH = 90  # the node's box is 180 px wide (templates/partials/_constraint_graph.html)
LANE = 24  # px an edge within one column bows out beside the boxes (< half the gap between columns)
EDGE_LIMIT = 600  # above this many links, only the clicked feature's are drawn
SEED = 18  # the communities' seed: the same catalog, the same picture


@dataclass(frozen=True)
class Node:
    """A feature at its place."""

    id: str
    label: str
    name: str
    dimension: str
    x: float
    y: float
    rules: int  # how many rules mention it


@dataclass(frozen=True)
class Edge:
    """Two features tied by rules, drawn as a curve from (x1, y1) to (x2, y2)."""

    a: str
    b: str
    path: str
    rules: tuple[str, ...]


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


@dataclass(frozen=True)
class FeatureRules:
    """A clicked feature: the rules that mention it, and the features a pick of it can affect."""

    id: str
    name: str
    rules: tuple[tuple[str, str], ...]  # (rule name, rule as written / its message)
    influences: tuple[str, ...]


def picture(model: CatalogModel, focus: str | None = None) -> Picture:
    """Lay out the catalog's constraint graph (deterministic: the same catalog, the same picture).

    `focus` is the clicked feature: in a big catalog only its links are drawn.
    """
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
    return Picture(width, top + MARGIN, columns, tuple(bands), tuple(nodes), edges, len(links) - len(shown))


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


def _label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


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
        try:
            return Catalog.from_text(draft.source_text, path=f"{catalog_id}.yaml").model, N_("the draft")
        except CatalogError:
            pass  # a draft that does not parse has no graph: show the version in use
    return catalogs.engine_catalog(version).model, N_("version %(number)s", number=version.number)
