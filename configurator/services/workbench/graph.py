"""The constraint graph as a picture: features as nodes in one column per
dimension, rules as edges, each independent part in a band of its own; laid
out here (networkx) so the page draws plain SVG, with no script or CDN."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from sqlalchemy.orm import Session

from configurator.engine import Catalog, CatalogError
from configurator.engine.graph import feature_graph, independent_parts, influenced_by, rule_features
from configurator.engine.model import DIMENSIONS, CatalogModel
from configurator.services import catalogs
from configurator.services.workbench import drafts

COLUMN = 220  # px between dimension columns
ROW = 56  # px between features in a column
BAND_PAD = 28  # px above and below each part's features
MARGIN = 20
LABEL_CHARS = 22


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


@dataclass(frozen=True)
class FeatureRules:
    """A clicked feature: the rules that mention it, and the features a pick of it can affect."""

    id: str
    name: str
    rules: tuple[tuple[str, str], ...]  # (rule name, rule as written / its message)
    influences: tuple[str, ...]


def picture(model: CatalogModel) -> Picture:
    """Lay out the catalog's constraint graph (deterministic: the same catalog, the same picture)."""
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
    edges = tuple(
        Edge(a, b, _curve(at[a], at[b]), tuple(data["rules"]))
        for a, b, data in sorted(graph.edges(data=True))
    )
    width = MARGIN * 2 + COLUMN * len(DIMENSIONS)
    return Picture(width, top + MARGIN, columns, tuple(bands), tuple(nodes), edges)


def _band_positions(part: nx.Graph) -> dict[str, float]:
    """Each feature's height in its band, 0..1: networkx's multipartite layout, one layer per dimension."""
    layered = nx.Graph(part)
    for feature_id in layered.nodes:
        layered.nodes[feature_id]["layer"] = DIMENSIONS.index(layered.nodes[feature_id]["dimension"])
    if len(layered) == 1:
        return dict.fromkeys(layered.nodes, 0.5)
    raw = nx.multipartite_layout(layered, subset_key="layer", align="vertical")
    ys = [float(y) for _x, y in raw.values()]
    low, high = min(ys), max(ys)
    span = (high - low) or 1.0
    return {feature_id: (float(y) - low) / span if high > low else 0.5 for feature_id, (_x, y) in raw.items()}


def _tallest_column(graph: nx.Graph, part: list[str]) -> int:
    sizes: dict[str, int] = {}
    for feature_id in part:
        dimension = graph.nodes[feature_id]["dimension"]
        sizes[dimension] = sizes.get(dimension, 0) + 1
    return max(sizes.values())


def _curve(a: Node, b: Node) -> str:
    """A quadratic curve; features in one column bow out sideways so the edges stay apart."""
    mid_x, mid_y = (a.x + b.x) / 2, (a.y + b.y) / 2
    if a.x == b.x:
        mid_x += 30 + abs(a.y - b.y) / 4
    else:
        mid_y -= 18
    return f"M {a.x:.1f} {a.y:.1f} Q {mid_x:.1f} {mid_y:.1f} {b.x:.1f} {b.y:.1f}"


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
            return Catalog.from_text(draft.source_text, path=f"{catalog_id}.yaml").model, "the draft"
        except CatalogError:
            pass  # a draft that does not parse has no graph: show the version in use
    return catalogs.engine_catalog(version).model, f"version {version.number}"
