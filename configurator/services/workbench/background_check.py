"""The live check of a draft, in worker processes, in two stages.

A catalog's check is CPU-bound: a small catalog takes milliseconds,
the city bike seconds, automotive01 or Renault big tens of seconds, nearly
all of it to build the form that counts. So the check runs in a worker
process (check_workers.py) and answers in stages (drafts.check_in_stages):
the findings that need no count in a fraction of a second, "counting…",
then the full check with the exact count. The page never shows a count of
another text: a stage without the count says it is counting.

The editor asks `check_soon`: the newest stage ready within `wait` seconds,
else `Pending` with the text's fingerprint; the page then asks `ready` by
that fingerprint until the full check is there, without sending the text
again. A newer text of the same draft typed in the editor stops the older
text's check, even halfway (its worker process ends, a spare takes over).

Each web process keeps its own checks in memory (`DraftChecks`, one per app),
and writes every stage to a directory all of them share (check_answers.py):
a poll that reaches another gunicorn process finds the answer there, or
learns that the check is still running. A newer text that reaches another
process stops the older one's check all the same: it asks, through that
directory, the process that runs it (whose worker pool looks between messages).
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

from configurator.quoting.phrases import N_
from configurator.services.workbench.check_answers import CheckAnswers
from configurator.services.workbench.check_workers import Job, WorkerDied, WorkerPool
from configurator.services.workbench.drafts import DraftCheck, Finding, check_in_stages

KEPT = 16  # checks kept in memory per web process (a few editors, a few texts each)
POLL = 0.1  # seconds between looks at the shared answers while a poll waits on another process's check
_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Pending:
    """A check still running, nothing to show yet: the page asks again by `key`."""

    key: str
    pending: bool = True


def digest(text: str, catalog_id: str) -> str:
    """The fingerprint of a check: the product line and the text."""
    return hashlib.sha256(f"{catalog_id}\0{text}".encode()).hexdigest()


def pool() -> WorkerPool:
    """This process's worker processes (started with the first job)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = WorkerPool(warm_up=warm_up)
            atexit.register(_POOL.shutdown)  # the workers end with this process, quietly
        return _POOL


WARM_UP_TEXT = """catalog: warm-up
name: Warm-up
version: 1
currency: EUR
features:
  - id: size
    name: Size
    dimension: product
    choose: one
    options:
      - {id: s, name: S, price: 1.00}
      - {id: m, name: M, price: 2.00}
constraints:
  - id: not-m
    if: size == m
    then: price() >= 2
"""


def warm_up() -> None:
    """A worker process's first check, on a tiny catalog, before it takes a draft's: the grammar, the
    solver and the compiler are loaded then, so a spare answers a stopped check's successor at once."""
    for _ in check_in_stages(WARM_UP_TEXT, "warm-up"):
        pass


def run_in_worker(function: Callable[..., Any], *args: Any) -> Future:
    """`function(*args)` in a worker process, as a future."""
    return pool().run(function, *args)


def check_in_worker(text: str, catalog_id: str) -> Iterator[DraftCheck]:
    """The check's stages, run in a worker process; each without the catalog (the page needs only the findings)."""
    for answer in check_in_stages(text, catalog_id):
        yield dataclasses.replace(answer, catalog=None)


def died() -> DraftCheck:
    """The answer of a check whose worker process ended before the full check."""
    return DraftCheck(problems=[Finding(N_("The check stopped before its end (its worker process ended, "
                                           "perhaps out of memory). Change the text to check it again."))])


@dataclasses.dataclass(eq=False)
class _Check:
    """One text's check in this process: its newest stage, and whether the full check is in."""

    key: str
    catalog_id: str
    job: Job | None = None
    answer: DraftCheck | None = None
    done: bool = False
    stopped: bool = False


