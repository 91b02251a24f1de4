"""A draft checked, then edited twice: `python -m bench.draft_edits [--catalog NAME]`.

The draft's text is checked as the workbench's worker checks it
(`drafts.check_in_stages`: the findings, then the full check with the
count), then again after two names are edited (the catalog's and its first
feature's), then after a rule's message is edited too: edits that leave the catalog's shape (engine/shape.py),
so the backend chosen and the count of the first check are taken, not
made again. Prints one JSON line per check: the CPU of this process (numba's
threads included) at each stage and at its end, the wall time, the backend
and the count. A fresh compiled folder, nothing released beforehand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time

from .draft_check import CATALOGS, catalog_id


def edited_texts(text: str) -> list[tuple[str, str]]:
    """The text, then its first two names edited, then its first rule's message too (YAML or JSON)."""
    renamed = re.sub(r'(name:\s*|"name":\s*")([^"\n]+)', r"\1\2 (renamed)", text, count=2)
    reworded = re.sub(
        r'(message:\s*|"message":\s*")([^"\n]+)', r"\1\2 (reworded)", renamed, count=1
    )
    return [("first check", text), ("names edited", renamed), ("message edited", reworded)]


def main(argv: list[str] | None = None) -> int:
    """Check the chosen catalog's text and its two edits; print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="dense-sum", choices=list(CATALOGS))
    args = parser.parse_args(argv)
    path = CATALOGS[args.catalog]
    text = path.read_text(encoding="utf-8")
    identifier = catalog_id(path, text)
    with tempfile.TemporaryDirectory(prefix="bench-compiled-") as compiled:
        os.environ["CONFIGURATOR_COMPILED_DIR"] = compiled
        from configurator.services.workbench import drafts  # reads the folder above

        for label, typed in edited_texts(text):
            cpu, wall, stages = time.process_time(), time.perf_counter(), []
            for answer in drafts.check_in_stages(typed, identifier, path.name):
                stages.append(round(time.process_time() - cpu, 2))
            report = answer.report
            figures = {
                "check": label,
                "stages_cpu_s": stages,
                "wall_s": round(time.perf_counter() - wall, 2),
                "backend": report.stats.get("backend", "junction tree or d-DNNF")
                if report
                else None,
                "count": report.count if report else None,
                "problems": len(answer.problems),
                "load": round(os.getloadavg()[0], 1),
            }
            print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
