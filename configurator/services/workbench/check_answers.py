"""Draft checks' answers kept on disk by the text's fingerprint, for every web process.

Under gunicorn each web process has its own worker pool, while the page's
polls may reach any of them: the process that runs a check writes each stage
of its answer here (the quick findings, then the full check with the count),
and marks the check as running meanwhile, so another process answers a poll
from here instead of asking the page to send its text again. The directory
sits next to the compiled catalogs and must only be writable by the
application (like them, the answers are pickles).
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import time
from pathlib import Path

KEPT = 256  # answers kept on disk; the oldest go first
RUNNING_FOR = 15 * 60  # seconds after which a "running" mark no answer followed is forgotten (its process died)


class CheckAnswers:
    """A directory of draft-check answers, one file per text fingerprint."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def put(self, key: str, answer) -> None:
        """Keep the newest answer of the check of this fingerprint (written atomically)."""
        self._write(f"{key}.answer", pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        self._prune()

    def get(self, key: str):
        """The newest answer kept for this fingerprint, or None."""
        try:
            return pickle.loads((self.directory / f"{key}.answer").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def mark_running(self, key: str, catalog_id: str = "") -> None:
        """Say that a web process is checking this text of `catalog_id` (its answer will follow)."""
        (self.directory / f"{key}.stop").unlink(missing_ok=True)  # asked again after a stop: this check goes on
        self._write(f"{key}.running", json.dumps({"pid": os.getpid(), "catalog": catalog_id}).encode())

    def running_for(self, catalog_id: str) -> list[str]:
        """The fingerprints of the texts of `catalog_id` that some process is checking now."""
        keys = []
        for path in self.directory.glob("*.running"):
            try:
                mark = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # just unmarked, or being written
                continue
            if isinstance(mark, dict) and mark.get("catalog") == catalog_id and self.running(path.stem):
                keys.append(path.stem)
        return keys

    def ask_to_stop(self, key: str) -> None:
        """Ask the process that checks this text to stop (nobody will look at its answer)."""
        self._write(f"{key}.stop", b"")
        self.unmark(key, asked=True)

    def stop_asked(self, key: str) -> bool:
        """True once some process asked to stop the check of this text."""
        return (self.directory / f"{key}.stop").exists()

    def running(self, key: str) -> bool:
        """True while some process checks this text, as far as its mark says."""
        try:
            return time.time() - (self.directory / f"{key}.running").stat().st_mtime < RUNNING_FOR
        except OSError:
            return False

    def unmark(self, key: str, asked: bool = False) -> None:
        """The check of this text ended (answered, stopped or failed); `asked`: keep the request to stop it."""
        (self.directory / f"{key}.running").unlink(missing_ok=True)
        if not asked:
            (self.directory / f"{key}.stop").unlink(missing_ok=True)

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".writing-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self.directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _prune(self) -> None:
        """Drop the oldest answers beyond KEPT, and requests to stop that nobody took (their process died)."""
        try:
            answers = sorted(self.directory.glob("*.answer"), key=lambda path: path.stat().st_mtime)
            stale = [path for path in self.directory.glob("*.stop")
                     if time.time() - path.stat().st_mtime > RUNNING_FOR]
        except OSError:  # another process pruned a file meanwhile: next time
            return
        for path in [*answers[:-KEPT], *stale]:
            path.unlink(missing_ok=True)
