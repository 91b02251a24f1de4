"""Load benchmark: concurrent customers against gunicorn + PostgreSQL on this machine.

Starts the production entry point (`gunicorn configurator.web.wsgi:app`, N
workers) on a loopback port against a fresh PostgreSQL schema with the demo
catalogs, then runs M simulated customers (threads, one HTTP session each) for
a bounded time. Each customer signs in, then repeatedly opens a product line,
makes picks one at a time as htmx does (the whole form, the CSRF header, the
fingerprints of what the page shows), completes the rest at the lowest price,
saves the configuration, opens it and saves one more revision. Every request
is timed; anything but the expected status is an error.

    .venv/bin/python -m bench.load [--workers 4] [--customers 16] [--duration 30]

Loopback only, bounded in time; the schema is dropped afterwards. The sign-in
rate limit is switched off for the run (every customer comes from 127.0.0.1).
Results: bench/results/load.json, and a table for bench/LOAD.md on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.catalogs import ROOT

RESULTS = ROOT / "bench" / "results" / "load.json"
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "load-test-password"
CATALOG_IDS = ("city-bike", "standing-desk", "coffee-subscription")
CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SHOWN_RE = re.compile(r'name="(shown\.[^"]+)" value="([^"]*)"')
OPTION_RE = re.compile(
    r'<input type="(radio|checkbox)" id="opt-[^"]+"\s+name="f\.([^"]+)" value="([^"]+)"([^>]*)>'
)
BASE_REVISION_RE = re.compile(r'name="base_revision" value="(\d+)"')
HTMX = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ------------------------------------------------------------------ set-up


def fresh_schema(base_url: str) -> tuple[str, str]:
    """A new PostgreSQL schema; returns (url using it, schema name)."""
    from configurator.config import normalize_database_url

    base = normalize_database_url(base_url)
    schema = f"load_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", schema


def drop_schema(base_url: str, schema: str) -> None:
    from configurator.config import normalize_database_url

    admin = sa.create_engine(normalize_database_url(base_url))
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def prepare_database(url: str, customers: int) -> list[str]:
    """Migrate, load the demo catalogs, create the customers; returns their emails."""
    from configurator.services import catalogs, users
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    emails = [f"load{n}@example.com" for n in range(customers)]
    with session_factory(engine)() as session:
        for catalog_id in CATALOG_IDS:
            catalogs.load_file(session, ROOT / "catalog" / f"{catalog_id}.yaml")
        for n, email in enumerate(emails):
            users.sign_up(
                session,
                email,
                PASSWORD,
                f"Load {n}",
                country="de",
                password_method="pbkdf2:sha256:1000",
            )
    engine.dispose()
    return emails


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, workers: int, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port, waited for until /health answers."""
    port = free_port()
    environment = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=uuid.uuid4().hex,
        SESSION_COOKIE_SECURE="0",  # plain HTTP on loopback
        RATELIMIT_ENABLED="0",  # every simulated customer signs in from 127.0.0.1
        OPENBLAS_NUM_THREADS="1",
    )
    command = [str(GUNICORN), "--workers", str(workers), "--threads", str(threads)]
    command += ["--bind", f"127.0.0.1:{port}", "--preload", "configurator.web.wsgi:app"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/health", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn did not become healthy:\n{log.read_text()[-3000:]}")


def warm_up(base: str) -> None:
    """Open each product line once per worker or so, so compile time is not measured."""
    for catalog_id in CATALOG_IDS:
        for _ in range(8):
            requests.get(f"{base}/shop/{catalog_id}", timeout=120)


# --------------------------------------------------------------- customers


