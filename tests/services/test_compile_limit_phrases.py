"""The engine's compile-limit and budget messages reach the workbench in the reader's language.

A draft whose running totals outgrow every budget still checks as usable
(CP-SAT answers), but its count is refused with the reason: the layers' and
the tree's limits, the count's own. Those reasons were English f-strings; they
are `said(...)` messages now, kept with their codes through the compiled
store's files too. Budgets are lowered so that a five-part catalog takes
those paths in a fraction of a second.
"""

from __future__ import annotations

import json
import re

import pytest

from configurator.engine import Catalog, CompiledStore
from configurator.engine.problems import Said
from configurator.services.workbench import drafts
from tests.services.limit_catalogs import (
    DENSE_TEXT,
    english_left,
    shown_in,
    shrink_budgets,
)

REFUSED = ("the exact count could not be computed", "too many cases", "states", "the grid of totals needs",
           "the running-total tree")


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Budgets a five-part catalog outgrows: the tree, its layers, the linear counter and the grid refuse it."""
    shrink_budgets(monkeypatch)


def assert_no_english(message: Said, language: str, expected: str) -> None:
    assert expected in shown_in(message, language), shown_in(message, language)
    assert english_left(message, language) == set(), (language, shown_in(message, language))


def _count_warning(check) -> Said:
    [warning] = [text for text in check.report.warnings if "could not be computed" in text]
    return warning


@pytest.mark.parametrize(("language", "expected"), [("fa", "حالت"), ("vi", "trạng thái")])
def test_a_refused_count_on_the_draft_check_is_in_the_readers_language(language, expected):
    check = drafts.check_text(DENSE_TEXT, "dense")
    assert check.report.usable and check.report.stats["backend"] == "CP-SAT"
    warning = _count_warning(check)
    assert all(words in warning for words in REFUSED)  # the English catalog check prints, unchanged
    assert isinstance(warning, Said)
    assert_no_english(warning, language, expected)


@pytest.mark.parametrize(("language", "expected"), [("fa", "به یاد مانده"), ("vi", "ghi nhớ")])
def test_a_refusal_read_back_from_the_compiled_store_keeps_its_language(tmp_path, language, expected):
    store = CompiledStore(tmp_path)
    Catalog.from_text(DENSE_TEXT, "dense.json").prepare(store).check()
    again = Catalog.from_text(DENSE_TEXT, "dense.json").prepare(store).check()
    [warning] = [text for text in again.warnings if "could not be computed" in text]
    assert "remembered from an earlier count" in warning
    assert_no_english(warning, language, expected)


def test_numbers_in_a_limit_message_are_written_per_locale():
    warning = _count_warning(drafts.check_text(DENSE_TEXT, "dense"))
    states = re.search(r"([0-9,]+) (?:reachable|candidate) states", warning).group(1).replace(",", "")
    persian = shown_in(warning, "fa")
    assert states.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " حالت" in persian


def test_a_compile_limit_problem_is_in_the_readers_language():
    data = json.loads(DENSE_TEXT)
    data["features"][0]["options"][0]["attributes"]["weight"] = 10**50
    check = drafts.check_text(json.dumps(data), "dense")
    [problem] = check.report.problems
    assert "the numeric term sum(weight) reaches totals beyond 9,223,372,036,854,775,807" in problem
    for language, expected in (("fa", "عبارت عددی"), ("vi", "số hạng")):
        assert_no_english(problem, language, expected)
