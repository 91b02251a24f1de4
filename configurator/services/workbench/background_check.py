"""The live check of a draft, in worker processes.

A catalog's check is pure Python and CPU-bound: a small catalog takes
milliseconds, automotive01 or Renault big take tens of seconds. Run in a
thread of the web process it held the interpreter lock in long steps, so
every other request waited too. The checks therefore run in a pool of at
most `WORKERS` processes, started with `spawn` (a fork would copy the web
process's threads, locks and database connections).

The editor asks `check_soon`: the answer when it is ready within `wait`
seconds, else `Pending` with the text's fingerprint, and the page asks again
by that fingerprint (`ready`), without sending the text. Each text is checked
once per web process (answers are kept by fingerprint, the newest `KEPT`);
a text of a product line still waiting when a newer one of the same line
arrives is cancelled: nobody will look at its answer. A check already
running cannot be stopped halfway; it finishes and its answer is kept (the
manager may type the same text again).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import multiprocessing
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from configurator.services.workbench.drafts import DraftCheck, Finding, check_text

KEPT = 16  # answers kept per web process (a few editors, a few texts each)
WORKERS = max(1, min(2, os.cpu_count() or 1))  # a check is one core's work; leave the rest to requests
_JOBS: OrderedDict[str, Future] = OrderedDict()
_LATEST: dict[str, str] = {}  # product line -> fingerprint of the newest text asked about
# Jobs wait here, not in the pool, until a worker is free: the pool marks a job it has queued as
# running, and a running job cannot be cancelled; here a stale text can still be dropped.
_WAITING: deque[tuple[Future, Callable[..., Any], tuple]] = deque()
_BUSY = 0  # jobs handed to the worker processes and not done yet (at most WORKERS)
_LOCK = threading.RLock()  # a future's callback may run at once, in the thread that holds it
_POOL: ProcessPoolExecutor | None = None


@dataclasses.dataclass(frozen=True)
class Pending:
    """A check still running: the page asks again by `key`."""

    key: str
    pending: bool = True


def digest(text: str, catalog_id: str) -> str:
    """The fingerprint of a check: the product line and the text."""
    return hashlib.sha256(f"{catalog_id}\0{text}".encode()).hexdigest()


def pool() -> ProcessPoolExecutor:
    """The worker processes, started on the first check."""
    global _POOL
    with _LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(WORKERS):  # start them all now: a spawned process takes a second or two to start
                _POOL.submit(int)
        return _POOL


def run_in_worker(function: Callable[..., Any], *args: Any) -> Future:
    """`function(*args)` in a worker process once one is free; its future may be cancelled until then."""
    future: Future = Future()
    with _LOCK:
        _WAITING.append((future, function, args))
        _hand_out()
    return future


def _hand_out() -> None:
    """Give waiting jobs to free workers (called holding _LOCK)."""
    global _BUSY
    while _BUSY < WORKERS and _WAITING:
        future, function, args = _WAITING.popleft()
        if not future.set_running_or_notify_cancel():
            continue  # dropped while it waited
        try:
            handed = _submit(function, args)
        except Exception as error:  # noqa: BLE001 (the pool refused: the caller sees why)
            future.set_exception(error)
            continue
        _BUSY += 1
        handed.add_done_callback(functools.partial(_finished, future))


def _submit(function: Callable[..., Any], args: tuple) -> Future:
    """Submit to the pool; a pool broken by a dead worker is replaced once."""
    try:
        return pool().submit(function, *args)
    except BrokenProcessPool:
        _replace_pool()
        return pool().submit(function, *args)


def _finished(future: Future, handed: Future) -> None:
    """A worker is done with a job: pass its answer on, and hand out the next job."""
    global _BUSY
    with _LOCK:
        _BUSY -= 1
        _hand_out()
    if handed.cancelled():
        future.set_exception(BrokenProcessPool("the check was cancelled by the pool"))
    elif handed.exception() is not None:
        future.set_exception(handed.exception())
    else:
        future.set_result(handed.result())


def check_in_worker(text: str, catalog_id: str) -> DraftCheck:
    """The check, run in a worker process; the answer without the catalog (the page needs only the findings)."""
    return dataclasses.replace(check_text(text, catalog_id), catalog=None)


def check_soon(text: str, catalog_id: str, wait: float | None) -> DraftCheck | Pending:
    """The check of `text`, if it is ready within `wait` seconds (None: however long); else Pending."""
    key = digest(text, catalog_id)
    with _LOCK:
        future = _JOBS.get(key)
        if future is None or future.cancelled():
            stale = _JOBS.get(_LATEST.get(catalog_id, ""))
            if stale is not None and stale.cancel():  # still waiting for a worker: nobody waits for it
                _JOBS.pop(_LATEST[catalog_id], None)
            future = run_in_worker(check_in_worker, text, catalog_id)
            _JOBS[key] = future
            while len(_JOBS) > KEPT:
                _JOBS.popitem(last=False)
        _JOBS.move_to_end(key)
        _LATEST[catalog_id] = key
    return _answer(key, future, wait)


def ready(key: str, wait: float = 0) -> DraftCheck | Pending | None:
    """The check of the text with this fingerprint; Pending while it runs; None when this process does not know it."""
    with _LOCK:
        future = _JOBS.get(key)
    if future is None or future.cancelled():
        return None
    return _answer(key, future, wait)


def _answer(key: str, future: Future, wait: float | None) -> DraftCheck | Pending:
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return Pending(key)
    except BrokenProcessPool:
        _restart(key)
        return DraftCheck(problems=[Finding("The check stopped before its end (its worker process ended, "
                                            "perhaps out of memory). Change the text to check it again.")])


def _restart(key: str) -> None:
    """A worker died (killed, out of memory): forget the answers it owed (the next job starts a new pool)."""
    with _LOCK:
        for name, future in list(_JOBS.items()):
            if name == key or (future.done() and not future.cancelled() and future.exception() is not None):
                _JOBS.pop(name, None)


def _replace_pool() -> None:
    """Drop a broken pool (called holding _LOCK); the next job starts a new one."""
    global _POOL
    broken, _POOL = _POOL, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)
