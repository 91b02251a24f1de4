"""The compiled form of a catalog kept on disk, so it is built once per catalog version.

Compiling a catalog (its junction tree, `jtree.py`) takes from a fraction of a
second to many seconds; answering a pick from the compiled form takes
milliseconds. A compiled form is stored under the catalog's fingerprint (the
SHA-256 of its text), so each version has its own file and a changed catalog
never meets a stale one. Each file starts with a header:

    CONFIGURATOR-COMPILED <format> <engine> <fingerprint> <sha256 of the payload>\\n

where <engine> is a digest of the engine's compiling code: a file written by
another version of the engine is stale. A file whose header, fingerprint or
checksum does not match is rebuilt and rewritten, never trusted. The payload is
a pickle of the compiled tree; the directory must only be writable by the
application (like its database), since unpickling runs what the file says.

Boolean catalogs answered by a d-DNNF (`boolean.py`) keep d4's circuit beside
it, as text in `<fingerprint>.nnf` with the same header: d4 then runs once per
catalog version, not once per process, and a server under load never falls
back to slower SAT answers because d4 ran out of time at start-up. The
circuit is a function of the CNF alone, which prices, names and texts do not
change: it is kept under the CNF's digest as well (`cnf-<sha256>.nnf`,
`circuit_key`), where a draft that differs from a released version only in
those finds it instead of running d4 again (`Catalog.reuse_circuits`).

A catalog answered by CP-SAT (`cpsat.py`) has no compiled form worth keeping
(it is built in well under a second), but its exact count for a guest can
take seconds (`linear_count.py`): it is kept in `<fingerprint>.count` (JSON,
same header) once known, and so is a refusal (its reason), so a catalog whose
count is out of reach does not make every `catalog check` try again.

A numeric catalog that goes to CP-SAT keeps that choice in
`<fingerprint>.backend` (JSON: the backend and why, same header): a catalog
whose running totals outgrew the tree's and the layers' budgets cost that
attempt (tens of seconds on dense sums) in every process that opened it;
with the record, the next one goes straight to CP-SAT, and its count skips the
running-total route that is known to be refused. Its header carries
`CHOICE` instead of `ENGINE`: the digest of the compiling code and of the
code that chooses (catalog.py, shape.py), so either changing makes the record
stale. The same record is kept under the catalog's shape too
(`shape-<sha256>.backend`, `shape.shape_key`: what the compilers read of it,
without names, messages or prices that no rule reads), where each text of a
draft in the workbench finds the choice made for its released version or for
its earlier texts instead of trying the tree again (`Catalog.share_backend_choice`).
So is a count once known (`shape-<sha256>.count`; a refusal only per
version): the shape holds everything the count reads.

When d4 fails on a catalog (out of time or memory), that is kept too, in
`<fingerprint>.d4-failed` (the reason and the limits it had, as JSON, same
header): the next process goes straight to the SAT fallback instead of
waiting up to d4's time limit again at every start. The record expires: d4 is
tried again once it is a week old (`ddnnf.FAILURE_KEPT_SECONDS`), under another
d4 version, with raised limits or a new engine; deleting the file does too.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

from .problems import said_from_json, said_to_json

MAGIC = b"CONFIGURATOR-COMPILED"
FORMAT = b"1"
_ENGINE_SOURCES = ("compile.py", "jtree.py", "layered.py", "model.py", "compiled.py", "cnf.py", "ddnnf.py", "bounded.py",
                   "linear_count.py", "meet_count.py", "grid_count.py", "grid_layers.py")


def _engine_digest(also: tuple[str, ...] = ()) -> bytes:
    """A digest of the code that builds and reads compiled forms: another engine, another digest."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _ENGINE_SOURCES + also:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16].encode()


ENGINE = _engine_digest()
# The backend record depends on the budgets above, on how catalog.py chooses by them and on what
# shape.py takes for a catalog's shape.
CHOICE = _engine_digest(("catalog.py", "shape.py"))
BACKEND_RECORDED = ("CP-SAT",)


def circuit_key(dimacs: str) -> str:
    """The name d4's circuit of this CNF is kept under, whichever catalog text the CNF came from."""
    return "cnf-" + hashlib.sha256(dimacs.encode("ascii")).hexdigest()


