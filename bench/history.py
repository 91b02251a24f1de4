"""History pages at scale: "My configurations", "My orders", a configuration's
revisions and the timeline, with 100,000 customers and 1,000,000 saved
configurations in PostgreSQL.

Creates a fresh schema in the `test` database, migrates it, bulk-loads
generated history with COPY (skewed: most customers have a handful of
configurations, a few have thousands), then times the real service functions
the pages call (`configurations.page_for`, `orders.page_for`,
`configurations.revision_page`, `timeline.page_for`) on the first page and on
deep pages of many random customers, prints P50/P95/max per page query and the
EXPLAIN ANALYZE of the exact SQL they ran, and drops the schema.

    .venv/bin/python -m bench.history                       # the full 100k / 1M run
    .venv/bin/python -m bench.history --customers 2000 --configurations 20000
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from configurator.config import normalize_database_url
from configurator.services import catalogs, orders, paging, timeline
from configurator.services.configuring import configurations
from configurator.store import make_engine, session_factory
from configurator.store.migrate import upgrade
from configurator.store.models import Configuration, Interaction, Order, Revision, User

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "history-latest.json"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 20.0
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600  # three years of history
# Not a usable password hash on purpose: nobody signs in to generated accounts.
NO_PASSWORD = "bench:no-password"
ORDERED_SHARE = 0.25  # a quarter of the configurations get ordered
REORDER_SHARE = 0.10  # and a tenth of the orders are ordered again
TIE_SHARE = 0.05  # saved in the same microsecond as the customer's previous one
LONG_HISTORY_SHARE = 0.001  # configurations revised hundreds of times
VIEWS_PER_CONFIGURATION = 1.0


# --------------------------------------------------------------------- loading


@dataclass
class LoadStats:
    """What was loaded, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    analyze_seconds: float = 0.0


@dataclass(frozen=True)
class Pick:
    """A ready-made saved state: selection, price, order snapshot (as JSON text)."""

    version_id: int
    catalog_id: str
    currency: str
    selection_json: str
    price: Decimal
    snapshot_json: str


