"""Hostile catalog files: each is refused with a message naming the file and
the place (or accepted when legal), in bounded time and memory and never with
a traceback, by `configurator catalog check` and by the store; a refused file
never replaces the catalog version in use.

The small files are in tests/engine/hostile/; the large ones (10,000-option
features, huge tables, long rules and lines) are generated here.
"""

from __future__ import annotations

import itertools
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from configurator.services import catalogs
from configurator.services.errors import CatalogProblem
from configurator.store import CatalogVersion

HOSTILE = Path(__file__).parent / "hostile"
CONFIGURATOR = Path(sys.executable).with_name("configurator")
# A hang guard for one `catalog check` run, not a speed assertion (speed is
# measured in bench/): generous enough for a loaded 2-core machine.
TIME_LIMIT_S = 600
MEMORY_LIMIT = 2 * 1024**3  # address space, so a runaway allocation fails fast

READ_ERROR, NOT_USABLE, USABLE = 2, 1, 0


@dataclass(frozen=True)
class Case:
    """One hostile file, the exit status `catalog check` must give and a message it must print."""

    name: str
    status: int
    message: str  # a regular expression; the file's name is prefixed to every message
    slow: bool = False


CASES = [
    # YAML and JSON the reader must refuse before building anything.
    Case(
        "alias-bomb.yaml", READ_ERROR, r"line 8, column 4: aliases \(\*name\) expand the document"
    ),
    Case("alias-bomb-few.yaml", READ_ERROR, r"line 11, column 5: aliases \(\*name\) expand"),
    Case(
        "alias-self.yaml",
        READ_ERROR,
        r"line 5, column 11: an alias \(\*name\) refers to a value that contains it",
    ),
    Case(
        "deep-flow.yaml",
        READ_ERROR,
        r"line 3, column \d+: the document is nested more than 100 levels deep",
    ),
    Case(
        "deep-block.yaml",
        READ_ERROR,
        r"line \d+, column \d+: the document is nested more than 100 levels deep",
    ),
    Case("deep-flow.json", READ_ERROR, r"the document is nested too deeply"),
    Case("binary-garbage.yaml", READ_ERROR, r"not UTF-8 text \(byte \d+ cannot be decoded\)"),
    Case("control-chars.yaml", READ_ERROR, r"not valid YAML: unacceptable character #x0000"),
    Case("empty.yaml", READ_ERROR, r"the file is empty"),
    Case("comments-only.yaml", READ_ERROR, r"the file holds no data, only comments"),
    Case("not-a-mapping.yaml", READ_ERROR, r"the file must hold a mapping .*not a list"),
    Case("syntax-error.yaml", READ_ERROR, r"line 7, column 14: not valid YAML"),
    # Readable files with wrong content: every problem, each with its place.
    Case(
        "unknown-ids.yaml",
        NOT_USABLE,
        r"constraint 'needs-wheels' \(#1\): in 'then', unknown feature 'wheels'",
    ),
    Case(
        "unknown-ids.yaml",
        NOT_USABLE,
        r"constraint 'bad-option' \(#2\): unknown option 'carbon' of feature 'frame'",
    ),
    Case("unknown-ids.yaml", NOT_USABLE, r"constraint #3: unknown feature 'saddle'"),
    Case(
        "unknown-ids.yaml",
        NOT_USABLE,
        r"features\[0\] 'frame': default 'titanium' is not an option",
    ),
    Case(
        "duplicate-ids.yaml",
        NOT_USABLE,
        r"features\[1\] 'frame': feature id 'frame' is already used by features\[0\]",
    ),
    Case("duplicate-ids.yaml", NOT_USABLE, r"features\[0\] 'frame': option 'alu' is listed twice"),
    Case(
        "duplicate-ids.yaml",
        NOT_USABLE,
        r"constraint 'rule' \(#2\): constraint id 'rule' is already used by #1",
    ),
    Case("duplicate-ids.yaml", NOT_USABLE, r"line 25, column 1: key 'name' appears more than once"),
    Case("non-ascii-ids.yaml", NOT_USABLE, r"catalog id 'größe' is not valid"),
    Case(
        "non-ascii-ids.yaml", NOT_USABLE, r"features\[0\]: feature id 'rahmen-größe' is not valid"
    ),
    Case(
        "non-ascii-ids.yaml",
        NOT_USABLE,
        r"features\[0\], options\[1\]: option id 'ｍittel' is not valid",
    ),
    Case(
        "numbers-out-of-range.yaml",
        NOT_USABLE,
        r"'version' must be a whole number from 0 to 9223372036854775807",
    ),
    Case(
        "numbers-out-of-range.yaml", NOT_USABLE, r"options\[0\] 'alu': price '?1e30'? is too large"
    ),
    Case(
        "numbers-out-of-range.yaml",
        NOT_USABLE,
        r"options\[0\] 'alu': attribute 'weight_g' must be a number, a text or true/false, not inf",
    ),
    Case("numbers-out-of-range.yaml", NOT_USABLE, r"options\[1\] 'steel': price -5 is negative"),
    Case(
        "numbers-out-of-range.yaml",
        NOT_USABLE,
        r"options\[1\] 'steel': cost must be a number, not nan",
    ),
    Case(
        "numbers-out-of-range.yaml",
        NOT_USABLE,
        r"options\[2\] 'carbon': price 0.123456789 has more than 4 decimals",
    ),
    Case(
        "numbers-out-of-range.yaml",
        NOT_USABLE,
        r"options\[3\] 'wood': price must be a number, not '12,50'",
    ),
    Case("numbers-out-of-range.yaml", NOT_USABLE, r"'choose' needs 0 <= min <= max <= 4"),
    Case(
        "threshold-out-of-range.yaml",
        NOT_USABLE,
        r"the numeric term sum\(weight_g\) reaches totals beyond 9,223,372,036,854,775,807",
    ),
    Case(
        "contradiction.yaml",
        NOT_USABLE,
        r"(no|not any|cannot).*configuration|inconsistent|contradict",
    ),
    # Legal, if unusual: accepted.
    Case("base-ok.yaml", USABLE, r"3 complete valid configurations"),
    Case("alias-legal.yaml", USABLE, r"2 complete valid configurations"),
    Case("non-ascii-names.yaml", USABLE, r"2 complete valid configurations"),
    # Generated (see GENERATED below).
    Case("options-10000.yaml", USABLE, r"10000 complete valid configurations", slow=True),
    Case(
        "options-10000-multi.yaml", USABLE, r"166666675001 complete valid configurations", slow=True
    ),
    Case(
        "options-10000-rule.yaml",
        USABLE,
        r"25386 complete valid configurations",
        slow=True,
    ),
    Case("table-huge.yaml", USABLE, r"32000 complete valid configurations", slow=True),
    Case(
        "rule-too-long.yaml",
        READ_ERROR,
        r"constraint 'long' \(#1\): column 1: the rule is \d+ characters long; at most 10000",
    ),
    Case(
        "rule-parens-deep.yaml",
        READ_ERROR,
        r"constraint 'deep' \(#1\): column 1: the rule is nested 4901 levels deep; at most 100",
    ),
    Case(
        "rule-nots-deep.yaml",
        READ_ERROR,
        r"constraint 'nots' \(#1\): column 1: the rule is nested 2401 levels deep",
    ),
    Case("rule-or-900.yaml", USABLE, r"1 complete valid configurations"),
    Case(
        "long-name.yaml",
        NOT_USABLE,
        r"the name 'x{20}\.\.\.' is 5000000 characters long; at most 200",
    ),
    Case(
        "long-id.yaml",
        NOT_USABLE,
        r"features\[0\]: feature id 'a{20}\.\.\.' is 100000 characters long; at most 64",
    ),
    Case(
        "long-line.yaml",
        NOT_USABLE,
        r"features: must be a non-empty list of features, not 'a+\.\.\.'",
    ),
]