class CompiledStore:
    """A directory of compiled catalogs, one file per catalog fingerprint."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def path(self, fingerprint: str) -> Path:
        """Where the compiled form of the catalog with this fingerprint lives."""
        return self.directory / f"{fingerprint}.compiled"

    def _payload(self, fingerprint: str, suffix: str = "compiled", engine: bytes = ENGINE) -> bytes | None:
        """The file's payload when its header and checksum hold, else None."""
        try:
            data = (self.directory / f"{fingerprint}.{suffix}").read_bytes()
        except OSError:
            return None
        header, newline, payload = data.partition(b"\n")
        expected = [MAGIC, FORMAT, engine, fingerprint.encode(), hashlib.sha256(payload).hexdigest().encode()]
        if not newline or header.split(b" ") != expected:
            return None
        return payload

    def holds(self, fingerprint: str) -> bool:
        """True when a sound, current compiled form of this catalog is stored."""
        return self._payload(fingerprint) is not None

    def load(self, fingerprint: str):
        """The stored (problem, tree) of the catalog, or None when missing, stale or corrupt."""
        payload = self._payload(fingerprint)
        if payload is None:
            return None
        try:
            compiled = pickle.loads(payload)
        except Exception:  # only a checksum collision or a bug: rebuild rather than fail
            return None
        return compiled if isinstance(compiled, tuple) and len(compiled) == 2 else None

    def save(self, fingerprint: str, compiled) -> Path:
        """Write (problem, tree) atomically: a reader sees the old file or the whole new one."""
        payload = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
        return self._write(fingerprint, "compiled", payload)

    def load_circuit(self, fingerprint: str) -> str | None:
        """The stored d4 circuit (NNF text) of this catalog, or None when missing, stale or corrupt."""
        payload = self._payload(fingerprint, "nnf")
        if payload is None:
            return None
        try:
            return payload.decode("ascii")
        except UnicodeDecodeError:
            return None

    def holds_circuit(self, fingerprint: str) -> bool:
        """True when a circuit is kept under this fingerprint (its soundness is checked when it is read)."""
        return (self.directory / f"{fingerprint}.nnf").exists()

    def save_circuit(self, fingerprint: str, text: str) -> Path:
        """Keep d4's circuit of this catalog (written atomically, like the tree)."""
        return self._write(fingerprint, "nnf", text.encode("ascii"))

    def load_failure(self, fingerprint: str) -> dict | None:
        """{"reason", "seconds", "memory", "at", "d4"} of d4's remembered failure on this catalog, or None.

        "at" (seconds since the epoch) and "d4" (its version) are missing from records
        written before they were kept; the caller treats such a record as expired."""
        payload = self._payload(fingerprint, "d4-failed")
        if payload is None:
            return None
        try:
            failure = json.loads(payload)
        except ValueError:
            return None
        keys = {"reason": str, "seconds": (int, float), "memory": int}
        if not isinstance(failure, dict) or not all(isinstance(failure.get(k), t) for k, t in keys.items()):
            return None
        try:  # the reason with its code, for readers in other languages (kept since it is)
            kept = said_from_json(failure.pop("said", None))
        except ValueError:
            kept = None
        if isinstance(kept, str) and kept == failure["reason"]:
            failure["reason"] = kept
        return failure

    def save_failure(self, fingerprint: str, reason: str, seconds: float, memory: int, *,
                     at: float, d4: str) -> Path:
        """Remember that d4 (version `d4`) failed on this catalog within these limits, at `at` (epoch seconds)."""
        record = {"reason": reason, "said": said_to_json(reason), "seconds": seconds, "memory": memory,
                  "at": at, "d4": d4}
        payload = json.dumps(record).encode("utf-8")
        return self._write(fingerprint, "d4-failed", payload)

    def load_count(self, fingerprint: str) -> int | str | None:
        """A CP-SAT catalog's stored count for a guest (cpsat.py): the exact count, or the reason it was
        refused (a str), or None when missing, stale or corrupt."""
        payload = self._payload(fingerprint, "count")
        if payload is None:
            return None
        try:
            stored = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(stored, dict):
            return None
        count, refused = stored.get("count"), stored.get("refused")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return count
        if not isinstance(refused, str) or not refused:
            return None
        try:  # the reason with its code, for readers in other languages (kept since it is)
            kept = said_from_json(stored.get("said", refused))
        except ValueError:
            return refused
        return kept if isinstance(kept, str) and kept == refused else refused

    def save_count(self, fingerprint: str, count: int | str) -> Path:
        """Keep a CP-SAT catalog's exact count for a guest, or why it could not be computed (a str):
        `catalog check` then reads it instead of counting again."""
        stored = {"refused": count, "said": said_to_json(count)} if isinstance(count, str) else {"count": count}
        return self._write(fingerprint, "count", json.dumps(stored).encode("utf-8"))

    def load_backend(self, fingerprint: str) -> dict | None:
        """{"backend", "reason", "refused"} of the backend chosen for this catalog, or None when
        missing, stale or corrupt. "refused" is the running-total form's refusal (a message, see
        `problems.said_from_json`) when that is why, else None."""
        payload = self._payload(fingerprint, "backend", CHOICE)
        if payload is None:
            return None
        try:
            record = json.loads(payload)
        except ValueError:
            return None
        if (not isinstance(record, dict) or record.get("backend") not in BACKEND_RECORDED
                or not isinstance(record.get("reason"), str)):
            return None
        if record.get("refused") is not None:
            try:
                said_from_json(record["refused"])
            except ValueError:
                return None
        return record

    def save_backend(self, fingerprint: str, backend: str, reason: str, refused: dict | None = None) -> Path:
        """Keep the backend chosen for this catalog and why (`refused`: the running-total form's
        refusal as JSON, when it was refused), so the next process does not measure or try again."""
        record = {"backend": backend, "reason": reason, "refused": refused}
        return self._write(fingerprint, "backend", json.dumps(record).encode("utf-8"), CHOICE)

    def _write(self, fingerprint: str, suffix: str, payload: bytes, engine: bytes = ENGINE) -> Path:
        header = b" ".join(
            [MAGIC, FORMAT, engine, fingerprint.encode(), hashlib.sha256(payload).hexdigest().encode()]
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{fingerprint}.{suffix}"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".compiling-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(header + b"\n" + payload)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target
