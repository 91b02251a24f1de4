"""The live check of a big draft in the background.

A small catalog is checked in a few milliseconds, a Renault-sized one takes
seconds (reading the YAML alone). The editor asks `check_soon`: the answer
when it is ready within `wait` seconds, else None, and the page shows
"checking…" and asks again with the same text a moment later. Each text is
checked once per process (by its digest), one at a time, newest first: a
text still waiting when a newer one of the same product line arrives is
dropped, since nobody will look at its answer.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from configurator.services.workbench.drafts import DraftCheck, check_text

KEPT = 16  # answers kept per process (a few editors, a few texts each)
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draft-check")
_JOBS: OrderedDict[str, Future] = OrderedDict()
_LATEST: dict[str, str] = {}  # product line -> digest of the newest text asked about
_LOCK = threading.Lock()


def digest(text: str, catalog_id: str) -> str:
    """What identifies a check: the product line and the text."""
    return hashlib.sha256(f"{catalog_id}\0{text}".encode()).hexdigest()


def check_soon(text: str, catalog_id: str, wait: float) -> DraftCheck | None:
    """The check of `text`, if it is ready within `wait` seconds; else None (it goes on)."""
    key = digest(text, catalog_id)
    with _LOCK:
        future = _JOBS.get(key)
        if future is None or future.cancelled():
            stale = _JOBS.get(_LATEST.get(catalog_id, ""))
            if stale is not None and stale.cancel():  # not started yet: nobody waits for it
                _JOBS.pop(_LATEST[catalog_id], None)
            future = _POOL.submit(check_text, text, catalog_id)
            _JOBS[key] = future
            while len(_JOBS) > KEPT:
                _JOBS.popitem(last=False)
        _JOBS.move_to_end(key)
        _LATEST[catalog_id] = key
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return None