def configuration_counts(customers: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """How many configurations each customer has: log-normal, summing to `total`.

    With sigma 1.6 most customers have a few, about a fifth none, and the
    busiest a few thousand: the deep pages worth measuring.
    """
    raw = rng.lognormal(mean=0.0, sigma=1.6, size=customers)
    counts = np.floor(raw / raw.sum() * total).astype(np.int64)
    shortfall = total - int(counts.sum())
    if shortfall > 0:  # hand out the rounding remainder, biggest fractions first
        fractions = raw / raw.sum() * total - counts
        counts[np.argsort(-fractions)[:shortfall]] += 1
    return counts


def revision_count(rng: random.Random) -> int:
    """Revisions of one configuration: mostly 1-3, rarely hundreds."""
    if rng.random() < LONG_HISTORY_SHARE:
        return rng.randint(100, 400)
    count = 1
    while count < 30 and rng.random() < 0.45:
        count += 1
    return count


@dataclass
class Picks:
    """The ready-made states, all and per product line."""

    all: list[Pick]
    same_line: dict[str, list[Pick]]


def make_picks(session: Session, paths: list[Path], per_catalog: int, rng: random.Random) -> Picks:
    """Valid selections of the catalogs, picked as customers do (option by option)."""
    picks = []
    for path in paths:
        version = catalogs.load_file(session, path).version
        catalog = catalogs.engine_catalog(version)
        for _ in range(per_catalog):
            selection = _random_valid_selection(catalog, rng)
            snapshot = orders.snapshot(catalog, version, selection)
            picks.append(
                Pick(
                    version.id,
                    version.catalog_id,
                    version.currency,
                    json.dumps(selection),
                    Decimal(snapshot["total"]),
                    json.dumps(snapshot),
                )
            )
    same_line: dict[str, list[Pick]] = {}
    for pick in picks:
        same_line.setdefault(pick.catalog_id, []).append(pick)
    return Picks(picks, same_line)


def _random_valid_selection(catalog: Any, rng: random.Random) -> dict[str, Any]:
    selection: dict[str, Any] = {}
    for feature in catalog.model.features:
        possible = catalog.domains(selection).domains.get(feature.id, [])
        if not possible or (feature.min == 0 and rng.random() < 0.3):
            continue
        option = rng.choice(possible)
        selection[feature.id] = [option] if feature.multi else option
    return selection


class Copier:
    """One COPY ... FROM STDIN per table, each on its own connection.

    Foreign keys are not checked while loading (session_replication_role =
    replica, which needs a superuser): the generator makes consistent ids, and
    checking 8 million references row by row would dominate the load.
    """

    COLUMNS: ClassVar[dict[str, str]] = {
        "users": "id, email, name, password_hash, role, segment, country, tier, created_at",
        "configurations": (
            "id, owner_id, catalog_id, name, derived_from_id, revision_count, created_at, "
            "updated_at"
        ),
        "revisions": (
            "id, configuration_id, number, catalog_version_id, selection, price, complete, "
            "author_id, created_at"
        ),
        "orders": (
            "id, number, owner_id, configuration_id, revision_id, catalog_version_id, "
            "reorder_of_id, snapshot, total, currency, status, created_at"
        ),
        "interactions": "id, customer_id, actor_id, kind, channel, subject, detail, created_at",
    }

    def __init__(self, engine: sa.Engine) -> None:
        self.connections = {}
        self.copies = {}
        self._contexts = {}
        self.counts = dict.fromkeys(self.COLUMNS, 0)
        for table, columns in self.COLUMNS.items():
            connection = engine.raw_connection()
            cursor = connection.cursor()
            cursor.execute("SET session_replication_role = replica")
            context = cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
            self.copies[table] = context.__enter__()
            self._contexts[table] = context
            self.connections[table] = connection

    def write(self, table: str, row: tuple[Any, ...]) -> None:
        """Queue one row for `table`."""
        self.copies[table].write_row(row)
        self.counts[table] += 1

    def finish(self) -> None:
        """End every COPY and commit."""
        for table, context in self._contexts.items():
            context.__exit__(None, None, None)
            self.connections[table].commit()
            self.connections[table].close()


def load(
    engine: sa.Engine,
    customers: int,
    total_configurations: int,
    *,
    seed: int = 1,
    catalog_paths: list[Path] | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> LoadStats:
    """Fill an empty, migrated database with generated history, then ANALYZE it.

    The saved states come from `catalog_paths` (default: the demo catalogs).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    paths = catalog_paths or sorted((ROOT / "catalog").glob("*.yaml"))
    with session_factory(engine)() as session:
        picks = make_picks(session, paths, 40, rng)
    counts = configuration_counts(customers, total_configurations, np.random.default_rng(seed))
    copier = Copier(engine)
    ids = _Ids()
    try:
        for index in range(customers):
            _write_customer(copier, ids, rng, picks, index, int(counts[index]))
            if index and index % 10_000 == 0:
                progress(
                    f"  {index:,} customers, {copier.counts['configurations']:,} configurations"
                )
    finally:
        copier.finish()
    _reset_sequences(engine)
    loaded = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in Copier.COLUMNS:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
    done = time.perf_counter()
    return LoadStats(dict(copier.counts), loaded - started, done - loaded)


class _Ids:
    """Next id per table: ids are given by the loader, sequences set afterwards."""

    def __init__(self) -> None:
        self.next = dict.fromkeys(Copier.COLUMNS, 0)

    def __call__(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]


def _at(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def _write_customer(
    copier: Copier, ids: _Ids, rng: random.Random, picks: Picks, index: int, count: int
) -> None:
    user_id = ids("users")
    joined = rng.uniform(0, SPAN_SECONDS * 0.9)
    copier.write(
        "users",
        (
            user_id,
            f"customer{index}@example.com",
            f"Customer {index}",
            NO_PASSWORD,
            "customer",
            "business" if rng.random() < 0.1 else "consumer",
            rng.choice(("de", "fr", "nl", "at", "it")),
            None,
            _at(joined),
        ),
    )
    _event(copier, ids, user_id, "signed_up", "Created an account", {}, _at(joined))
    # Configurations are spread between sign-up and now, in time order.
    moments = sorted(rng.uniform(joined, SPAN_SECONDS) for _ in range(count))
    previous = None
    for moment in moments:
        if previous is not None and rng.random() < TIE_SHARE:
            moment = previous  # ties on the sort time: the id must break them
        previous = moment
        _write_configuration(copier, ids, rng, picks, user_id, moment)


def _write_configuration(
    copier: Copier, ids: _Ids, rng: random.Random, picks: Picks, user_id: int, moment: float
) -> None:
    configuration_id = ids("configurations")
    first = rng.choice(picks.all)
    revisions = revision_count(rng)
    # Revisions follow the first save by minutes to weeks.
    times = [moment]
    for _ in range(revisions - 1):
        times.append(min(times[-1] + rng.expovariate(1 / 86_400), SPAN_SECONDS + 86_400))
    name = f"My {first.catalog_id.replace('-', ' ')} {configuration_id}"
    copier.write(
        "configurations",
        (
            configuration_id,
            user_id,
            first.catalog_id,
            name,
            None,
            revisions,
            _at(times[0]),
            _at(times[-1]),
        ),
    )
    pick = first
    revision_id = 0
    for number, seconds in enumerate(times, start=1):
        if number > 1:  # a changed revision: another state of the same product line
            pick = rng.choice(picks.same_line[first.catalog_id])
        revision_id = ids("revisions")
        copier.write(
            "revisions",
            (
                revision_id,
                configuration_id,
                number,
                pick.version_id,
                pick.selection_json,
                pick.price,
                True,
                user_id,
                _at(seconds),
            ),
        )
        kind, subject = (
            ("saved", f"{name} ({first.catalog_id})")
            if number == 1
            else ("changed", f"{name}, revision {number}")
        )
        detail = {
            "configuration_id": configuration_id,
            "revision": number,
            "price": str(pick.price),
        }
        _event(copier, ids, user_id, kind, subject, detail, _at(seconds))
    if rng.random() < VIEWS_PER_CONFIGURATION:
        _event(copier, ids, user_id, "viewed", first.catalog_id, {}, _at(max(times[0] - 60, 0)))
    if rng.random() < ORDERED_SHARE:
        ordered_at = times[-1] + rng.uniform(60, 7 * 86_400)
        order_id = _write_order(
            copier, ids, user_id, configuration_id, revision_id, pick, ordered_at, None
        )
        if rng.random() < REORDER_SHARE:
            again_at = ordered_at + rng.uniform(30, 365) * 86_400
            _write_order(copier, ids, user_id, configuration_id, None, pick, again_at, order_id)


def _write_order(
    copier: Copier,
    ids: _Ids,
    user_id: int,
    configuration_id: int,
    revision_id: int | None,
    pick: Pick,
    seconds: float,
    reorder_of: int | None,
) -> int:
    order_id = ids("orders")
    number = f"B{order_id:07d}"[:4] + "-" + f"B{order_id:07d}"[4:]
    copier.write(
        "orders",
        (
            order_id,
            number,
            user_id,
            configuration_id,
            revision_id,
            pick.version_id,
            reorder_of,
            pick.snapshot_json,
            pick.price,
            pick.currency,
            "placed",
            _at(seconds),
        ),
    )
    kind = "reordered" if reorder_of else "ordered"
    detail = {"order": number, "configuration_id": configuration_id, "total": str(pick.price)}
    _event(copier, ids, user_id, kind, f"Order {number}", detail, _at(seconds))
    return order_id


def _event(
    copier: Copier,
    ids: _Ids,
    user_id: int,
    kind: str,
    subject: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    copier.write(
        "interactions",
        (ids("interactions"), user_id, None, kind, "web", subject, json.dumps(detail), at),
    )


def _reset_sequences(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in Copier.COLUMNS:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )


# ------------------------------------------------------------------ measuring


@dataclass
class Timings:
    """Milliseconds per call, per page query."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, milliseconds: float) -> None:
        """Record one call."""
        self.samples.setdefault(name, []).append(milliseconds)

    def summary(self) -> dict[str, dict[str, float]]:
        """P50 / P95 / max and count per page query."""
        return {
            name: {
                "calls": len(values),
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
                "max_ms": max(values),
            }
            for name, values in self.samples.items()
        }


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class PageQuery:
    """A history page as the account pages ask for it: a service call."""

    name: str
    call: Callable[[Session, User, str | None], paging.Page[Any]]


def page_queries(configuration_of: dict[int, int]) -> list[PageQuery]:
    """The four history lists, each called exactly as the account pages call it."""
    return [
        PageQuery("my configurations", lambda s, u, c: configurations.page_for(s, u, cursor=c)),
        PageQuery("my orders", lambda s, u, c: orders.page_for(s, u, cursor=c)),
        PageQuery("timeline", lambda s, u, c: timeline.page_for(s, u, u.id, cursor=c)),
        PageQuery(
            "revisions",
            lambda s, u, c: configurations.revision_page(s, u, configuration_of[u.id], cursor=c),
        ),
    ]


# Deep pages: the sort key of the row this far down the list opens the page.
DEEP_OFFSETS = {"my configurations": 500, "my orders": 100, "timeline": 1000, "revisions": 100}


@dataclass
class Measured:
    """Service call times, SQL round-trip times, plans, and the machine's load."""

    calls: Timings = field(default_factory=Timings)
    sql: Timings = field(default_factory=Timings)
    plans: dict[str, str] = field(default_factory=dict)
    load_before: float = 0.0
    load_after: float = 0.0


def deep_cursor(session: Session, name: str, user: User, configuration_id: int) -> str | None:
    """A cursor for the page that starts after row DEEP_OFFSETS[name], or None when
    the customer's list is shorter than that."""
    offset = DEEP_OFFSETS[name]
    if name == "my configurations":
        columns = (Configuration.updated_at, Configuration.id)
        query = sa.select(*columns).where(Configuration.owner_id == user.id)
    elif name == "my orders":
        columns = (Order.created_at, Order.id)
        query = sa.select(*columns).where(Order.owner_id == user.id)
    elif name == "timeline":
        columns = (Interaction.created_at, Interaction.id)
        query = sa.select(*columns).where(Interaction.customer_id == user.id)
    else:
        columns = (Revision.number,)
        query = sa.select(*columns).where(Revision.configuration_id == configuration_id)
    row = session.execute(
        query.order_by(*(c.desc() for c in columns)).offset(offset - 1).limit(1)
    ).first()
    return paging.encode(paging.OLDER, tuple(row)) if row else None


class StatementLog:
    """The SQL statements (with parameters) an engine ran while switched on, and
    the time spent in the database driver's execute (the SQL round trips)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.sql_seconds = 0.0
        self.on = False
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on:
            self.statements.append((statement, parameters))
            self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        if self.on:
            self.sql_seconds += time.perf_counter() - self._started

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, Any]]]:
        """Collect the statements run inside the block."""
        self.statements = []
        self.sql_seconds = 0.0
        self.on = True
        try:
            yield self.statements
        finally:
            self.on = False


def busiest(session: Session, how_many: int) -> list[int]:
    """The customers with the most configurations (their lists have deep pages)."""
    return list(
        session.scalars(
            sa.select(Configuration.owner_id)
            .group_by(Configuration.owner_id)
            .order_by(sa.func.count().desc())
            .limit(how_many)
        )
    )


def longest_revised(session: Session, owner_ids: list[int]) -> dict[int, int]:
    """Each customer's configuration with the most revisions."""
    ranked = (
        sa.select(
            Configuration.owner_id,
            Configuration.id,
            sa.func.row_number()
            .over(
                partition_by=Configuration.owner_id,
                order_by=(Configuration.revision_count.desc(), Configuration.id),
            )
            .label("rank"),
        )
        .where(Configuration.owner_id.in_(owner_ids))
        .subquery()
    )
    rows = session.execute(sa.select(ranked.c.owner_id, ranked.c.id).where(ranked.c.rank == 1))
    return dict(rows.all())


def measure(
    engine: sa.Engine,
    *,
    samples: int,
    seed: int = 2,
    progress: Callable[[str], None] = lambda _message: None,
) -> Measured:
    """Time every page query for `samples` random customers (first and deep pages)
    and for the busiest customers (deep pages); EXPLAIN ANALYZE one of each."""
    rng = random.Random(seed)
    log = StatementLog(engine)
    measured = Measured(load_before=os.getloadavg()[0])
    factory = session_factory(engine)
    with factory() as session:
        owners = list(
            session.scalars(
                sa.select(Configuration.owner_id).distinct().order_by(Configuration.owner_id)
            )
        )
        chosen = rng.sample(owners, min(samples, len(owners)))
        heavy = busiest(session, max(1, samples // 3))
        configuration_of = longest_revised(session, sorted(set(chosen) | set(heavy)))
    queries = page_queries(configuration_of)
    with factory() as session:  # warm up connections, caches and compiled SQL
        user = session.get(User, chosen[0])
        for query in queries:
            query.call(session, user, None)
    # The generated history is kept for good: no collection pass should walk it
    # (or the catalogs compiled to make it) in the middle of a timed call.
    gc.collect()
    gc.freeze()
    try:
        _timed_rounds(factory, log, measured, queries, configuration_of, chosen, heavy, progress)
    finally:
        gc.unfreeze()
    measured.load_after = os.getloadavg()[0]
    return measured


def _timed_rounds(factory, log, measured, queries, configuration_of, chosen, heavy, progress):
    timings, plans = measured.calls, measured.plans
    rounds = [(owner, False) for owner in chosen] + [(owner, True) for owner in heavy]
    for round_number, (owner_id, deep_only) in enumerate(rounds):
        with factory() as session:
            user = session.get(User, owner_id)
            for query in queries:
                cursors = [] if deep_only else [("first page", None)]
                deep = deep_cursor(session, query.name, user, configuration_of[owner_id])
                if deep:
                    cursors.append(("deep page", deep))
                for depth, cursor in cursors:
                    session.expunge_all()
                    label = f"{query.name}, {depth}"
                    with log.recording() as statements:
                        started = time.perf_counter()
                        page = query.call(session, user, cursor)
                        timings.add(label, (time.perf_counter() - started) * 1000)
                    measured.sql.add(label, log.sql_seconds * 1000)
                    if label not in plans and len(page.items) == paging.PAGE_SIZE:
                        plans[label] = explain(session, statements)
        if round_number and round_number % 200 == 0:
            progress(f"  {round_number:,} customers measured")


def explain(session: Session, statements: list[tuple[str, Any]]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the exact statements a page query ran."""
    plans = []
    connection = session.connection()
    for statement, parameters in statements:
        result = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        plans.append(statement.strip() + "\n" + "\n".join(row[0] for row in result))
    return "\n\n".join(plans)


def uses_index_without_sort(plan: str) -> bool:
    """True when the page's main query reads an index in order and sorts nothing."""
    return "Index" in plan and " Sort " not in plan.replace("Sort Key", "")


# ---------------------------------------------------------------------- main


@contextmanager
def fresh_schema(url: str) -> Iterator[sa.Engine]:
    """A migrated engine on a new schema of the database at `url`, dropped afterwards."""
    base = normalize_database_url(url)
    schema = f"bench_history_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    engine = make_engine(f"{base}{separator}options=-csearch_path%3D{schema}", pool_size=8)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def report(stats: LoadStats, measured: Measured) -> tuple[str, bool]:
    """The table of figures, and whether every service call's P95 is under the target."""
    lines = [
        "rows loaded: " + ", ".join(f"{table} {count:,}" for table, count in stats.rows.items()),
        f"load {stats.seconds:.0f} s, VACUUM ANALYZE {stats.analyze_seconds:.0f} s",
        (
            f"load average (1 min) before / after measuring: "
            f"{measured.load_before:.1f} / {measured.load_after:.1f} on {os.cpu_count()} cores"
        ),
        "",
        "| page query | calls | P50 ms | P95 ms | max ms | SQL P50 ms | SQL P95 ms | index, no sort |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    sql = measured.sql.summary()
    for name, figures in sorted(measured.calls.summary().items()):
        plan = measured.plans.get(name, "")
        indexed = "yes" if plan and uses_index_without_sort(plan) else ("?" if not plan else "NO")
        ok &= figures["p95_ms"] < TARGET_P95_MS
        lines.append(
            f"| {name} | {figures['calls']:,} | {figures['p50_ms']:.2f} | "
            f"{figures['p95_ms']:.2f} | {figures['max_ms']:.1f} | {sql[name]['p50_ms']:.2f} | "
            f"{sql[name]['p95_ms']:.2f} | {indexed} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"\npeak memory of the benchmark process: {peak:.0f} MiB")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    """Load, measure, report; exit 1 when a P95 misses the target."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.history", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--configurations", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000, help="random customers to measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--plans", action="store_true", help="print the EXPLAIN ANALYZE plans")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.configurations < 1 or args.samples < 1:
        parser.error("--customers, --configurations and --samples must be at least 1")

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        with fresh_schema(args.database_url) as engine:
            progress(
                f"loading {args.customers:,} customers, {args.configurations:,} configurations"
            )
            stats = load(
                engine, args.customers, args.configurations, seed=args.seed, progress=progress
            )
            progress(f"loaded in {stats.seconds:.0f} s; measuring")
            measured = measure(engine, samples=args.samples, progress=progress)
    except sa.exc.OperationalError as error:
        print(f"error: cannot use the database ({error.orig})", file=sys.stderr)
        return 2
    table, ok = report(stats, measured)
    print(table)
    if args.plans:
        for name, plan in sorted(measured.plans.items()):
            print(f"\n### {name}\n{plan}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "customers": args.customers,
                "configurations": args.configurations,
                "rows": stats.rows,
                "load_seconds": stats.seconds,
                "analyze_seconds": stats.analyze_seconds,
                "service_calls": measured.calls.summary(),
                "sql_round_trips": measured.sql.summary(),
                "load_average": [measured.load_before, measured.load_after],
                "plans": measured.plans,
                "measured_at": datetime.now(UTC).isoformat(),
            },
            indent=2,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
