"""`configurator worker`: the background worker (e-mail delivery and periodic jobs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError


def register(commands: argparse._SubParsersAction,
             attachments: Callable[[], Any] | None = None) -> None:
    """Add the `worker` subcommand; `attachments()` gives the maker of pending attachments
    (quote PDFs), called only when the worker starts."""
    worker = commands.add_parser(
        "worker", help="run background jobs: e-mail delivery with retries, periodic sweeps"
    )
    worker.add_argument(
        "--burst", action="store_true", help="run what is queued and due now, then stop"
    )
    worker.set_defaults(handler=run_worker, attachments=attachments)


def run_worker(args: argparse.Namespace) -> int:
    """Run the worker until interrupted (or once through, with --burst)."""
    from configurator import worker

    try:
        maker = args.attachments() if args.attachments else None
        runtime = worker.runtime_from(attachments=maker)
        runtime.queue.connection.ping()
    except (RuntimeError, RedisError) as error:
        print(f"configurator worker: cannot reach the job queue: {error}", file=sys.stderr)
        return 2
    print(f"worker: queue '{runtime.queue.queue.name}' on {runtime.queue.redis_url}, "
          f"mail via {type(runtime.transport).__name__}")
    worker.work(runtime, burst=args.burst)
    return 0
