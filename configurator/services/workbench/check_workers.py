"""Worker processes for the draft checks, each of which can be stopped halfway.

A catalog's check is pure Python and CPU-bound (seconds on a big catalog),
so it runs in a process of its own, started with `spawn` (a fork would copy
the web process's threads, locks and database connections). The standard
`ProcessPoolExecutor` cannot stop a job that has started; here a job that
nobody will look at any more (an older text of a draft being typed) ends with
its process, and a spare process, started beforehand, takes the next job at
once while a new spare starts.

A worker ends with the web process that started it, even one killed with
SIGKILL: an idle worker sees its pipe close, and a busy one (a check of a big
catalog takes minutes) is ended by a thread that watches its parent's pid.
(The kernel's PR_SET_PDEATHSIG would fire when the *thread* that started the
worker ends, and any request thread may start one.) A worker ended, stopped or
orphaned, leaves nothing behind: SIGTERM raises SystemExit in it, so the
check's `with` blocks and `subprocess.run` clean up (d4's temporary folder and
process) before it exits.

At most `BUSY` jobs run at a time: a check is one core's work; the other
cores serve requests. A job is a function run in the worker; when it returns
a generator, each value it yields reaches the web process as soon as it is
made (a check's quick findings, then the count).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

BUSY = max(1, min(2, os.cpu_count() or 1))  # jobs running at once
SPARES = 1  # idle processes kept started, so a stopped job's successor need not wait for one to start
STOP_POLL = 0.25  # seconds between looks at whether another process asked to stop a running job
PARENT_POLL = 0.5  # seconds between a worker's looks at whether its web process is still there
CLEAN_UP = 10  # seconds an orphaned worker gets to clean up before it ends regardless


class WorkerDied(Exception):
    """The worker process ended before the job's end (killed, out of memory, or stopped)."""

    def __init__(self, stopped: bool = False):
        super().__init__("the job was stopped" if stopped else "the worker process ended before the job's end")
        self.stopped = stopped


@dataclass(eq=False)
class Job:
    """A function to run in a worker, and what to do with what it sends back."""

    function: Callable[..., Any]
    args: tuple
    on_part: Callable[[Any], None] = lambda part: None  # each value a generator yields
    on_done: Callable[[Any], None] = lambda result: None
    on_error: Callable[[BaseException], None] = lambda error: None
    stop_asked: Callable[[], bool] = lambda: False  # asked while it runs; True: the job is stopped


def serve(connection: Connection, warm_up: Callable[[], Any] | None = None, parent: int | None = None) -> None:
    """The worker process: run each job it is sent and send back its parts and its result.

    `warm_up` runs first, before the process says it is ready: what a first job
    would otherwise wait for (imports, grammars) is done while nobody waits.
    `parent`: the web process's pid; this process ends once that one is gone.
    """
    signal.signal(signal.SIGTERM, _exit)
    if parent is not None:
        end_with(parent)
    if warm_up is not None:
        warm_up()
    try:
        connection.send(("ready", None))
    except OSError:  # the web process ended while this one started
        return
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):  # the web process ended
            return
        try:
            result = function(*args)
            if isinstance(result, Iterator):
                for part in result:
                    connection.send(("part", part))
                result = None
            connection.send(("done", result))
        except Exception as error:  # noqa: BLE001 (the web process reports it)
            connection.send(("error", error))


def _exit(signum, frame) -> None:
    """SIGTERM (a stopped job, or the web process gone): end through SystemExit, which runs the clean-ups."""
    raise SystemExit(0)


