"""The draft editor's live check on big catalogs: `python -m bench.draft_check [--catalog NAME|all]`.

For each catalog: how long `catalog check` on the draft's text takes when run
straight through (`drafts.check_text`: reading the YAML/JSON, the check's
dead options, unfillable features, unreachable rules and exact count, and
each finding located at its line), and what the editor does with it: the
first answer of `background_check.check_soon` with the page's wait
(DRAFT_CHECK_WAIT, 0.8 s), which is the check itself when it is ready by then
and otherwise "checking…", and when the answer is ready for the page's
next poll. The check runs in a worker process: `other_request_ms` is what a
request of another user (a pick in the demo city bike: `Catalog.domains`)
takes in the web process meanwhile, against `idle_request_ms` before it
(medians). `--thread` runs the same check in a thread of this process
instead, as the editor did before the worker processes, for comparison.

Catalogs: city-bike (the demo, for scale), Renault medium and big
(../shared/benchmarks) and automotive01 (feature-models). Each runs in the
same process one after the other; nothing else is cached between them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from configurator.config import Config
from configurator.engine import Catalog
from configurator.services.workbench import background_check, drafts

from .catalogs import BENCHMARKS, ROOT

CATALOGS = {
    "city-bike": ROOT / "catalog" / "city-bike.yaml",
    "medium": BENCHMARKS / "renault-medium.yaml",
    "automotive01": BENCHMARKS / "feature-models" / "automotive01.json",
    "big": BENCHMARKS / "renault-big.json",
}


def catalog_id(path: Path, text: str) -> str:
    """The `catalog:` id of a text (JSON or YAML)."""
    if path.suffix == ".json":
        return json.loads(text)["catalog"]
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["catalog"]


def request_ms(catalog: Catalog, times: int = 15) -> float:
    """The median time of a pick in the configurator (`domains` after one pick), in milliseconds."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        catalog.domains({"frame": "alu_diamond"})
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 1)


def _in_thread(text: str, identifier: str, other: Catalog) -> tuple[dict, drafts.DraftCheck]:
    """The check in a thread of this process (the editor before the worker processes), another request meanwhile."""
    answer: list[drafts.DraftCheck] = []
    started = time.perf_counter()
    thread = threading.Thread(target=lambda: answer.append(drafts.check_text(text, identifier)))
    thread.start()
    thread.join(Config.DRAFT_CHECK_WAIT)
    first = {"pending": thread.is_alive(), "first_s": time.perf_counter() - started}
    first["during"] = request_ms(other) if thread.is_alive() else None
    thread.join()
    return first, answer[0]


def measure(name: str, path: Path, other: Catalog, in_thread: bool = False) -> dict[str, object]:
    """The straight-through check time, the editor's first and final answer times, and another request's."""
    text = path.read_text(encoding="utf-8")
    identifier = catalog_id(path, text)
    started = time.perf_counter()
    check = drafts.check_text(text, identifier)
    straight = time.perf_counter() - started
    idle = request_ms(other)
    # The editor: a new text (one more space at the end: a keystroke), as the page posts it.
    typed = text + " "
    started = time.perf_counter()
    if in_thread:
        first, final = _in_thread(typed, identifier, other)
        during = first.pop("during")
        first_s = first.pop("first_s")
        first = background_check.Pending("") if first["pending"] else final
    else:
        first = background_check.check_soon(typed, identifier, Config.DRAFT_CHECK_WAIT)
        first_s = time.perf_counter() - started
        during = request_ms(other) if first.pending else None
        final = background_check.check_soon(typed, identifier, 3600)
    ready_s = time.perf_counter() - started
    report = check.report
    return {
        "catalog": name,
        "where": "thread" if in_thread else "worker process",
        "chars": len(text),
        "check_s": round(straight, 2),
        "first_answer_s": round(first_s, 2),
        "first_answer": "checking…" if first.pending else "the check",
        "ready_s": round(ready_s, 2),
        "idle_request_ms": idle,
        "other_request_ms": during,
        "problems": len(check.problems),
        "findings": len(check.findings),
        "count_digits": len(str(report.count)) if report and report.count is not None else None,
        "same_answer": (final.problems, final.findings) == (check.problems, check.findings),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen catalogs and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="all", choices=[*CATALOGS, "all"])
    parser.add_argument("--thread", action="store_true", help="check in a thread of this process, as before")
    args = parser.parse_args(argv)
    names = list(CATALOGS) if args.catalog == "all" else [args.catalog]
    other = Catalog.from_path(CATALOGS["city-bike"])
    other.domains({"frame": "alu_diamond"})  # compiled before measuring
    background_check.run_in_worker(int).result()  # the workers are started, as on a server that has run a while
    for name in names:
        print(json.dumps(measure(name, CATALOGS[name], other, args.thread), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
