"""The job queue: RQ on Redis, told about work once the transaction that made
it has committed.

A use case never talks to Redis inside its transaction: `after_commit` keeps
the job with the session and sends it only when the session commits (nothing
when it rolls back). Jobs run `configurator.worker.run_job(name, *args)` in
the worker process; the name picks the service function there. Redis being
down loses no work: the rows the jobs are about stay in the database, and the
worker's periodic sweeps pick them up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

QUEUE_NAME = "configurator"
# By name, so that services never import the worker (an entry point above them).
JOB_RUNNER = "configurator.worker.run_job"
_PENDING = "configurator.jobs.pending"

log = logging.getLogger(__name__)


class JobQueue:
    """The RQ queue of this app on one Redis server."""

    def __init__(self, redis_url: str, name: str = QUEUE_NAME) -> None:
        self.redis_url = redis_url
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self.queue = Queue(name, connection=self.connection)

    def enqueue(self, job: str, *args: Any) -> None:
        """Run `job` with `args` in a worker, as soon as one is free."""
        self.queue.enqueue(JOB_RUNNER, job, *args, job_timeout=120, result_ttl=0,
                           failure_ttl=7 * 24 * 3600)


_queue: JobQueue | None = None


def configure(redis_url: str | None, name: str = QUEUE_NAME) -> JobQueue | None:
    """Send jobs to the Redis at `redis_url` (None: keep them for the sweeps only)."""
    global _queue
    _queue = JobQueue(redis_url, name) if redis_url else None
    return _queue


def current() -> JobQueue | None:
    """The configured queue, if any."""
    return _queue


def after_commit(session: Session, job: str, args: Callable[[], tuple]) -> None:
    """Enqueue `job` once `session` commits; `args()` is read then (ids are known)."""
    session.info.setdefault(_PENDING, []).append((job, args))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or _queue is None:
        return
    for job, args in pending:
        try:
            _queue.enqueue(job, *args())
        except RedisError as error:
            log.warning("job %s not queued (%s); the next sweep will do it", job, error)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
