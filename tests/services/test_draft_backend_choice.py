"""A draft's live check reuses the backend chosen for its shape (engine/shape.py).

A catalog that only CP-SAT answers (its running totals outgrow the tree's and
the layers' budgets, lowered here so that a five-part catalog takes that path
for real) cost its draft that refused attempt at every check, since each
edit is a new text. Now the first check keeps the choice in the compiled
store by the catalog's shape, and the next texts of the same shape (an edited
name, message or price) go straight to CP-SAT; a text of another shape (a
rule removed, so that the tree fits) gets the tree.
"""

from __future__ import annotations

import pytest

from configurator.engine import catalog as catalog_module
from configurator.engine import jtree, layered
from configurator.services import catalogs
from configurator.services.workbench import drafts
from tests.engine.bruteforce import Enumeration, model_from_text
from tests.engine.dense_catalogs import RENAMED, TEXT, WITHOUT_POWER


@pytest.fixture(autouse=True)
def compiled(tmp_path, monkeypatch):
    """A compiled store of its own, with budgets a five-part catalog's running totals outgrow."""
    monkeypatch.setenv("CONFIGURATOR_COMPILED_DIR", str(tmp_path / "compiled"))
    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 20)
    monkeypatch.setattr(layered, "MAX_LAYER_STATES", 3)
    return catalogs.compiled_store()


@pytest.fixture
def attempts(monkeypatch) -> list:
    """Each attempt at the running-total tree (CP-SAT's linear form is not one)."""
    made: list = []
    real = catalog_module.solution_space

    def counted(problem):
        if not problem.linear:
            made.append(problem)
        return real(problem)

    monkeypatch.setattr(catalog_module, "solution_space", counted)
    return made


def _stages(text: str) -> list[drafts.DraftCheck]:
    return list(drafts.check_in_stages(text, "dense", "dense.json"))


def test_the_second_check_of_an_edited_draft_does_not_attempt_the_tree(compiled, attempts):
    first = _stages(TEXT)
    assert first[-1].releasable and first[-1].report.stats["backend"] == "CP-SAT"
    assert len(attempts) == 1
    edited = _stages(RENAMED)
    assert len(attempts) == 1  # the edit kept the shape: CP-SAT at once
    findings, answer = edited  # CP-SAT's findings first, then its count
    assert findings.counting and findings.report.count is None
    assert (findings.problems, findings.findings) == (answer.problems, answer.findings)
    assert answer.releasable and answer.report.stats["backend"] == "CP-SAT"
    assert answer.report.count == Enumeration(model_from_text(RENAMED), None).count
    assert (answer.problems, answer.findings) == (first[-1].problems, first[-1].findings)


def test_a_draft_edited_so_that_the_tree_fits_gets_the_tree(compiled, attempts):
    _stages(TEXT)
    answer = _stages(WITHOUT_POWER)[-1]
    assert len(attempts) == 2 and "backend" not in answer.report.stats
    assert answer.report.count == Enumeration(model_from_text(WITHOUT_POWER), None).count


def test_the_try_it_panel_takes_the_choice_of_the_drafts_check(compiled, attempts):
    _stages(TEXT)
    catalog = drafts._parsed(RENAMED, "dense")
    assert catalog is not None and catalog.uses_cp_sat
    assert len(attempts) == 1
