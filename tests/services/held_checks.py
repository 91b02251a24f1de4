"""Hold every draft-check worker process, as big catalogs' checks would, until the block ends.

The blocking function runs in the worker processes, so it lives in this small
module they can import (a spawned process imports what it runs by name).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from configurator.services.workbench import background_check, check_workers


def alive(pid: int) -> bool:
    """True while the process runs (a process ended but not yet reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(path: str, timeout: float) -> None:
    """Wait, in a worker process, until the file `path` exists (the test lets go) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


@contextmanager
def checks_held(folder: Path, timeout: float = 60) -> Iterator[None]:
    """Every worker busy inside the block: a check asked for then waits and the page says "Checking…"."""
    go = folder / "let-the-checks-go"
    blockers = [background_check.run_in_worker(wait_for, str(go), timeout) for _ in range(check_workers.BUSY)]
    try:
        yield
    finally:
        go.touch()
        for blocker in blockers:
            blocker.result(timeout=timeout)


def wait_in_a_temporary_folder(told: str, path: str, timeout: float) -> None:
    """Make a temporary folder (as d4's compilation does) beside `told`, write its name there, then `wait_for`."""
    with tempfile.TemporaryDirectory(prefix="held-check-", dir=Path(told).parent) as folder:
        Path(told).write_text(folder)
        wait_for(path, timeout)


def die_when(path: str, timeout: float) -> None:
    """End this worker process abruptly (as the kernel's out-of-memory killer would) once `path` exists."""
    wait_for(path, timeout)
    os._exit(1)


def warm_checks(timeout: float = 300) -> None:
    """The worker processes started (seconds each on a loaded machine), before a page waits for a check."""
    background_check.run_in_worker(int).result(timeout=timeout)


def slow_check(text: str, catalog_id: str, path: str, timeout: float):
    """A check that holds its worker until the file `path` exists, then gives the real check's stages."""
    wait_for(path, timeout)
    yield from background_check.check_in_worker(text, catalog_id)


def dying_check(text: str, catalog_id: str, path: str, timeout: float):
    """A check whose worker process ends before any answer, once `path` exists."""
    die_when(path, timeout)
    yield from ()


def count_held_check(text: str, catalog_id: str, path: str, timeout: float):
    """The real check's stages, the full check (with the count) held until the file `path` exists."""
    for answer in background_check.check_in_worker(text, catalog_id):
        if not answer.counting:
            wait_for(path, timeout)
        yield answer
