"""The app's commands: `db upgrade`, `seed`, `serve`, `catalog load`, `messages triggers`.

`configurator.cli` calls `register(commands)`; every command reads
DATABASE_URL from the environment (default: SQLite in instance/).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from configurator import cli_tokens, cli_worker
from configurator.config import Config, database_url


def register(commands: argparse._SubParsersAction) -> None:
    """Add the app's subcommands to the `configurator` parser."""
    db_parser = commands.add_parser("db", help="database schema")
    db_sub = db_parser.add_subparsers(
        dest="db_command", metavar="SUBCOMMAND", parser_class=type(db_parser)
    )
    db_sub.required = True
    upgrade = db_sub.add_parser("upgrade", help="apply the migrations (creates the database)")
    upgrade.add_argument("--revision", default="heads")
    upgrade.set_defaults(handler=run_db_upgrade)

    seed = commands.add_parser(
        "seed", help="load catalogs and demo customers, staff and history (idempotent)"
    )
    seed.add_argument("--catalogs", default=Config.CATALOG_DIR, help="folder of catalog files")
    seed.add_argument("--seed-dir", default=Config.SEED_DIR, help="folder of demo people")
    seed.set_defaults(handler=run_seed)

    serve = commands.add_parser("serve", help="run the web shop")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--debug", action="store_true")
    serve.add_argument(
        "--with-worker", action="store_true",
        help="also run `configurator worker` (e-mails, periodic jobs) while serving",
    )
    serve.set_defaults(handler=run_serve)

    catalog = commands.choices.get("catalog") or commands.add_parser(
        "catalog", help="catalog files"
    )
    catalog_sub = _subcommands(catalog)
    load = catalog_sub.add_parser("load", help="store catalog files as versions in the database")
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.set_defaults(handler=run_catalog_load)
    due = catalog_sub.add_parser(
        "release-due", help="carry out the scheduled catalog releases that are due"
    )
    due.set_defaults(handler=run_release_due)

    expire = commands.add_parser(
        "expire-quotes", help="mark sent quotes whose valid-until date has passed as expired"
    )
    expire.set_defaults(handler=run_expire_quotes)
    cli_tokens.register(commands)
    cli_worker.register(commands, attachments=_quote_pdfs)

    messages = _group(commands, "messages", "messages to customers")
    triggers = messages.add_parser(
        "triggers", help="write the timely messages due now (refills, saved configurations, quotes)"
    )
    triggers.add_argument("--now", help="run as of this UTC time, e.g. 2026-12-01T09:00 (tests, demos)")
    triggers.set_defaults(handler=run_triggers)
    offers = messages.add_parser(
        "offers", help="e-mail the running campaigns' offers now (the worker does it hourly)"
    )
    offers.add_argument("--now", help="run as of this UTC time, e.g. 2026-12-01T09:00 (tests, demos)")
    offers.set_defaults(handler=run_offer_mail)

    deliveries = _group(commands, "deliveries", "the deliveries of orders and subscriptions")
    due_deliveries = deliveries.add_parser(
        "due", help="plan subscriptions ahead, then list the deliveries due on a day (today)"
    )
    due_deliveries.add_argument("--on", help="due on or before this UTC day, e.g. 2026-12-24")
    due_deliveries.add_argument(
        "--mark-sent", action="store_true", help="record the listed deliveries as sent"
    )
    due_deliveries.set_defaults(handler=run_deliveries_due)

    recompute = _group(commands, "customers", "customer value and tiers").add_parser(
        "recompute-tiers", help="re-value every customer and apply config/tiers.yaml"
    )
    recompute.add_argument("--tiers", help="tier file (default: config/tiers.yaml)")
    recompute.set_defaults(handler=run_recompute_tiers)


