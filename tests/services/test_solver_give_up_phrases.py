"""Why d4 gave up, and the count's internal check, reach the workbench in the reader's language.

d4's child process ends with an English line of its own (`MemoryError:
std::bad_alloc`, or nothing when a signal killed it). The sentence the reader
gets is a `said(...)` message of ours: running out of time or memory is said
outright; otherwise d4's last line is kept after the sentence, as d4 wrote it.
The count's internal check that the linear and running-total forms number the
variables alike was plain English too. Both keep their codes in the compiled
store's records (`.d4-failed`), so a remembered failure is translated as well.
"""

from __future__ import annotations

import dataclasses
import signal
import sys

import pytest

from configurator.engine import Catalog, CompiledStore, ddnnf
from configurator.engine.ddnnf import gave_up
from configurator.engine.problems import Said
from tests.services.limit_catalogs import (
    DENSE_TEXT,
    english_left,
    shown_in,
    shrink_budgets,
    wide_boolean,
)

# Units, signals and solvers named alike in every language the pages speak
ALIKE = frozenset({"mib", "sigkill", "dnnf", "sat", "ganak"})

# (the limit d4 meets, its value, the English reason, words of its Persian and its Vietnamese)
LIMITS = [
    (
        "COMPILE_SECONDS",
        1e-6,
        "d4 did not finish within 1e-06 s",
        "به پایان نرسید",
        "không xong trong",
    ),
    # below the address space d4 reserves up front
    (
        "COMPILE_MEMORY_BYTES",
        256 * 2**20,
        "d4 ran out of memory within its limit of 256 MiB",
        "حافظهٔ d4 در سقف ۲۵۶ مگابایت",
        "d4 hết bộ nhớ trong giới hạn 256 MiB",
    ),
]


@pytest.mark.parametrize(("limit", "value", "english", "persian", "vietnamese"), LIMITS)
def test_d4_giving_up_is_said_in_the_readers_language_also_when_remembered(
    tmp_path, monkeypatch, limit, value, english, persian, vietnamese
):
    monkeypatch.setattr(ddnnf, limit, value)  # d4 gives up: the check falls back to SAT
    store = CompiledStore(tmp_path)
    for attempt in ("ran", "remembered"):
        report = Catalog.from_text(wide_boolean(), "wide.json").prepare(store).check()
        [warning] = [text for text in report.warnings if "d-DNNF compiler gave up" in text]
        assert english in warning, warning
        assert ("remembered from an earlier start" in warning) == (attempt == "remembered")
        for language, expected in (("fa", persian), ("vi", vietnamese)):
            assert expected in shown_in(warning, language), (attempt, shown_in(warning, language))
            assert english_left(warning, language, alike=ALIKE) == set(), (attempt, language)


@pytest.mark.parametrize(
    ("returncode", "stderr", "english", "persian", "vietnamese"),
    [
        (
            -signal.SIGKILL,
            b"",
            "d4 was stopped by signal SIGKILL",
            "با سیگنال SIGKILL",
            "tín hiệu SIGKILL",
        ),
        (
            1,
            b"c some statistics\nterminate: odd solver state\n",
            "d4 stopped with exit code 1; its last line (as d4 wrote it): terminate: odd solver state",
            "آخرین سطر آن",
            "dòng cuối của nó",
        ),
        (
            3,
            b"  \n",
            "d4 stopped with exit code 3 and no message",
            "بی هیچ پیامی",
            "không có thông báo",
        ),
    ],
)
def test_each_way_d4_stops_is_a_translated_sentence(
    returncode, stderr, english, persian, vietnamese
):
    reason = gave_up(returncode, stderr, 6 * 2**30)
    assert reason == english and isinstance(reason, Said)
    for language, expected in (("fa", persian), ("vi", vietnamese)):
        assert expected in shown_in(reason, language)
        assert english_left(reason, language, alike=ALIKE) == set(), shown_in(reason, language)
    if b"odd solver state" in stderr:  # d4's own line is kept, as d4 wrote it, as a detail
        assert "terminate: odd solver state" in shown_in(reason, "fa")


@pytest.fixture
def running_totals_numbered_apart(monkeypatch):
    """Budgets the dense catalog outgrows up to the running-total tree, whose form is then
    compiled with two features' variables swapped: the count's internal check must refuse it."""
    shrink_budgets(monkeypatch)
    catalog_module = sys.modules[Catalog.__module__]
    compile_model = catalog_module.compile_model

    def swapped(model, **options):
        problem = compile_model(model, **options)
        if options:  # the linear (or price-lifted) form stays as it is
            return problem
        first, second, *rest = problem.feature_var.items()
        numbered = dict([(first[0], second[1]), (second[0], first[1]), *rest])
        return dataclasses.replace(problem, feature_var=numbered)

    monkeypatch.setattr(catalog_module, "compile_model", swapped)


@pytest.mark.parametrize(("language", "expected"), [("fa", "خطای درونی"), ("vi", "lỗi nội bộ")])
def test_the_counts_internal_check_is_said_in_the_readers_language(
    running_totals_numbered_apart, language, expected
):
    report = Catalog.from_text(DENSE_TEXT, "dense.json", backend="CP-SAT").check()
    [warning] = [text for text in report.warnings if "could not be computed" in text]
    internal = "internal error: the linear and running-total forms number the variables differently"
    assert internal in warning
    assert expected in shown_in(warning, language)
    assert english_left(warning, language) == set(), shown_in(warning, language)