# ------------------------------------------------------------- generated files

HEAD = "catalog: hostile\nname: Generated\nversion: 1\ncurrency: EUR\n"


def feature(feature_id: str, count: int, choose: str = "one", dimension: str = "product") -> str:
    """A feature with `count` options o0, o1, ... (prices and a small weight)."""
    options = "\n".join(
        f"      - {{id: o{i}, name: Option {i}, price: {i % 97}.50, attributes: {{w: {i % 13}}}}}"
        for i in range(count)
    )
    return (
        f"  - id: {feature_id}\n    name: {feature_id}\n    dimension: {dimension}\n"
        f"    choose: {choose}\n    options:\n{options}\n"
    )


def rule(rule_id: str, expression: str) -> str:
    return f"constraints:\n  - id: {rule_id}\n    require: {expression}\n"


def huge_table() -> str:
    """Three 40-option features and a table allowing half of their 64,000 combinations."""
    rows = "\n".join(
        f"        - [o{a}, o{b}, o{c}]"
        for a, b, c in itertools.product(range(40), repeat=3)
        if (a + b + c) % 2 == 0
    )
    return (
        HEAD
        + "features:\n"
        + feature("a", 40)
        + feature("b", 40)
        + feature("c", 40)
        + "constraints:\n  - id: big-table\n    table:\n      features: [a, b, c]\n      allow:\n"
        + rows
        + "\n"
    )