def _group(commands: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """A command that only holds subcommands (`configurator customers ...`)."""
    group = commands.add_parser(name, help=help)
    sub = group.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", parser_class=type(group))
    sub.required = True
    return sub


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    sub = parser.add_subparsers(
        dest="catalog_command", metavar="SUBCOMMAND", parser_class=type(parser)
    )
    sub.required = True
    return sub


def _session():
    from configurator.store import session_factory

    return session_factory(database_url())()


def run_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations up to --revision; say in one line what was done."""
    from configurator.store.migrate import upgrade

    url = database_url()
    done = upgrade(url, args.revision)
    print(f"{_upgrade_summary(done.before, done.after)} ({_safe(url)})")
    return 0


def _upgrade_summary(before: str | None, after: str | None) -> str:
    """What `db upgrade` did: created the schema, moved it on, or nothing."""
    if before == after:
        return f"database is already up to date at {after}"
    if before is None:
        return f"database created at {after}"
    return f"database upgraded from {before} to {after}"


def run_seed(args: argparse.Namespace) -> int:
    """Load catalogs and demo data, then print the demo logins."""
    from configurator.services.demo.seed import seed
    from configurator.services.errors import CatalogProblem

    with _session() as session:
        try:
            report = seed(session, Path(args.catalogs), Path(args.seed_dir))
        except CatalogProblem as error:
            print(f"configurator seed: {error}", file=sys.stderr)
            for problem in error.problems:
                if problem != str(error):
                    print(f"  {problem}", file=sys.stderr)
            return 2
    for line in report.catalogs:
        print(f"catalog {line}")
    created = len(report.created_users)
    print(f"{created} new accounts, {report.configurations} configurations, {report.orders} orders")
    if report.campaigns:
        print(f"offer campaigns: {', '.join(report.campaigns)} (staff: /staff/insights/offers)")
    print("Demo logins:")
    for role, email, password in report.logins:
        print(f"  {role:8} {email:28} {password}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve the shop with Werkzeug's threaded server."""
    from werkzeug.serving import run_simple

    from configurator.web import create_app

    public_url = served_url(args.host, args.port)
    # Links in e-mails point here: the worker (a child process) reads it from the
    # environment; without it `make run PORT=5091` e-mailed links to port 5000.
    os.environ["PUBLIC_URL"] = public_url
    app = create_app()
    app.config["PUBLIC_URL"] = public_url
    _warm_catalogs()
    worker = _start_worker() if args.with_worker else None
    if worker is not None:
        import signal

        # A plain `kill` must stop the worker too, through the `finally` below.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Shop at http://{args.host}:{args.port}/")
    try:
        run_simple(
            args.host, args.port, app, threaded=True, use_debugger=args.debug,
            use_reloader=args.debug,
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
    return 0


def served_url(host: str, port: int) -> str:
    """Where the shop's links point: PUBLIC_URL when set, else the address being served
    (127.0.0.1 for a server on every interface)."""
    configured = os.environ.get("PUBLIC_URL")
    if configured:
        return configured
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}"


def _warm_catalogs() -> None:
    """Read every current catalog's compiled form before the first request (see catalogs.warm)."""
    from configurator.services import catalogs

    try:
        with _session() as session:
            warmed = catalogs.warm(session)
    except Exception as error:  # noqa: BLE001 - a cold start is slower, never fatal
        print(f"catalogs not prepared ahead ({error}); each is prepared on first use", file=sys.stderr)
        return
    print(f"{len(warmed)} catalog(s) ready")


def _quote_pdfs():
    """The worker's maker of quote e-mails' PDFs: the web app's print page (the worker
    renders it, so sending a quote does not wait for WeasyPrint)."""
    from configurator.web import create_app
    from configurator.web.quote_mail import pdf_attachments

    return pdf_attachments(create_app())


def _start_worker():
    """`configurator worker` in a child process; its output goes to instance/worker.log."""
    import subprocess

    from configurator.config import INSTANCE_DIR

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    log = INSTANCE_DIR / "worker.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "configurator.cli", "worker"], stdout=output, stderr=output
        )
    print(f"Worker started (e-mails and periodic jobs; log: {log})")
    return process


def run_catalog_load(args: argparse.Namespace) -> int:
    """Store each file as a new version unless it is unchanged."""
    from configurator.services import catalogs
    from configurator.services.errors import CatalogProblem

    status = 0
    with _session() as session:
        for path in args.paths:
            try:
                result = catalogs.load_file(session, path)
            except CatalogProblem as error:
                print(f"{error}", file=sys.stderr)
                for problem in error.problems:
                    if problem != str(error):
                        print(f"  {problem}", file=sys.stderr)
                status = 2
                continue
            version = result.version
            state = "loaded as a new version" if result.created else "unchanged"
            declared = version.declared_version
            print(f"{version.catalog_id}: version #{version.number} (file version {declared}), {state}")
    return status


