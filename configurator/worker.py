"""The background worker: `configurator worker` runs queued jobs (RQ on Redis)
and, every few seconds, the periodic sweeps that find work the queue missed.

Jobs reach it as `run_job(name, *args)`, enqueued by `services/jobs.py`; the
name picks a service function from JOBS, which runs with a session of its own.
The worker runs jobs in its own process, one at a time (RQ's SimpleWorker):
start more workers for more throughput.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from sqlalchemy.orm import Session, sessionmaker

from configurator.config import Config
from configurator.services import deliveries, guest_carts, jobs
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import FileTransport, SmtpTransport, Transport
from configurator.services.offers import mailing
from configurator.services.triggers import run as triggers
from configurator.services.workbench import releases
from configurator.store import session_factory

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What jobs need: the database, the mail transport, links and the queue."""

    sessions: sessionmaker[Session]
    transport: Transport
    links: TrackingLinks
    queue: jobs.JobQueue
    # Makes the attachments written pending (a quote's PDF) as their e-mail goes.
    attachments: delivery.AttachmentMaker | None = None


JOBS: dict[str, Callable[..., Any]] = {
    delivery.DELIVER_JOB: lambda rt, session, message_id: delivery.deliver(
        session, message_id, rt.transport, rt.links, attachments=rt.attachments
    ),
    "messages.sweep": lambda rt, session: delivery.sweep(session, rt.queue),
    triggers.JOB: lambda rt, session: triggers.run(
        session, weekly_limit=Config.TRIGGER_WEEKLY_LIMIT, refill_lines=Config.REFILL_PRODUCT_LINES
    ).summary(),
    # Running offer campaigns by e-mail, within the trigger messages' weekly limit.
    mailing.JOB: lambda rt, session: dict(mailing.mail_offers(
        session, weekly_limit=Config.TRIGGER_WEEKLY_LIMIT)),
    # Scheduled catalog releases, carried out once due (on the worker's clock).
    "catalogs.release_due": lambda rt, session: len(releases.apply_due(session)),
    # Subscriptions: their next deliveries planned ahead (`configurator deliveries due` lists them).
    "deliveries.extend": lambda rt, session: deliveries.extend(session),
    # Guest carts nobody changed for 30 days.
    "guest_carts.expire": lambda rt, session: guest_carts.expire(session),
}
# Job name -> seconds between two runs.
PERIODIC: dict[str, int] = {
    "messages.sweep": 30,
    triggers.JOB: 3600,
    mailing.JOB: 3600,
    "catalogs.release_due": 60,
    "deliveries.extend": 3600,
    "guest_carts.expire": 3600,
}

_runtime: Runtime | None = None


def transport_from(config: Any) -> Transport:
    """SMTP when SMTP_HOST is set, else .eml files in MAIL_DIR."""
    if config.SMTP_HOST:
        return SmtpTransport(
            host=config.SMTP_HOST,
            port=int(config.SMTP_PORT),
            sender=config.MAIL_FROM,
            username=config.SMTP_USERNAME or None,
            password=config.SMTP_PASSWORD or None,
            security=config.SMTP_SECURITY,
        )
    return FileTransport(Path(config.MAIL_DIR), sender=config.MAIL_FROM)


def runtime_from(config: Any = Config,
                 attachments: delivery.AttachmentMaker | None = None) -> Runtime:
    """A runtime built from settings (the environment by default); `attachments` makes
    pending attachments (the command line passes the web's quote PDFs)."""
    if not config.REDIS_URL:
        raise RuntimeError("REDIS_URL is empty: the worker needs Redis")
    return Runtime(
        sessions=session_factory(config.DATABASE_URL),
        transport=transport_from(config),
        links=TrackingLinks(config.PUBLIC_URL, config.SECRET_KEY),
        queue=jobs.JobQueue(config.REDIS_URL, config.JOBS_QUEUE),
        attachments=attachments,
    )


def install(runtime: Runtime | None) -> None:
    """Use `runtime` for the jobs of this process (tests install their own)."""
    global _runtime
    _runtime = runtime


def run_job(name: str, *args: Any) -> Any:
    """The function every queued job runs: the named job, in a session of its own."""
    global _runtime
    if _runtime is None:
        _runtime = runtime_from()
    with _runtime.sessions() as session:
        return JOBS[name](_runtime, session, *args)


def work(runtime: Runtime, *, burst: bool = False) -> None:
    """Run jobs until stopped (or, with `burst`, until the queue is empty)."""
    install(runtime)
    # Whatever was due while no worker ran goes first.
    run_job("messages.sweep")
    ticker = None if burst else _Ticker(runtime.queue)
    if ticker:
        ticker.start()
    try:
        SimpleWorker([runtime.queue.queue], connection=runtime.queue.connection).work(
            burst=burst, logging_level="WARNING"
        )
    finally:
        if ticker:
            ticker.stop()


class _Ticker(threading.Thread):
    """Enqueues each periodic job at its interval (a thread: no signals needed)."""

    def __init__(self, queue: jobs.JobQueue) -> None:
        super().__init__(name="periodic-jobs", daemon=True)
        self.queue = queue
        self.stopped = threading.Event()

    def run(self) -> None:
        elapsed = 0
        while not self.stopped.wait(1):
            elapsed += 1
            for job, every in PERIODIC.items():
                if elapsed % every == 0:
                    try:
                        self.queue.enqueue(job)
                    except RedisError as error:  # Redis away: try again next time
                        log.warning("periodic job %s not queued: %s", job, error)

    def stop(self) -> None:
        self.stopped.set()