GENERATED = {
    "options-10000.yaml": lambda: HEAD + "features:\n" + feature("colour", 10_000),
    "options-10000-multi.yaml": lambda: (
        HEAD + "features:\n" + feature("extras", 10_000, "{min: 0, max: 3}")
    ),
    "options-10000-rule.yaml": lambda: (
        HEAD
        + "features:\n"
        + feature("colour", 10_000)
        + feature("delivery", 3, dimension="delivery")
        + "constraints:\n  - id: light\n    if: delivery == o0\n    then: sum(w) <= 6\n"
    ),
    "table-huge.yaml": huge_table,
    "rule-too-long.yaml": lambda: (
        HEAD + "features:\n" + feature("a", 3) + rule("long", " or ".join(["a == o1"] * 20_000))
    ),
    "rule-parens-deep.yaml": lambda: (
        HEAD + "features:\n" + feature("a", 3) + rule("deep", "(" * 4900 + "a == o1" + ")" * 4900)
    ),
    "rule-nots-deep.yaml": lambda: (
        HEAD + "features:\n" + feature("a", 3) + rule("nots", "not " * 2400 + "a == o1")
    ),
    "rule-or-900.yaml": lambda: (
        HEAD + "features:\n" + feature("a", 3) + rule("ors", " or ".join(["a == o1"] * 900))
    ),
    "long-name.yaml": lambda: (
        HEAD.replace("name: Generated", "name: " + "x" * 5_000_000)
        + "features:\n"
        + feature("a", 3)
    ),
    "long-id.yaml": lambda: (
        HEAD + "features:\n" + feature("a", 3).replace("id: a\n", "id: " + "a" * 100_000 + "\n")
    ),
    "long-line.yaml": lambda: HEAD + "features: " + "a" * 20_000_000 + "\n",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The static files plus the generated ones, in one folder."""
    folder = tmp_path_factory.mktemp("hostile")
    for path in HOSTILE.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    for name, make in GENERATED.items():
        (folder / name).write_text(make(), encoding="utf-8")
    return folder


# ----------------------------------------------------------- the command line


def limit_memory() -> None:
    """In the child, before exec: cap its address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass(frozen=True)
class CheckRun:
    status: int
    output: str
    seconds: float


_runs: dict[Path, CheckRun] = {}


def check(path: Path) -> CheckRun:
    """`configurator catalog check PATH` in a bounded child process (one run per file)."""
    if path not in _runs:
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        started = time.perf_counter()
        result = subprocess.run(
            [str(CONFIGURATOR), "catalog", "check", str(path)],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S,
            preexec_fn=limit_memory,
            env=environment,
            check=False,
        )
        _runs[path] = CheckRun(
            result.returncode, result.stdout + result.stderr, time.perf_counter() - started
        )
    return _runs[path]


def case_id(case: Case) -> str:
    return f"{case.name}:{case.message[:30]}"


def params(cases):
    return [
        pytest.param(case, id=case_id(case), marks=[pytest.mark.slow] if case.slow else [])
        for case in cases
    ]


@pytest.mark.parametrize("case", params(CASES))
def test_check_reports_each_file_with_its_place(corpus, case):
    run = check(corpus / case.name)
    assert "Traceback" not in run.output
    assert run.status == case.status, run.output[-2000:]
    # Every message names the file; the expected one also names the place.
    pattern = re.compile(re.escape(str(corpus / case.name)) + r": .*" + case.message)
    assert pattern.search(run.output), run.output[-2000:]


def test_every_static_file_has_a_case():
    covered = {case.name for case in CASES}
    static = {path.name for path in HOSTILE.iterdir() if path.suffix in (".yaml", ".json")}
    assert static <= covered, f"no expectation for {sorted(static - covered)}"


# ---------------------------------------------------------------- the store


REFUSED = sorted({case.name for case in CASES if case.status != USABLE})


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[pytest.mark.slow] if name.startswith("long-") else [])
        for name in REFUSED
    ],
)
def test_a_refused_file_never_replaces_the_version_in_use(corpus, session, name):
    base = catalogs.load_file(session, corpus / "base-ok.yaml").version
    with pytest.raises(CatalogProblem) as refused:
        catalogs.load_file(session, corpus / name)
    assert refused.value.problems and all(
        problem.startswith(str(corpus / name)) for problem in refused.value.problems
    )
    session.rollback()
    assert catalogs.current(session, "hostile").id == base.id
    assert session.query(CatalogVersion).count() == 1


