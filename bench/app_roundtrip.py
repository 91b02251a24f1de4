"""Pick-to-fragment round trip through the real Flask app on the big Renault catalog.

Loads renault-big.json into a throwaway SQLite database, then with the Flask
test client (real app, real templates, CSRF on) replays sales rows: each row
starts from an empty configuration (a fresh client, so no kept draft) and
posts the picks one at a time in the row's `order`, as htmx does — the whole
form so far plus the CSRF token, with `HX-Request: true`. Each POST is timed.

    .venv/bin/python -m bench.app_roundtrip [--limit N] [--profile K]
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
from datetime import datetime, timezone
from pathlib import Path

from bench.catalogs import CATALOGS, ROOT

RESULTS = ROOT / "bench" / "results" / "app-roundtrip.json"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true"}


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
    from configurator.store import db, make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app

    engine = make_engine(url)
    upgrade(engine)
    app = create_app(TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine})
    t0 = time.perf_counter()
    with app.app_context():
        result = catalogs.load_file(db.session, CATALOGS["big"].catalog)
        catalog_id = result.version.catalog_id
    load_seconds = time.perf_counter() - t0
    return app, engine, catalog_id, load_seconds


def form_for(picks: dict[str, object], token: str) -> dict[str, object]:
    """The configurator form as htmx posts it: every pick so far plus the CSRF token."""
    data: dict[str, object] = {f"f.{key}": value for key, value in picks.items()}
    data["csrf_token"] = token
    return data


def replay_row(app, url: str, row: dict, times: list[float], bad: list[int]) -> float:
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
    headers = dict(HTMX, **{"X-CSRFToken": token})
    selections = row["selections"]
    picks: dict[str, object] = {}
    for feature in row["order"]:
        if feature not in selections:
            continue
        picks[feature] = selections[feature]
        data = form_for(picks, token)
        t0 = time.perf_counter()
        response = client.post(url, data=data, headers=headers)
        body = response.get_data()
        times.append(time.perf_counter() - t0)
        if response.status_code != 200 or b"<html" in body:
            bad.append(response.status_code)
    return first


def profile_picks(app, url: str, row: dict, count: int) -> str:
    """cProfile of the first `count` picks of a row (after a warm GET)."""
    client = app.test_client()
    page = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    headers = dict(HTMX, **{"X-CSRFToken": token})
    picks: dict[str, object] = {}
    profiler = cProfile.Profile()
    for feature in [f for f in row["order"] if f in row["selections"]][:count]:
        picks[feature] = row["selections"][feature]
        data = form_for(picks, token)
        profiler.enable()
        client.post(url, data=data, headers=headers).get_data()
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(35)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=5, help="sales rows to replay (default 5)")
    parser.add_argument(
        "--profile", type=int, default=0, help="also cProfile this many picks and print the top"
    )
    args = parser.parse_args(argv)

    with gzip.open(CATALOGS["big"].sales, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)[: args.limit]

    with tempfile.TemporaryDirectory(prefix="app-roundtrip-") as tmp:
        app, engine, catalog_id, load_seconds = build_app(Path(tmp) / "bench.db")
        url = f"/shop/{catalog_id}"
        times: list[float] = []
        bad: list[int] = []
        first_loads: list[float] = []
        wall0 = time.perf_counter()
        for row in rows:
            first_loads.append(replay_row(app, url, row, times, bad))
        wall = time.perf_counter() - wall0
        profile_text = profile_picks(app, url, rows[0], args.profile) if args.profile else ""
        engine.dispose()

    ms = [t * 1000 for t in times]
    result = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
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
    print(f"  {'non-200 / full page':<24}{result['non_200']:>10}")
    print(f"  {'wall':<24}{result['wall_s']:>10.1f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    if profile_text:
        print(profile_text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