def end_with(parent: int) -> None:
    """End this process, whatever it is doing, once the process `parent` is gone (its pid's orphans
    are handed to another parent, so `os.getppid()` changes)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os.kill(os.getpid(), signal.SIGTERM)  # nobody will read the answer: clean up and end
        time.sleep(CLEAN_UP)
        os._exit(1)  # stuck in code that never returns to Python: end without the clean-up

    threading.Thread(target=watch, daemon=True, name="draft-check-parent").start()


class _Worker:
    """One worker process, its end of the pipe, and the job it runs."""

    def __init__(self, context, warm_up: Callable[[], Any] | None) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, warm_up, os.getpid()), daemon=True, name="draft-check")
        self.process.start()
        child.close()
        self.ready = False
        self.job: Job | None = None
        self.stopping = False


class WorkerPool:
    """Worker processes that run jobs in turn, at most BUSY at a time; a job may be stopped halfway."""

    def __init__(self, busy: int = BUSY, spares: int = SPARES, warm_up: Callable[[], Any] | None = None) -> None:
        """`warm_up`: run in each new process before its first job (a module-level function)."""
        self.busy, self.spares, self.warm_up = busy, spares, warm_up
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._workers: list[_Worker] = []
        self._waiting: deque[Job] = deque()
        self._closed = False

    def submit(self, job: Job) -> Job:
        """Run the job once a worker is free."""
        with self._lock:
            self._waiting.append(job)
            self._fill()
            self._hand_out()
        return job

    def run(self, function: Callable[..., Any], *args: Any) -> Future:
        """`function(*args)` in a worker, as a future (its value, or the error it raised)."""
        future: Future = Future()
        future.set_running_or_notify_cancel()
        self.submit(Job(function, args, on_done=future.set_result, on_error=future.set_exception))
        return future

    def stop(self, job: Job) -> None:
        """Drop a waiting job, or end the process running it; its `on_error` gets WorkerDied(stopped=True)."""
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
                job.on_error(WorkerDied(stopped=True))
                return
            worker = next((w for w in self._workers if w.job is job), None)
            if worker is None:
                return  # done already
            worker.stopping = True
        worker.process.terminate()  # its reader sees the pipe close, reports the job and replaces the worker

    def running(self) -> int:
        """How many jobs are running now."""
        with self._lock:
            return sum(1 for worker in self._workers if worker.job is not None)

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and benchmarks)."""
        with self._lock:
            return [worker.process.pid for worker in self._workers]

    def _fill(self) -> None:
        """Start processes up to the jobs running plus the spares (called holding the lock)."""
        while len(self._workers) < self.busy + self.spares:
            worker = _Worker(self._context, self.warm_up)
            self._workers.append(worker)
            threading.Thread(target=self._read, args=(worker,), daemon=True, name="draft-check-reader").start()

    def _hand_out(self) -> None:
        """Give waiting jobs to ready, idle workers, up to BUSY running (called holding the lock)."""
        for worker in self._workers:
            if not self._waiting or self.running() >= self.busy:
                return
            if worker.ready and worker.job is None and not worker.stopping:
                job = worker.job = self._waiting.popleft()
                try:
                    worker.connection.send((job.function, job.args))
                except (OSError, ValueError):  # the process just ended: its reader puts the job back
                    pass

    def _read(self, worker: _Worker) -> None:
        """Pass on what a worker sends until its process ends (a thread per worker)."""
        while True:
            try:
                if not worker.connection.poll(STOP_POLL):
                    self._stop_if_asked(worker)
                    continue
                kind, value = worker.connection.recv()
            except (EOFError, OSError):
                self._ended(worker)
                return
            if kind == "ready":
                with self._lock:
                    worker.ready = True
                    self._hand_out()
            elif kind == "part":
                worker.job.on_part(value)
            else:
                self._finished(worker, kind, value)

    def _stop_if_asked(self, worker: _Worker) -> None:
        """Stop the worker's job, and drop waiting jobs, whose `stop_asked` says so (another web process
        asked for it); every reader looks at the waiting jobs, the first to see one drops it."""
        with self._lock:
            asked = [job for job in [worker.job, *self._waiting] if job is not None and job.stop_asked()]
        for job in asked:
            if job is not worker.job or not worker.stopping:
                self.stop(job)

    def _finished(self, worker: _Worker, kind: str, value: Any) -> None:
        with self._lock:
            job, worker.job = worker.job, None
            self._hand_out()
        if kind == "done":
            job.on_done(value)
        else:
            job.on_error(value)

    def _ended(self, worker: _Worker) -> None:
        """A worker process ended: report its job, start another process, hand out what waits."""
        worker.process.join(timeout=5)
        worker.connection.close()
        with self._lock:
            self._workers.remove(worker)
            job = worker.job
            if not self._closed:
                self._fill()
                self._hand_out()
        if job is not None:
            job.on_error(WorkerDied(stopped=worker.stopping))

    def shutdown(self) -> None:
        """End every worker process (tests)."""
        with self._lock:
            workers, self._waiting, self._closed = list(self._workers), deque(), True
        for worker in workers:
            worker.stopping = True
            worker.process.terminate()
