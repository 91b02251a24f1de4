"""The draft editor's live check on big catalogs: `python -m bench.draft_check [--catalog NAME|all]`.

For each catalog: how long `catalog check` on the draft's text takes when run
straight through (`drafts.check_text`: reading the YAML/JSON, the check's
dead options, unfillable features, unreachable rules and exact count, and
each finding located at its line), and what the editor does with it: the
first answer of `background_check.check_soon` with the page's wait
(DRAFT_CHECK_WAIT, 0.8 s), which is the check itself when it is ready by then
and otherwise "checking…", and when the answer is ready for the page's
next poll.

Catalogs: city-bike (the demo, for scale), Renault medium and big
(../shared/benchmarks) and automotive01 (feature-models). Each runs in the
same process one after the other; nothing else is cached between them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from configurator.config import Config
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


def measure(name: str, path: Path) -> dict[str, object]:
    """The straight-through check time and the editor's first and final answer times."""
    text = path.read_text(encoding="utf-8")
    identifier = catalog_id(path, text)
    started = time.perf_counter()
    check = drafts.check_text(text, identifier)
    straight = time.perf_counter() - started
    # The editor: a new text (one more space at the end: a keystroke), as the page posts it.
    typed = text + " "
    started = time.perf_counter()
    first = background_check.check_soon(typed, identifier, Config.DRAFT_CHECK_WAIT)
    first_s = time.perf_counter() - started
    final = first or background_check.check_soon(typed, identifier, 3600)
    ready_s = time.perf_counter() - started
    report = check.report
    return {
        "catalog": name,
        "chars": len(text),
        "check_s": round(straight, 2),
        "first_answer_s": round(first_s, 2),
        "first_answer": "the check" if first is not None else "checking…",
        "ready_s": round(ready_s, 2),
        "problems": len(check.problems),
        "findings": len(check.findings),
        "count_digits": len(str(report.count)) if report and report.count is not None else None,
        "same_answer": (final.problems, final.findings) == (check.problems, check.findings),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen catalogs and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="all", choices=[*CATALOGS, "all"])
    args = parser.parse_args(argv)
    drafts.MAX_DRAFT_CHARS = 16 * 1024 * 1024  # Renault big is 6.9 MB: measure it all the same
    names = list(CATALOGS) if args.catalog == "all" else [args.catalog]
    for name in names:
        print(json.dumps(measure(name, CATALOGS[name]), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
