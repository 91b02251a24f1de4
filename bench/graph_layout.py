"""The workbench's constraint graph on big catalogs: `python -m bench.graph_layout [--catalog NAME|all]`.

For each catalog: how long `graph.picture` takes to lay out the picture the
graph page draws (the catalog already read), and what the page shows: the
boxes (features, or groups of features above graph.GROUP_ABOVE), the lines
drawn and the links left out. For a grouped catalog, also with its first row
opened and with one feature clicked (which opens that feature's row): these
reuse what the first view computed (the feature graph and its communities,
kept per catalog), as the page's clicks do.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from configurator.engine import Catalog
from configurator.services.workbench import graph

from .catalogs import BENCHMARKS, ROOT

CATALOGS = {
    "city-bike": ROOT / "catalog" / "city-bike.yaml",
    "medium": BENCHMARKS / "renault-medium.yaml",
    "automotive01": BENCHMARKS / "feature-models" / "automotive01.json",
}


def figures(name: str, view: str, model, focus=None, opened=frozenset()) -> dict[str, object]:
    """One picture: its layout time and what it shows."""
    started = time.perf_counter()
    picture = graph.picture(model, focus, opened)
    return {
        "catalog": name,
        "view": view,
        "layout_s": round(time.perf_counter() - started, 2),
        "features": picture.features,
        "boxes": len(picture.nodes),
        "groups": sum(1 for node in picture.nodes if node.members > 1),
        "lines": len(picture.edges),
        "links_left_out": picture.hidden_edges,
        "height_px": round(picture.height),
    }


def main(argv: list[str] | None = None) -> int:
    """Lay out the chosen catalogs' graphs and print one JSON line per view."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="all", choices=[*CATALOGS, "all"])
    args = parser.parse_args(argv)
    for name in list(CATALOGS) if args.catalog == "all" else [args.catalog]:
        model = Catalog.from_path(CATALOGS[name]).model
        closed = figures(name, "as the page opens", model)
        print(json.dumps(closed), flush=True)
        if closed["groups"]:
            first = graph.picture(model).nodes[0]
            print(json.dumps(figures(name, f"row {first.row} opened", model, opened=frozenset({first.row}))))
            feature = model.features[len(model.features) // 2].id
            print(json.dumps(figures(name, f"feature {feature} clicked", model, focus=feature)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