def test_an_unusable_catalog_with_a_readable_file_is_refused_too(corpus, session):
    """contradiction.yaml parses; only the check finds that nothing can be configured."""
    base = catalogs.load_file(session, corpus / "base-ok.yaml").version
    with pytest.raises(CatalogProblem, match="cannot be used"):
        catalogs.load_file(session, corpus / "contradiction.yaml")
    assert catalogs.current(session, "hostile").id == base.id


@pytest.mark.parametrize("name", ["alias-legal.yaml", "non-ascii-names.yaml"])
def test_legal_unusual_files_are_stored(corpus, session, name):
    version = catalogs.load_file(session, corpus / name).version
    assert catalogs.current(session, version.catalog_id).id == version.id


def test_the_command_line_load_keeps_the_version_in_use(corpus, tmp_path):
    """`configurator catalog load` with a good and a bad file: one line, the good one stays."""
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    environment = dict(os.environ, DATABASE_URL=database)

    def configurator(*args):
        return subprocess.run(
            [str(CONFIGURATOR), *args],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S,
            env=environment,
            check=False,
        )

    assert configurator("db", "upgrade").returncode == 0
    assert configurator("catalog", "load", str(corpus / "base-ok.yaml")).returncode == 0
    bad = configurator("catalog", "load", str(corpus / "numbers-out-of-range.yaml"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "price -5 is negative" in bad.stderr
    again = configurator("catalog", "load", str(corpus / "base-ok.yaml"))
    assert "hostile: version #1 (file version 1), unchanged" in again.stdout


def test_a_load_racing_another_takes_the_next_number(corpus, session, monkeypatch):
    """Two loads of one catalog at once: the loser of the number retries, nothing is lost."""
    first = catalogs.load_file(session, corpus / "base-ok.yaml").version
    looked = []
    real_highest = catalogs._highest_number

    def stale_once(session, catalog_id):
        # The first look misses the version another process has just stored.
        looked.append(catalog_id)
        return 0 if len(looked) == 1 else real_highest(session, catalog_id)

    monkeypatch.setattr(catalogs, "_highest_number", stale_once)
    changed = (corpus / "base-ok.yaml").read_text().replace("version: 1", "version: 2")
    racing = catalogs.load_text(session, changed, "base-ok-v2.yaml").version
    assert len(looked) == 2  # refused number 1 by the unique constraint, then took 2
    assert racing.number == 2
    assert [v.number for v in catalogs.versions(session, "hostile")] == [1, 2]
    assert catalogs.current(session, "hostile").id == racing.id != first.id
