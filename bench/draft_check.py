"""The draft editor's live check on big catalogs: `python -m bench.draft_check [--catalog NAME|all]`.

For each catalog: how long `catalog check` on the draft's text takes when run
straight through (`drafts.check_text`: reading the YAML/JSON, the check's
dead options, unfillable features, unreachable rules and exact count, and
each finding located at its line), and what the editor does with it
(`background_check.DraftChecks`, as the page asks it):

- `first_answer_s`: the answer to the text as posted, with the page's wait
  (DRAFT_CHECK_WAIT, 0.8 s): the full check, its findings while it counts
  ("findings, counting…"), or "checking…";
- `findings_s`: when the findings are on the page (the first stage);
- `count_s`: when the full check with the exact count is (of the newer text when
  one was typed, counted from its typing);
- `newer_text_findings_s`: a newer text typed while the first one is still
  being counted: when its findings are there (the older check is stopped,
  its worker process ended, a spare takes the newer one).

The checks run in worker processes: `other_request_ms` is what a request of
another user (a pick in the demo city bike: `Catalog.domains`) takes in the
web process meanwhile, against `idle_request_ms` before it (medians).
`--thread` runs the full check in a thread of this process instead, as the
editor did before the worker processes, for comparison.

Before each catalog's draft is checked, the catalog itself is compiled into
the compiled folder (a temporary one), as a server has its version in use:
a draft that differs from it only in prices, names or texts (here: one space)
takes d4's circuit from there (`Catalog.reuse_circuits`). `--no-released`
skips that: the draft's check finds nothing to reuse, as before.

Catalogs: city-bike, standing-desk and coffee (the demo), Renault medium and
big (../shared/benchmarks), automotive01 (feature-models) and dense-sum
(bench/models: numeric rules that only CP-SAT answers). Each runs in the
same process one after the other; nothing else is cached between them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from configurator.config import Config
from configurator.engine import Catalog
from configurator.services import catalogs
from configurator.services.workbench import background_check, drafts
from configurator.services.workbench.check_answers import CheckAnswers

from .catalogs import BENCHMARKS, ROOT

CATALOGS = {
    "city-bike": ROOT / "catalog" / "city-bike.yaml",
    "standing-desk": ROOT / "catalog" / "standing-desk.yaml",
    "coffee": ROOT / "catalog" / "coffee-subscription.yaml",
    "medium": BENCHMARKS / "renault-medium.yaml",
    "automotive01": BENCHMARKS / "feature-models" / "automotive01.json",
    "big": BENCHMARKS / "renault-big.json",
    "dense-sum": ROOT / "bench" / "models" / "dense-sum.yaml",
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


def measure(name: str, path: Path, other: Catalog, in_thread: bool = False, released: bool = True
            ) -> dict[str, object]:
    """The straight-through check time, the editor's answers in stages, and another request's time."""
    text = path.read_text(encoding="utf-8")
    identifier = catalog_id(path, text)
    if released:  # the version in use, compiled as the server keeps it
        Catalog.from_text(text, str(path)).prepare(catalogs.compiled_store())
    started = time.perf_counter()
    check = drafts.check_text(text, identifier)
    straight = time.perf_counter() - started
    idle = request_ms(other)
    typed = text + " "  # a new text (one more space at the end: a keystroke), as the page posts it
    figures: dict[str, object] = {"catalog": name, "where": "thread" if in_thread else "worker process",
                                  "released_compiled": released, "chars": len(text), "check_s": round(straight, 2)}
    if in_thread:
        first, final = _in_thread(typed, identifier, other)
        figures.update(first_answer_s=round(first["first_s"], 2),
                       first_answer="checking…" if first["pending"] else "the check",
                       other_request_ms=first["during"])
    else:
        with tempfile.TemporaryDirectory() as folder:
            final = _in_stages(typed, identifier, other, figures, CheckAnswers(folder))
    report = check.report
    figures.update(
        idle_request_ms=idle,
        problems=len(check.problems),
        findings=len(check.findings),
        count_digits=len(str(report.count)) if report and report.count is not None else None,
        same_answer=(final.problems, final.findings) == (check.problems, check.findings),
    )
    return figures


def _in_stages(typed: str, identifier: str, other: Catalog, figures: dict, answers: CheckAnswers):
    """The editor's answers to a typed text, stage by stage, then to a newer text typed while it counts."""
    checks = background_check.DraftChecks(answers)
    started = time.perf_counter()
    first = checks.check_soon(typed, identifier, Config.DRAFT_CHECK_WAIT, replaces=True)
    figures["first_answer_s"] = round(time.perf_counter() - started, 2)
    figures["first_answer"] = "checking…" if first.pending else "findings, counting…" if first.counting else "the check"
    key = background_check.digest(typed, identifier)
    answer = first
    while answer.pending:
        answer = checks.ready(key, Config.DRAFT_CHECK_WAIT)
    figures["findings_s"] = round(time.perf_counter() - started, 2)
    figures["other_request_ms"] = request_ms(other) if answer.counting else None
    if answer.counting:  # type again while it counts: the newer text's findings, the older check stopped
        newer = typed + " "
        again = time.perf_counter()
        replaced = checks.check_soon(newer, identifier, Config.DRAFT_CHECK_WAIT, replaces=True)
        newer_key = background_check.digest(newer, identifier)
        while replaced.pending:
            replaced = checks.ready(newer_key, Config.DRAFT_CHECK_WAIT)
        figures["newer_text_findings_s"] = round(time.perf_counter() - again, 2)
        key, started = newer_key, again
        answer = replaced
    while answer.pending or answer.counting:
        answer = checks.ready(key, 3600, shown_counting=True)
    figures["count_s"] = round(time.perf_counter() - started, 2)
    return answer


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen catalogs and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="all", choices=[*CATALOGS, "all"])
    parser.add_argument("--thread", action="store_true", help="check in a thread of this process, as before")
    parser.add_argument("--no-released", action="store_true",
                        help="no version in use compiled beforehand: the draft's check reuses nothing")
    args = parser.parse_args(argv)
    names = list(CATALOGS) if args.catalog == "all" else [args.catalog]
    other = Catalog.from_path(CATALOGS["city-bike"])
    other.domains({"frame": "alu_diamond"})  # compiled before measuring
    with tempfile.TemporaryDirectory(prefix="bench-compiled-") as compiled:
        os.environ["CONFIGURATOR_COMPILED_DIR"] = compiled  # read by this process and the workers it starts
        background_check.run_in_worker(int).result()  # the workers are started, as on a server that has run a while
        for name in names:
            figures = measure(name, CATALOGS[name], other, args.thread, released=not args.no_released)
            print(json.dumps(figures, ensure_ascii=False), flush=True)
        background_check.pool().shutdown()  # before the folder goes: a worker may still be writing there
    return 0


if __name__ == "__main__":
    sys.exit(main())
