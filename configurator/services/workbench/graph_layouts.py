"""The grouped constraint graph's structure kept on disk, so a big catalog's first view is fast.

Grouping a big catalog's features into rows takes seconds (Louvain
communities over thousands of features: 2-4 s for automotive01 on a loaded
machine), and each web process, each restart, asked again. The parts and
communities are kept as JSON next to the compiled catalogs, under a digest of
everything they depend on: the features (ids, dimensions, which options have a
price and which attributes), each rule as written, and the code that groups
them. Another catalog, or another grouping code, never meets a stale file; a
file that does not match its catalog is computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from configurator.config import compiled_dir
from configurator.engine.model import CatalogModel

Parts = list[tuple[list[str], dict[str, int]]]  # each independent part's features and their communities

_CODE = hashlib.sha256(
    b"".join(Path(__file__).with_name(name).read_bytes() for name in ("graph.py", "graph_layouts.py"))
    + (Path(__file__).resolve().parents[2] / "engine" / "graph.py").read_bytes()
).hexdigest()[:16]


def key(model: CatalogModel) -> str:
    """The digest of what the graph's structure depends on."""
    described = [
        [(f.id, f.dimension, [(o.id, bool(o.price), sorted(o.attributes)) for o in f.options]) for f in model.features],
        [(c.kind, c.source, list(c.table_features)) for c in model.constraints],
        _CODE,
    ]
    return hashlib.sha256(json.dumps(described, default=str).encode()).hexdigest()


def _path(digest: str) -> Path:
    return compiled_dir() / "graph-layouts" / f"{digest}.json"


def load(model: CatalogModel, digest: str) -> Parts | None:
    """The stored parts of this catalog, or None when missing or not this catalog's."""
    try:
        stored = json.loads(_path(digest).read_text(encoding="utf-8"))
        parts = [(list(features), {str(k): int(v) for k, v in community.items()}) for features, community in stored]
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    features = [f for part, _ in parts for f in part]
    if sorted(features) != sorted(f.id for f in model.features) or any(set(p) != set(c) for p, c in parts):
        return None
    return parts


def save(digest: str, parts: Parts) -> None:
    """Keep the parts (written atomically; a failure to write only costs the next view its time)."""
    path = _path(digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(parts, out)
        os.replace(temporary, path)
    except OSError:
        return
