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

from configurator.engine import (
    Catalog,
    CompiledStore,
    ddnnf,
    grid_count,
    jtree,
    layered,
    linear_count,
)
from configurator.engine.problems import Said
from configurator.services import catalogs
from configurator.services.configuring.wording import phrase_text
from configurator.services.workbench import drafts

PARTS = [{"id": f"f{i}", "name": f"F{i}", "dimension": "product", "choose": "one",
          "options": [{"id": f"o{j}", "name": f"O{j}", "price": 10 * i + j,
                       "attributes": {"weight": (i + j) % 4, "power": (2 * i + j) % 3}} for j in range(3)]}
         for i in range(5)]
TEXT = json.dumps({"catalog": "dense", "name": "Dense", "version": 1, "currency": "EUR", "features": PARTS,
                   "constraints": [{"id": "weight", "require": "sum(weight) <= 9"},
                                   {"id": "power", "if": "f0 == o2", "then": "sum(power) <= 4"}]})
REFUSED = ("the exact count could not be computed", "too many cases", "states", "the grid of totals needs",
           "the running-total tree")


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Budgets a five-part catalog outgrows: the tree, its layers, the linear counter and the grid refuse it."""
    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 20)
    monkeypatch.setattr(layered, "MAX_LAYER_STATES", 3)
    monkeypatch.setattr(linear_count, "MAX_STATES", 2)
    monkeypatch.setattr(linear_count, "MAX_SUFFIX_ROWS", 0)  # no meeting in the middle either
    monkeypatch.setattr(linear_count, "MAX_HALF_ROWS", 0)  # (neither at the cut nor in two halves)
    monkeypatch.setattr(grid_count, "MAX_CELLS", 0)  # nor the dense grid of totals


def english_words(message: Said) -> set[str]:
    """The words of the message's English templates (its own and those of the messages inside it)."""
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)s", "", message.code)))
    for value in message.params.values():
        if isinstance(value, Said):
            words |= english_words(value)
    return {word.lower() for word in words}


def assert_no_english(message: Said, language: str, expected: str) -> None:
    shown = phrase_text(catalogs.engine_text(message), language)
    assert expected in shown, shown
    left = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", shown)} & english_words(message)
    assert left == set(), (language, shown)


def _count_warning(check) -> Said:
    [warning] = [text for text in check.report.warnings if "could not be computed" in text]
    return warning


@pytest.mark.parametrize(("language", "expected"), [("fa", "حالت"), ("vi", "trạng thái")])
def test_a_refused_count_on_the_draft_check_is_in_the_readers_language(language, expected):
    check = drafts.check_text(TEXT, "dense")
    assert check.report.usable and check.report.stats["backend"] == "CP-SAT"
    warning = _count_warning(check)
    assert all(words in warning for words in REFUSED)  # the English catalog check prints, unchanged
    assert isinstance(warning, Said)
    assert_no_english(warning, language, expected)


@pytest.mark.parametrize(("language", "expected"), [("fa", "به یاد مانده"), ("vi", "ghi nhớ")])
def test_a_refusal_read_back_from_the_compiled_store_keeps_its_language(tmp_path, language, expected):
    store = CompiledStore(tmp_path)
    Catalog.from_text(TEXT, "dense.json").prepare(store).check()
    again = Catalog.from_text(TEXT, "dense.json").prepare(store).check()
    [warning] = [text for text in again.warnings if "could not be computed" in text]
    assert "remembered from an earlier count" in warning
    assert_no_english(warning, language, expected)


def test_numbers_in_a_limit_message_are_written_per_locale():
    warning = _count_warning(drafts.check_text(TEXT, "dense"))
    states = re.search(r"([0-9,]+) (?:reachable|candidate) states", warning).group(1).replace(",", "")
    persian = phrase_text(catalogs.engine_text(warning), "fa")
    assert states.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " حالت" in persian


def test_a_compile_limit_problem_is_in_the_readers_language():
    data = json.loads(TEXT)
    data["features"][0]["options"][0]["attributes"]["weight"] = 10**50
    check = drafts.check_text(json.dumps(data), "dense")
    [problem] = check.report.problems
    assert "the numeric term sum(weight) reaches totals beyond 9,223,372,036,854,775,807" in problem
    for language, expected in (("fa", "عبارت عددی"), ("vi", "số hạng")):
        assert_no_english(problem, language, expected)


def _wide_boolean() -> str:
    """A boolean catalog whose 24-literal group the junction tree refuses: d4 compiles it (or gives up)."""
    features = [{"id": f"g{i}", "name": f"G{i}", "dimension": "product", "choose": "optional",
                 "options": [{"id": "on", "name": "on", "price": i}]} for i in range(1, 25)]
    return json.dumps({"catalog": "wide", "name": "Wide", "version": 1, "currency": "EUR", "features": features,
                       "constraints": [{"id": "group", "require": " or ".join(f"g{i}" for i in range(1, 25))}]})


@pytest.mark.parametrize(("language", "expected"), [("fa", "به پایان نرسید"), ("vi", "không xong trong")])
def test_d4_giving_up_is_said_in_the_readers_language_also_when_remembered(tmp_path, monkeypatch, language,
                                                                          expected):
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)  # d4 cannot finish: the check falls back to SAT
    store = CompiledStore(tmp_path)
    for attempt in ("ran", "remembered"):
        report = Catalog.from_text(_wide_boolean(), "wide.json").prepare(store).check()
        [warning] = [text for text in report.warnings if "d-DNNF compiler gave up" in text]
        assert "d4 did not finish within 1e-06 s" in warning
        assert ("remembered from an earlier start" in warning) == (attempt == "remembered")
        shown = phrase_text(catalogs.engine_text(warning), language)
        assert expected in shown, shown
        for english in ("did not finish", "remembered", "was not run again", "compiler gave up"):
            assert english not in shown, (attempt, shown)
