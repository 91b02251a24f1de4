"""The worker process: a message it was sending when killed is sent once,
after the claim of the dead worker expires, by the next worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta

import sqlalchemy as sa

from configurator.services.messages import delivery, outbox
from configurator.store import session_factory
from configurator.store.messages import Message
from configurator.store.types import utcnow
from tests.helpers import gen_user


def worker_env(database_url, redis_server, smtp_server, queue) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=redis_server.url(),
        JOBS_QUEUE=queue,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        PUBLIC_URL="http://shop.test",
        SECRET_KEY="worker-test",
    )


def run_worker(env, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "configurator.cli", "worker", "--burst"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs,
    )


def test_a_worker_killed_mid_send_sends_once_after_restart(
    session, db_engine, database_url, redis_server, smtp_server
):
    customer = gen_user(session, "kim@example.com")
    message = outbox.enqueue(session, outbox.Draft("note", "Hello", "Body", "A test."),
                             recipient=customer)
    session.commit()
    env = worker_env(database_url, redis_server, smtp_server, f"test-{uuid.uuid4().hex[:10]}")
    smtp_server.mailbox.answers = ["stall"]

    first = run_worker(env)
    assert smtp_server.mailbox.stalled.wait(60), first.communicate(timeout=5)[0]
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    second = run_worker(env)
    assert second.wait(timeout=60) == 0, second.stdout.read()
    with session_factory(db_engine)() as other:
        assert other.get(Message, message.id).status == "sending"  # the dead worker's claim holds
    assert smtp_server.mailbox.received == []

    # The lease runs out (the clock moved on); the next worker sends it, once.
    with session_factory(db_engine)() as other:
        other.execute(sa.update(Message).values(claimed_at=utcnow() - delivery.LEASE - timedelta(seconds=1)))
        other.commit()
    third = run_worker(env)
    assert third.wait(timeout=60) == 0, third.stdout.read()
    assert len(smtp_server.mailbox.wait_for(1)) == 1
    with session_factory(db_engine)() as other:
        stored = other.get(Message, message.id)
        assert (stored.status, stored.attempts) == ("sent", 2)