@dataclass
class Measurements:
    """Latencies per kind of request, errors, and completed saves (shared by threads)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    saves: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Customer:
    """One simulated customer with its own cookies, walking the shop until the deadline."""

    def __init__(self, base: str, email: str, seed: int, measurements: Measurements) -> None:
        self.base = base
        self.email = email
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.measure = measurements

    def request(self, kind: str, method: str, path: str, expect: int, **kwargs) -> str | None:
        """One timed request; None (and an error noted) unless the status is `expect`."""
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as error:
            self.measure.error(f"{kind} {path}: {type(error).__name__}")
            return None
        self.measure.record(kind, time.perf_counter() - started)
        if response.status_code != expect:
            self.measure.error(f"{kind} {path}: HTTP {response.status_code}")
            return None
        return response.headers.get("Location", "") if expect in (302, 303) else response.text

    def sign_in(self) -> bool:
        page = self.request("page", "GET", "/auth/signin", 200)
        if page is None:
            return False
        token = CSRF_RE.search(page).group(1)
        data = {"email": self.email, "password": PASSWORD, "csrf_token": token}
        return self.request("sign-in", "POST", "/auth/signin", 302, data=data) is not None

    def run(self, deadline: float) -> None:
        """Sign in, then configure and save until the deadline; a crash counts as an error."""
        try:
            if not self.sign_in():
                return
            while time.monotonic() < deadline:
                self.configure_and_save(self.rng.choice(CATALOG_IDS), deadline)
        except Exception as error:  # noqa: BLE001 (any failure of a customer is counted, not raised)
            self.measure.error(f"customer {self.email}: {type(error).__name__}: {error}")

    def configure_and_save(self, catalog_id: str, deadline: float) -> None:
        """Open a product line, pick, complete, save; open it and save a revision."""
        path = f"/shop/{catalog_id}"
        page = self.request("page", "GET", path, 200)
        if page is None:
            return
        token = CSRF_RE.search(page).group(1)
        headers = dict(HTMX, **{"X-CSRFToken": token})
        shown = dict(SHOWN_RE.findall(page))
        possible, picks = self.read_options(page, {}, {})
        for _ in range(self.rng.randint(2, 5)):
            if time.monotonic() >= deadline:
                return
            choice = self.pick(possible, picks)
            if choice is None:
                break
            feature, option = choice
            picks[feature] = option
            fragment = self.request(
                "pick", "POST", path, 200, data=self.form(picks, shown, token), headers=headers
            )
            if fragment is None:
                return
            shown.update(SHOWN_RE.findall(fragment))
            possible, picks = self.read_options(fragment, possible, picks)
        data = dict(self.form(picks, shown, token), action="complete")
        fragment = self.request("pick", "POST", path, 200, data=data, headers=headers)
        if fragment is None:
            return
        possible, picks = self.read_options(fragment, possible, picks)
        data = dict(self.form(picks, {}, token), name=f"Load {self.rng.randrange(10**6)}")
        location = self.request("save", "POST", f"{path}/save", 303, data=data)
        if not location:
            return
        self.save_revision(location, deadline)

    def save_revision(self, location: str, deadline: float) -> None:
        """Open the saved configuration, change one pick, save it as revision 2."""
        path = location.replace(self.base, "")
        page = self.request("page", "GET", path, 200)
        if page is None or time.monotonic() >= deadline:
            return
        token = CSRF_RE.search(page).group(1)
        base_revision = BASE_REVISION_RE.search(page).group(1)
        possible, picks = self.read_options(page, {}, {})
        choice = self.pick(possible, picks)
        if choice is not None:
            picks[choice[0]] = choice[1]
        data = dict(self.form(picks, {}, token), base_revision=base_revision)
        if self.request("save", "POST", f"{path}/save", 303, data=data) is not None:
            with self.measure.lock:
                self.measure.saves += 2

    @staticmethod
    def form(picks: dict[str, str], shown: dict[str, str], token: str) -> dict[str, str]:
        data = {f"f.{feature}": option for feature, option in picks.items()}
        data.update(shown)
        data["csrf_token"] = token
        return data

    @staticmethod
    def read_options(html: str, possible: dict, picks: dict) -> tuple[dict, dict]:
        """Update what is possible and picked from the features this HTML shows."""
        possible, picks = dict(possible), dict(picks)
        seen: set[str] = set()
        for kind, feature, option, rest in OPTION_RE.findall(html):
            if kind != "radio":
                continue  # single-choice features are enough to exercise the shop
            if feature not in seen:
                seen.add(feature)
                possible[feature] = []
                picks.pop(feature, None)
            if "disabled" not in rest:
                possible[feature].append(option)
            if "checked" in rest:
                picks[feature] = option
        return possible, picks

    def pick(self, possible: dict, picks: dict) -> tuple[str, str] | None:
        """A random still-possible option of a feature not picked yet."""
        open_features = [f for f, options in possible.items() if options and f not in picks]
        if not open_features:
            return None
        feature = self.rng.choice(open_features)
        return feature, self.rng.choice(possible[feature])


# -------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> dict:
    url, schema = fresh_schema(args.database_url)
    log = Path(args.log)
    process = None
    try:
        emails = prepare_database(url, args.customers)
        process, base = start_gunicorn(url, args.workers, args.threads, log)
        warm_up(base)
        measurements = Measurements()
        deadline = time.monotonic() + args.duration
        customers = [Customer(base, email, seed, measurements) for seed, email in enumerate(emails)]
        threads = [threading.Thread(target=c.run, args=(deadline,)) for c in customers]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        wall = time.perf_counter() - started
        server_errors = log.read_text().count("Traceback")
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_schema(args.database_url, schema)
    return summarize(args, measurements, wall, server_errors)


def summarize(args, measurements: Measurements, wall: float, server_errors: int) -> dict:
    every = [t for times in measurements.latencies.values() for t in times]
    per_kind = {
        kind: {
            "requests": len(times),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(percentile(times, 95) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1),
        }
        for kind, times in sorted(measurements.latencies.items())
    }
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "workers": args.workers,
        "threads": args.threads,
        "customers": args.customers,
        "duration_s": round(wall, 1),
        "requests": len(every),
        "throughput_rps": round(len(every) / wall, 1),
        "saves": measurements.saves,
        "p50_ms": round(statistics.median(every) * 1000, 1) if every else None,
        "p95_ms": round(percentile(every, 95) * 1000, 1) if every else None,
        "errors": len(measurements.errors),
        "error_samples": measurements.errors[:10],
        "server_tracebacks": server_errors,
        "per_kind": per_kind,
        "cpus": os.cpu_count(),
    }


def table(result: dict) -> str:
    lines = [
        (
            f"{result['customers']} customers, gunicorn {result['workers']} workers x "
            f"{result['threads']} threads, {result['duration_s']} s, {result['cpus']} CPUs "
            "(client and server on the same machine):"
        ),
        "",
        "| requests | throughput | P50 | P95 | errors | saves |",
        "|---|---|---|---|---|---|",
        (
            f"| {result['requests']} | {result['throughput_rps']} req/s | {result['p50_ms']} ms "
            f"| {result['p95_ms']} ms | {result['errors']} | {result['saves']} |"
        ),
        "",
        "| kind | requests | P50 | P95 | max |",
        "|---|---|---|---|---|",
    ]
    for kind, row in result["per_kind"].items():
        lines.append(
            f"| {kind} | {row['requests']} | {row['p50_ms']} ms | {row['p95_ms']} ms "
            f"| {row['max_ms']} ms |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1)")
    parser.add_argument("--customers", type=int, default=16, help="concurrent customers")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument(
        "--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--log", default="/tmp/bench-load-gunicorn.log", help="gunicorn's log")
    args = parser.parse_args(argv)
    if args.duration > 600 or args.customers > 200:
        parser.error("keep it bounded: at most 600 s and 200 customers")
    result = run(args)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    if result["error_samples"]:
        print("errors:", *result["error_samples"], sep="\n  ")
    return 0 if result["errors"] == 0 and result["server_tracebacks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
