"""Crash safety: a process killed with SIGKILL in the middle of saving leaves
every committed revision and order intact, and nothing half-written visible.

A child process saves configurations, revisions, orders and quotes (created,
lines added, sent) in a loop through the real services. After each commit it appends what it saved to a log and
fsyncs it (its acknowledgement). The parent kills it at random moments; the
child also kills itself at random right after a flush, when rows are written
but not committed (the worst moment). After every kill the parent reopens the
database and checks: everything acknowledged is there exactly as saved; every
row is complete (no configuration without its revisions, no revision without
its timeline event, no order without its revision and snapshot, no quote whose
line counter and lines disagree or that is sent without its frozen copy); at most one
save per kill is committed but unacknowledged (killed between commit and log).

Runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6
# Kill between these many seconds after the child reports it is saving.
KILL_AFTER_S = (0.1, 1.5)
# The child kills itself after this share of flushes (rows written, not committed).
SELF_KILL_AFTER_FLUSH = 0.04


# ------------------------------------------------------------------ the child


def child(
    database_url: str, log_path: str, user_id: int, seed: int, staff_id: int, account_id: int
) -> None:
    """Save, revise and order in a loop until killed; log each commit after it happens."""
    from sqlalchemy import event

    from configurator.services import catalogs, orders
    from configurator.services.configuring import configurations
    from configurator.store import session_factory
    from configurator.store.models import User
    from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, STEEL_BIKE

    rng = random.Random(seed)
    session = session_factory(database_url)()

    @event.listens_for(session, "after_flush")
    def maybe_die(_session, _context):
        if rng.random() < SELF_KILL_AFTER_FLUSH:
            os.kill(os.getpid(), signal.SIGKILL)  # rows flushed, transaction open

    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (kept open until killed)

    def acknowledge(record: dict) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()
        os.fsync(log.fileno())

    owner = session.get(User, user_id)
    staff = session.get(User, staff_id)
    selections = [COMPLETE_BIKE, STEEL_BIKE, CARBON_BIKE]
    # Compile the catalog before saying "saving", so the kill lands among saves.
    catalogs.engine_catalog(catalogs.current(session, "test-bike")).prepare()
    session.rollback()
    print("saving", flush=True)
    while True:
        configuration = configurations.create(
            session, owner, "test-bike", f"Crash {rng.random():.6f}", dict(selections[0])
        )
        acknowledge(
            {
                "kind": "revision",
                "configuration": configuration.id,
                "number": 1,
                "selection": selections[0],
            }
        )
        for step in range(1, rng.randint(2, 5)):
            selection = selections[step % len(selections)]
            revision = configurations.revise(
                session, owner, configuration.id, step, dict(selection)
            )
            acknowledge(
                {
                    "kind": "revision",
                    "configuration": configuration.id,
                    "number": revision.number,
                    "selection": selection,
                    "price": str(revision.price),
                }
            )
        order = orders.place(session, owner, configuration.id)
        acknowledge(
            {
                "kind": "order",
                "number": order.number,
                "revision_id": order.revision_id,
                "total": str(order.total),
            }
        )
        save_a_quote(session, staff, account_id, rng, acknowledge)


def save_a_quote(session, staff, account_id: int, rng, acknowledge) -> None:
    """A quote for the business account: created, a few lines, sent."""
    from configurator.services import quotes
    from tests.helpers import CARBON_BIKE, COMPLETE_BIKE

    record = quotes.drafts.create(session, staff, account_id)
    acknowledge({"kind": "quote", "number": record.number, "lines": 0, "sent": False})
    lines = rng.randint(1, 3)
    for line in range(1, lines + 1):
        selection = (COMPLETE_BIKE, CARBON_BIKE)[line % 2]
        record = quotes.lines.add_line(session, staff, record.id, "test-bike", dict(selection), line)
        acknowledge({"kind": "quote", "number": record.number, "lines": line, "sent": False})
    record = quotes.sending.send(session, staff, record.id)
    acknowledge({"kind": "quote", "number": record.number, "lines": lines, "sent": True})


# ----------------------------------------------------------------- the parent


def test_killed_saves_leave_committed_records_intact(database_url, db_engine, tmp_path):
    from configurator.services import catalogs
    from configurator.store import session_factory
    from tests.conftest import DATA
    from tests.helpers import gen_user
    from tests.services.quote_factories import gen_account, gen_staff

    with session_factory(db_engine)() as session:
        catalogs.load_file(session, DATA / "bike.yaml")
        owner_id = gen_user(session, "crash@example.com").id
        staff_id = gen_staff(session, "staff", "sales@shop.example").id
        account_id = gen_account(session, contact_email="buyer@acme.example")[0].id
    log = tmp_path / "acknowledged.jsonl"
    log.touch()
    rng = random.Random(os.getpid())
    for round_number in range(ROUNDS):
        people = (owner_id, staff_id, account_id)
        kill_child_mid_save(database_url, log, people, seed=rng.randrange(2**32), rng=rng)
        acknowledged = [json.loads(line) for line in log.read_text().splitlines()]
        check_database(db_engine, acknowledged, kills=round_number + 1)
    revisions = [r for r in acknowledged if r["kind"] == "revision"]
    assert len(revisions) >= ROUNDS, "the child should have saved something in each round"


def test_the_checks_notice_lost_and_half_written_records(db_engine):
    """The counter-check: the same checks fail on a lost or a half-written save."""
    import pytest

    from configurator.services import catalogs
    from configurator.store import session_factory
    from tests.conftest import DATA
    from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user

    with session_factory(db_engine)() as session:
        catalogs.load_file(session, DATA / "bike.yaml")
        configuration = gen_configuration(session, gen_user(session))
    saved = {"kind": "revision", "configuration": configuration.id, "number": 1}
    saved["selection"] = COMPLETE_BIKE
    check_database(db_engine, [saved], kills=0)
    with pytest.raises(AssertionError, match="acknowledged revision lost"):
        check_database(db_engine, [saved, dict(saved, number=2)], kills=0)
    with db_engine.begin() as connection:  # a counter moved without its revision
        connection.execute(sa.text("UPDATE configurations SET revision_count = 2"))
    with pytest.raises(AssertionError):
        check_database(db_engine, [saved], kills=1)


def kill_child_mid_save(database_url: str, log: Path, people: tuple, seed: int, rng) -> None:
    """Start a saving child and SIGKILL it a random moment later (unless it died by itself)."""
    owner_id, staff_id, account_id = people
    arguments = [database_url, str(log), str(owner_id), str(seed), str(staff_id), str(account_id)]
    process = subprocess.Popen(
        [sys.executable, __file__, *arguments],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = process.stdout.readline()
        assert ready.strip() == "saving", process.stderr.read()
        time.sleep(rng.uniform(*KILL_AFTER_S))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    errors = process.stderr.read()
    assert process.returncode == -signal.SIGKILL, errors
    assert "Traceback" not in errors, errors


def check_database(engine: sa.Engine, acknowledged: list[dict], kills: int) -> None:
    """Everything acknowledged is there as saved; everything there is whole."""
    with engine.connect() as connection:
        configurations = {
            row.id: row
            for row in connection.execute(sa.text("SELECT id, revision_count FROM configurations"))
        }
        revisions = {
            (row.configuration_id, row.number): row
            for row in connection.execute(
                sa.text("SELECT id, configuration_id, number, selection, price FROM revisions")
            )
        }
        orders = {
            row.number: row
            for row in connection.execute(
                sa.text("SELECT number, revision_id, total, snapshot FROM orders")
            )
        }
        events = [
            (row.kind, _json(row.detail))
            for row in connection.execute(sa.text("SELECT kind, detail FROM interactions"))
        ]
        quotes = {
            row.number: row
            for row in connection.execute(
                sa.text(
                    "SELECT q.number, q.status, q.last_line_number, q.frozen, q.sent_at,"
                    " (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id) AS lines"
                    " FROM quotes q"
                )
            )
        }
    check_acknowledged(acknowledged, revisions, orders)
    check_whole(configurations, revisions, orders, events)
    check_quotes(acknowledged, quotes, kills)
    # Only a kill between a commit and its log line leaves an unacknowledged commit.
    logged_revisions = sum(1 for record in acknowledged if record["kind"] == "revision")
    logged_orders = sum(1 for record in acknowledged if record["kind"] == "order")
    unacknowledged = (len(revisions) - logged_revisions) + (len(orders) - logged_orders)
    assert 0 <= unacknowledged <= kills


def check_quotes(acknowledged, quotes, kills: int) -> None:
    """Acknowledged quotes have at least their acknowledged lines; every quote is whole."""
    for record in (r for r in acknowledged if r["kind"] == "quote"):
        row = quotes.get(record["number"])
        assert row is not None, f"acknowledged quote lost: {record}"
        assert row.lines >= record["lines"], record
        if record["sent"]:
            assert row.status == "sent", record
    for number, row in quotes.items():
        # Lines are only added here, so the counter and the lines move together.
        assert row.lines == row.last_line_number, (number, row.lines, row.last_line_number)
        sent = row.status == "sent"
        assert sent == (row.sent_at is not None) == (row.frozen is not None), number
    unacknowledged = set(quotes) - {r["number"] for r in acknowledged if r["kind"] == "quote"}
    assert len(unacknowledged) <= kills


def check_acknowledged(acknowledged, revisions, orders) -> None:
    """Every save the child was told succeeded is in the database, unchanged."""
    for record in acknowledged:
        if record["kind"] == "revision":
            row = revisions.get((record["configuration"], record["number"]))
            assert row is not None, f"acknowledged revision lost: {record}"
            assert _json(row.selection) == record["selection"]
            if "price" in record:
                assert Decimal(str(row.price)) == Decimal(record["price"])
        elif record["kind"] == "order":
            row = orders.get(record["number"])
            assert row is not None, f"acknowledged order lost: {record}"
            assert row.revision_id == record["revision_id"]
            assert Decimal(str(row.total)) == Decimal(record["total"])


def check_whole(configurations, revisions, orders, events) -> None:
    """No half-written record: each is complete with everything written with it."""
    by_configuration: dict[int, list[int]] = {}
    for configuration_id, number in revisions:
        by_configuration.setdefault(configuration_id, []).append(number)
    for configuration_id, row in configurations.items():
        numbers = sorted(by_configuration.get(configuration_id, []))
        # Revisions 1..n, and the counter says n: never a configuration without its
        # first revision, nor a counter moved without its revision.
        assert numbers == list(range(1, row.revision_count + 1)), (configuration_id, numbers)
    assert set(by_configuration) <= set(configurations)
    saved = {
        (d["configuration_id"], d["revision"]) for kind, d in events if kind in ("saved", "changed")
    }
    assert saved == set(revisions), "every revision has its timeline event, and only those"
    revision_ids = {row.id: row for row in revisions.values()}
    ordered = {d["order"] for kind, d in events if kind == "ordered"}
    assert ordered == set(orders), "every order has its timeline event, and only those"
    for number, order in orders.items():
        revision = revision_ids[order.revision_id]
        snapshot = _json(order.snapshot)
        assert snapshot["selection"] == _json(revision.selection), number
        assert Decimal(snapshot["total"]) == Decimal(str(order.total)), number
        assert sum(Decimal(line["amount"]) for line in snapshot["lines"]) == Decimal(
            snapshot["total"]
        )


def _json(value):
    """JSON columns come back parsed on PostgreSQL and as text on SQLite's raw rows."""
    return json.loads(value) if isinstance(value, str) else value


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    child(sys.argv[1], sys.argv[2], *(int(argument) for argument in sys.argv[3:]))