def run_release_due(args: argparse.Namespace) -> int:
    """Release every scheduled catalog release that is due (the worker does it too)."""
    from configurator.services.workbench import releases

    with _session() as session:
        done = releases.apply_due(session)
        for entry in done:
            print(f"{entry.catalog_id}: version #{entry.version.number} released ({entry.note})")
    print(f"{len(done)} scheduled release{'' if len(done) == 1 else 's'} done")
    return 0


def run_recompute_tiers(args: argparse.Namespace) -> int:
    """Recompute every customer's value and tier; print each tier change."""
    from configurator.services.customer_value import valuation
    from configurator.services.customer_value.tiers import TierConfigError, tier_config

    try:
        config = tier_config(args.tiers)
    except TierConfigError as error:
        print(f"configurator customers recompute-tiers: {error}", file=sys.stderr)
        return 2
    with _session() as session:
        report = valuation.recompute_all(session, config=config)
    for customer_id, old, new in report.changes:
        print(f"customer {customer_id}: {config.tier_name(old)} -> {config.tier_name(new)}")
    print(f"{report.valued} customers valued, {len(report.changes)} tier changes")
    return 0


def _safe(url: str) -> str:
    """The URL without a password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def run_expire_quotes(args: argparse.Namespace) -> int:
    """Expire every sent quote past its validity (for a daily job); print their numbers."""
    from configurator.services import quotes

    with _session() as session:
        expired = quotes.sending.expire_due(session)
    for number in expired:
        print(f"{number}: expired")
    print(f"{len(expired)} quote{'' if len(expired) == 1 else 's'} expired")
    return 0


def run_deliveries_due(args: argparse.Namespace) -> int:
    """Plan the running subscriptions ahead, then print the deliveries due on --on (today)."""
    from datetime import date

    from configurator.services import deliveries, orders

    try:
        day = date.fromisoformat(args.on) if args.on else None
    except ValueError:
        print(f"configurator deliveries due: --on: not a day like 2026-12-24: {args.on!r}", file=sys.stderr)
        return 2
    with _session() as session:
        deliveries.extend(session, today=day)
        due = deliveries.send_due(session, day) if args.mark_sent else deliveries.due(session, day)
        for delivery in due:
            print(
                f"{delivery.due_on.isoformat()}  {delivery.order.number}  "
                f"#{delivery.number}  {delivery.amount} {delivery.order.currency}  "
                f"{orders.title_of(delivery.order.snapshot)}"
            )
    print(f"{len(due)} deliver{'y' if len(due) == 1 else 'ies'} " + ("sent" if args.mark_sent else "due"))
    return 0


def run_triggers(args: argparse.Namespace) -> int:
    """Write the trigger messages due now (or at --now); print what was written."""
    from configurator.services.triggers import run as triggers

    try:
        now = _utc(args.now) if args.now else None
    except ValueError as error:
        print(f"configurator messages triggers: --now: {error}", file=sys.stderr)
        return 2
    with _session() as session:
        report = triggers.run(
            session, weekly_limit=Config.TRIGGER_WEEKLY_LIMIT,
            refill_lines=Config.REFILL_PRODUCT_LINES, now=now,
        )
    for key in report.written:
        print(f"{key}: written")
    print(report.summary())
    return 0


def run_offer_mail(args: argparse.Namespace) -> int:
    """E-mail the running campaigns' offers due now (or at --now); print the counts."""
    from configurator.services.offers import mailing

    try:
        now = _utc(args.now) if args.now else None
    except ValueError as error:
        print(f"configurator messages offers: --now: {error}", file=sys.stderr)
        return 2
    with _session() as session:
        outcomes = mailing.mail_offers(session, weekly_limit=Config.TRIGGER_WEEKLY_LIMIT, now=now)
    print(", ".join(f"{count} {outcome.replace('_', ' ')}" for outcome, count in sorted(outcomes.items()))
          or "no campaign running")
    return 0


def _utc(text: str) -> datetime:
    """An ISO 8601 time, read as UTC when it names no zone."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
