"""Saves and orders against picks, through the real Flask app on a demo catalog.

What a customer waits for after pressing a button is the POST and the page it
redirects to (htmx follows `HX-Redirect` with a full GET), so each action is
timed as both together: a pick (one htmx POST), a first save (POST
/shop/<line>/save, then the saved configuration's page), a pick there, a
revision (POST .../save, then the page again) and an order (POST .../order,
then the order's page). Each round starts from a fresh configuration on a throwaway SQLite
database; the first round warms the catalog and is not counted.

    .venv/bin/python -m bench.saves [--catalog city-bike] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.catalogs import ROOT

RESULTS = ROOT / "bench" / "results" / "saves.json"
HTMX = {"HX-Request": "true"}
PICK = dict(HTMX, **{"HX-Target": "configurator", "HX-Trigger": "configurator"})
FACTS = {"segment": "consumer", "country": "de"}


def build_app(db_path: Path, catalog_id: str):
    """The real app (CSRF off: the bench measures the shop, not the token) with one customer."""
    url = f"sqlite:///{db_path}"
    os.environ["DATABASE_URL"] = url
    from configurator.config import TestConfig
    from configurator.services import catalogs, users
    from configurator.store import make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app
    from configurator.web.database import db

    engine = make_engine(url)
    upgrade(engine)
    app = create_app(
        TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine, "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        catalogs.load_file(db.session, ROOT / "catalog" / f"{catalog_id}.yaml")
        users.sign_up(
            db.session, "bench@example.com", "password123", "Bench",
            password_method="pbkdf2:sha256:1000", **FACTS,
        )
    return app, engine


def selections(catalog_id: str, count: int) -> list[tuple[dict, dict]]:
    """`count` pairs of complete selections, all different: each round saves the first
    of its pair and revises it to the second, so no round finds another's answers
    in a cache (a pick is measured as a customer's first look at that selection)."""
    from configurator.engine import load_catalog

    catalog = load_catalog(ROOT / "catalog" / f"{catalog_id}.yaml")
    base = dict(catalog.complete({}, customer=FACTS).selections)
    found: list[dict] = []
    for feature in catalog.model.features:
        for option in feature.options:
            if feature.multi or option.id == base.get(feature.id):
                continue
            done = catalog.complete({**base, feature.id: option.id}, customer=FACTS)
            if not done.consistent or done.selections in found:
                continue
            found.append(dict(done.selections))
            if len(found) == 2 * count:
                return list(zip(found[::2], found[1::2], strict=True))
    raise SystemExit(f"{catalog_id} has fewer than {2 * count} complete selections to try")


def form(selection: dict, **extra) -> dict:
    """The configurator form for a selection."""
    return {**{f"f.{key}": value for key, value in selection.items()}, **extra}


def timed(client, method: str, url: str, **kwargs) -> tuple[float, object]:
    """One request, and the page an htmx redirect leads to, timed together."""
    started = time.perf_counter()
    response = client.open(url, method=method, **kwargs)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {url} answered {response.status_code}")
    location = response.headers.get("HX-Redirect")
    if location:
        page = client.get(location)
        if page.status_code != 200:
            raise SystemExit(f"GET {location} answered {page.status_code}")
    return time.perf_counter() - started, response


def one_round(client, catalog_id: str, first: dict, second: dict) -> dict[str, float]:
    """Pick, save, revise and order one configuration; seconds per action."""
    shop = f"/shop/{catalog_id}"
    figures = {}
    figures["pick"], _ = timed(client, "POST", shop, data=form(first), headers=PICK)
    figures["first save"], saved = timed(
        client, "POST", f"{shop}/save", data=form(first, name="Bench"), headers=HTMX
    )
    page = saved.headers["HX-Redirect"]
    # The customer changes a pick on the saved page before saving it again.
    figures["pick (saved)"], _ = timed(
        client, "POST", page, data=form(second, base_revision=1), headers=PICK
    )
    figures["revision save"], _ = timed(
        client, "POST", f"{page}/save", data=form(second, base_revision=1), headers=HTMX
    )
    figures["order"], _ = timed(
        client, "POST", f"{page}/order", data=form(second, base_revision=2), headers=HTMX
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="city-bike", help="a demo catalog (default city-bike)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more round")
    args = parser.parse_args(argv)
    pairs = selections(args.catalog, args.rounds + 1 + int(args.profile))
    with tempfile.TemporaryDirectory(prefix="bench-saves-") as tmp:
        app, engine = build_app(Path(tmp) / "bench.db", args.catalog)
        client = app.test_client()
        client.post("/auth/signin", data={"email": "bench@example.com", "password": "password123"})
        one_round(client, args.catalog, *pairs.pop())  # warm-up: parses the catalog
        rounds = [one_round(client, args.catalog, *pairs.pop()) for _ in range(args.rounds)]
        profile_text = ""
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(one_round, client, args.catalog, *pairs.pop())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            profile_text = out.getvalue()
        engine.dispose()
    medians = {
        action: round(statistics.median(r[action] for r in rounds) * 1000, 1) for action in rounds[0]
    }
    print(f"saves and orders, {args.catalog}, median of {args.rounds} rounds (POST + page it leads to)")
    for action, ms in medians.items():
        print(f"  {action:<16}{ms:>10.1f} ms")
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalog": args.catalog,
        "rounds": args.rounds,
        "median_ms": medians,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    if profile_text:
        print(profile_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
