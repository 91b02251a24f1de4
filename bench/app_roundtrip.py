"""Pick-to-fragment round trip through the real Flask app on the big Renault catalog.

Loads renault-big.json into a throwaway SQLite database, then with the Flask
test client (real app, real templates, CSRF on) replays sales rows: each row
starts from an empty configuration (a fresh client, so no kept draft) and
posts the picks one at a time in the row's `order`, as htmx does: the whole
form so far (picks, the fingerprint each feature of the page carries, the
name field, the CSRF token) with htmx's request headers. The fingerprints
come from the page the replay holds: the first GET, then every feature each
response swaps in, as the browser would keep them. Each POST is timed, and
its size counted.

    .venv/bin/python -m bench.app_roundtrip [--limit N] [--slowest N] [--profile K]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.catalogs import CATALOGS, ROOT

RESULTS = ROOT / "bench" / "results" / "app-roundtrip.json"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOWN_RE = re.compile(r'name="(shown\.[^"]+)" value="([^"]*)"')
# What htmx sends for a `change` on the configurator form (hx-target="this").
HTMX = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def build_app(db_path: Path):
    """The real app on a migrated SQLite file with the big catalog loaded."""
    url = f"sqlite:///{db_path}"
    os.environ["DATABASE_URL"] = url
    from configurator.config import TestConfig
    from configurator.services import catalogs
    from configurator.store import make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app
    from configurator.web.database import db

    engine = make_engine(url)
    upgrade(engine)
    app = create_app(TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine})
    t0 = time.perf_counter()
    with app.app_context():
        result = catalogs.load_file(db.session, CATALOGS["big"].catalog)
        catalog_id = result.version.catalog_id
    load_seconds = time.perf_counter() - t0
    return app, engine, catalog_id, load_seconds


def form_for(picks: dict[str, object], shown: dict[str, str], token: str) -> dict[str, object]:
    """The configurator form as htmx posts it: picks, fingerprints, name field, CSRF token."""
    data: dict[str, object] = {f"f.{key}": value for key, value in picks.items()}
    data.update(shown)
    data["name"] = ""
    data["csrf_token"] = token
    return data


def keep_shown(shown: dict[str, str], html: str) -> None:
    """Update the page's fingerprints from a page or a pick's response (what it swaps in)."""
    shown.update(SHOWN_RE.findall(html))


@dataclass
class Picks:
    """What the replay measured, one entry per pick."""

    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)


def replay_row(app, url: str, row: dict, number: int, picks_out: Picks) -> float:
    """Replay one sales row with a fresh client; returns its first-load (GET) time."""
    client = app.test_client()
    t0 = time.perf_counter()
    page = client.get(url)
    first = time.perf_counter() - t0
    if page.status_code != 200:
        raise SystemExit(f"GET {url} returned {page.status_code}")
    match = CSRF_RE.search(page.get_data(as_text=True))
    if not match:
        raise SystemExit("no csrf_token in the configurator page")
    token = match.group(1)
    headers = dict(HTMX, **{"X-CSRFToken": token, "HX-Current-URL": f"http://localhost{url}"})
    shown: dict[str, str] = {}
    keep_shown(shown, page.get_data(as_text=True))
    selections = row["selections"]
    picks: dict[str, object] = {}
    for feature in row["order"]:
        if feature not in selections:
            continue
        picks[feature] = selections[feature]
        data = form_for(picks, shown, token)
        t0 = time.perf_counter()
        response = client.post(url, data=data, headers=headers)
        body = response.get_data()
        picks_out.times.append(time.perf_counter() - t0)
        picks_out.sizes.append(len(body))
        picks_out.where.append(f"row {number}, pick {len(picks)}: {feature}, {len(body) / 1024:.0f} KiB")
        if response.status_code != 200 or b"<html" in body:
            picks_out.bad.append(response.status_code)
        keep_shown(shown, body.decode("utf-8"))
    return first


def profile_picks(app, url: str, row: dict, count: int) -> str:
    """cProfile of the first `count` picks of a row (after a warm GET)."""
    client = app.test_client()
    page = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    headers = dict(HTMX, **{"X-CSRFToken": token, "HX-Current-URL": f"http://localhost{url}"})
    shown: dict[str, str] = {}
    keep_shown(shown, page)
    picks: dict[str, object] = {}
    profiler = cProfile.Profile()
    for feature in [f for f in row["order"] if f in row["selections"]][:count]:
        picks[feature] = row["selections"][feature]
        data = form_for(picks, shown, token)
        profiler.enable()
        body = client.post(url, data=data, headers=headers).get_data(as_text=True)
        profiler.disable()
        keep_shown(shown, body)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(35)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=5, help="sales rows to replay (default 5)")
    parser.add_argument("--slowest", type=int, default=0, help="also list the N slowest picks")
    parser.add_argument(
        "--profile", type=int, default=0, help="also cProfile this many picks and print the top"
    )
    args = parser.parse_args(argv)

    with gzip.open(CATALOGS["big"].sales, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)[: args.limit]

    with tempfile.TemporaryDirectory(prefix="app-roundtrip-") as tmp:
        app, engine, catalog_id, load_seconds = build_app(Path(tmp) / "bench.db")
        url = f"/shop/{catalog_id}"
        measured = Picks()
        first_loads: list[float] = []
        wall0 = time.perf_counter()
        for number, row in enumerate(rows):
            first_loads.append(replay_row(app, url, row, number, measured))
        wall = time.perf_counter() - wall0
        profile_text = profile_picks(app, url, rows[0], args.profile) if args.profile else ""
        engine.dispose()

    ms = [t * 1000 for t in measured.times]
    sizes, bad = measured.sizes, measured.bad
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalog": str(CATALOGS["big"].catalog),
        "rows": len(rows),
        "catalog_db_load_s": round(load_seconds, 3),
        "first_load_ms": round(first_loads[0] * 1000, 2),  # cold: parses the catalog
        "warm_load_ms_median": round(statistics.median(first_loads[1:]) * 1000, 2)
        if len(first_loads) > 1
        else None,
        "picks": len(ms),
        "p50_ms": round(percentile(ms, 50), 2) if ms else None,
        "p95_ms": round(percentile(ms, 95), 2) if ms else None,
        "max_ms": round(max(ms), 2) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "response_kb_median": round(statistics.median(sizes) / 1024, 1) if sizes else None,
        "response_kb_max": round(max(sizes) / 1024, 1) if sizes else None,
        "non_200": len(bad),
        "wall_s": round(wall, 2),
    }
    print(f"app round trip, renault-big, {len(rows)} rows (fresh session each)")
    print(f"  {'catalog load into DB':<24}{result['catalog_db_load_s'] * 1000:>10.1f} ms")
    print(f"  {'first load (cold GET)':<24}{result['first_load_ms']:>10.1f} ms")
    if result["warm_load_ms_median"] is not None:
        print(f"  {'later GET (median)':<24}{result['warm_load_ms_median']:>10.1f} ms")
    print(f"  {'picks':<24}{result['picks']:>10}")
    for key, label in (("p50_ms", "P50"), ("p95_ms", "P95"), ("max_ms", "max")):
        print(f"  {label + ' per pick':<24}{result[key]:>10.1f} ms")
    if sizes:
        print(f"  {'response median / max':<24}{result['response_kb_median']:>7.1f} / {result['response_kb_max']:.1f} KiB")
    print(f"  {'non-200 / full page':<24}{result['non_200']:>10}")
    print(f"  {'wall':<24}{result['wall_s']:>10.1f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    slowest = sorted(zip(ms, measured.where), reverse=True)[: args.slowest]
    for took, where in slowest:
        print(f"  {took:>8.1f} ms  {where}")
    if profile_text:
        print(profile_text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