class DraftChecks:
    """The live checks of a web app: those this process runs, and every process's answers on disk."""

    def __init__(self, answers: CheckAnswers, workers: Callable[[], WorkerPool] = pool,
                 check: Callable[..., Iterator[DraftCheck]] = check_in_worker, *extra: Any) -> None:
        """`check(text, catalog_id, *extra)` runs in the worker (tests give one that waits first)."""
        self.answers = answers
        self._workers = workers
        self._check, self._extra = check, extra
        self._checks: OrderedDict[str, _Check] = OrderedDict()
        self._changed = threading.Condition(threading.RLock())

    def check_soon(self, text: str, catalog_id: str, wait: float | None, replaces: bool = False
                   ) -> DraftCheck | Pending:
        """The newest stage of the check of `text` within `wait` seconds (None: the full check, however long).

        `replaces`: the text replaces the draft's older texts in an editor, so
        their checks still running are stopped (nobody will look at them).
        """
        key = digest(text, catalog_id)
        with self._changed:
            check = self._checks.get(key)
            if check is None or check.stopped:
                stored = self.answers.get(key)
                if stored is not None and not stored.counting:
                    return stored
                check = self._start(key, text, catalog_id)
            self._checks.move_to_end(key)
            if replaces:
                self._stop_others(check)
            self._forget_old()
        return self._answer(check, wait, first_stage_will_do=False)

    def ready(self, key: str, wait: float = 0, shown_counting: bool = False) -> DraftCheck | Pending | None:
        """The check of the text with this fingerprint; Pending while nothing is ready; None when nobody checks it.

        `shown_counting`: the page shows the findings already; wait for the count.
        """
        with self._changed:
            check = self._checks.get(key)
        if check is not None and not check.stopped:
            return self._answer(check, wait, first_stage_will_do=not shown_counting)
        return self._from_disk(key, wait, shown_counting)

    def _start(self, key: str, text: str, catalog_id: str) -> _Check:
        """Hand the text's check to a worker process (called holding the lock)."""
        check = _Check(key, catalog_id)
        self._checks[key] = check
        self.answers.mark_running(key, catalog_id)
        check.job = Job(self._check, (text, catalog_id, *self._extra),
                        on_part=lambda answer: self._arrived(check, answer),
                        on_done=lambda _: self._ended(check, None),
                        on_error=lambda error: self._ended(check, error),
                        stop_asked=lambda: self.answers.stop_asked(key))
        self._workers().submit(check.job)
        return check

    def _stop_others(self, newest: _Check) -> None:
        """Stop the checks of the same draft's older texts that are still running, those of this
        process at once, those of other processes by asking them (called holding the lock)."""
        for check in list(self._checks.values()):
            if check is not newest and check.catalog_id == newest.catalog_id and not check.done:
                check.stopped = True
                self._checks.pop(check.key, None)
                self.answers.unmark(check.key)
                self._workers().stop(check.job)
        for key in self.answers.running_for(newest.catalog_id):
            if key != newest.key and key not in self._checks:
                self.answers.ask_to_stop(key)

    def _forget_old(self) -> None:
        """Keep the newest KEPT checks in memory (those on disk stay there)."""
        while len(self._checks) > KEPT:
            oldest = next(iter(self._checks.values()))
            self._checks.pop(oldest.key)

    def _arrived(self, check: _Check, answer: DraftCheck) -> None:
        """A stage of a check came from its worker."""
        if check.stopped:
            return
        answer = dataclasses.replace(answer, key=check.key)
        self.answers.put(check.key, answer)
        with self._changed:
            check.answer = answer
            check.done = not answer.counting
            self._changed.notify_all()
        if check.done:
            self.answers.unmark(check.key)

    def _ended(self, check: _Check, error: BaseException | None) -> None:
        """A check's job ended: after its last stage, or stopped, or its worker died."""
        self.answers.unmark(check.key)
        with self._changed:
            if isinstance(error, WorkerDied) and error.stopped:
                check.stopped = True  # another process asked: a newer text of the draft is checked there
                if self._checks.get(check.key) is check:
                    self._checks.pop(check.key)
            if not check.done and not check.stopped:
                if error is None or isinstance(error, WorkerDied):
                    check.answer = died()
                else:  # a bug in the check: the page says so instead of waiting forever
                    check.answer = DraftCheck(problems=[Finding(N_("The check failed: %(error)s", error=str(error)))])
                check.done = True
                self._checks.pop(check.key, None)  # asked again, the text is checked again
            self._changed.notify_all()

    def _answer(self, check: _Check, wait: float | None, first_stage_will_do: bool) -> DraftCheck | Pending:
        """The check's newest stage after waiting up to `wait` for the full check.

        `first_stage_will_do`: a page showing nothing yet takes the findings
        as soon as they come; otherwise the wait goes on to its end (a small
        catalog's full check is often ready by then).
        """
        deadline = None if wait is None else time.monotonic() + wait
        with self._changed:
            while not check.done and not check.stopped and not (first_stage_will_do and check.answer):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._changed.wait(left)
            if check.answer is None or (check.stopped and not check.done):
                return Pending(check.key)
            return check.answer

    def _from_disk(self, key: str, wait: float, shown_counting: bool) -> DraftCheck | Pending | None:
        """Another process's check of this fingerprint, as far as the shared answers say."""
        deadline = time.monotonic() + wait
        while True:
            stored = self.answers.get(key)
            running = self.answers.running(key)
            if stored is not None and not stored.counting:
                return stored
            if not running:
                return None  # nobody checks it (any more): the page sends its text again
            if stored is not None and not shown_counting:
                return stored
            if time.monotonic() >= deadline:
                return stored if stored is not None else Pending(key)
            time.sleep(POLL)
