"""The backend chosen for a catalog is kept beside its compiled forms (`<fingerprint>.backend`).

A numeric catalog whose running totals outgrow the junction tree's and the
layers' budgets goes to CP-SAT; that attempt took 17-40 s of CPU on a
dense-sum catalog in every process that opened it. Kept, the next process
goes straight to CP-SAT (the tree is not attempted), and its count skips the
running-total route known to be refused. The record is kept by the catalog's
shape too, where the next texts of a draft and its released version find it.
A damaged, stale or foreign record is ignored and written again, never trusted. The budgets are lowered here so
that a small catalog takes that path for real.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bruteforce import Enumeration, model_from_text
from dense_catalogs import RENAMED, TEXT, WITHOUT_POWER, dense_sums

from configurator.engine import Catalog, CompiledStore, CompileError, grid_count, jtree, layered
from configurator.engine import catalog as catalog_module
from configurator.engine import compiled as compiled_module
from configurator.engine.cpsat import CpSatSpace
from configurator.engine.linear_count import CountTooLarge, LinearCounter
from configurator.engine.problems import said_from_json
from configurator.engine.quick_check import check_without_count

PICKS = {"f0": "o1"}




@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Budgets a five-part catalog's running totals outgrow: the tree and its layers refuse them."""
    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 20)
    monkeypatch.setattr(layered, "MAX_LAYER_STATES", 3)


class TreeAttempts:
    """Counts the attempts at the running-total tree: the solution space of a compiled form with
    running totals (CP-SAT's linear form, whose comparisons are free 0/1 variables, is not one)."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = catalog_module.solution_space

        def counted(problem):
            self.count += not problem.linear
            return real(problem)

        monkeypatch.setattr(catalog_module, "solution_space", counted)


@pytest.fixture
def attempts(monkeypatch) -> TreeAttempts:
    return TreeAttempts(monkeypatch)


@pytest.fixture
def store(tmp_path) -> CompiledStore:
    return CompiledStore(tmp_path / "compiled")


def _answers(catalog: Catalog):
    state = catalog.domains(PICKS)
    return state.domains, state.may_be_empty, catalog.count(), catalog.complete(PICKS).price


def test_the_choice_of_cp_sat_is_kept_and_the_next_prepare_skips_the_tree(store, attempts):
    first = Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1 and isinstance(first.tree, CpSatSpace)
    record = store.load_backend(first.fingerprint)
    assert record["backend"] == "CP-SAT"
    assert record["reason"] == catalog_module.REASON_TOTALS == first.backend_reason
    assert "too many cases" in said_from_json(record["refused"])
    again = Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1  # not attempted again
    assert isinstance(again.tree, CpSatSpace) and again.backend_reason == catalog_module.REASON_TOTALS
    assert _answers(again) == _answers(first)
    assert again.count() == Enumeration(model_from_text(TEXT), None).count
    assert again.check().stats["backend_reason"] == catalog_module.REASON_TOTALS  # catalog check --json says why


def test_without_a_store_every_catalog_attempts_the_tree(attempts):
    Catalog.from_text(TEXT, "dense.json").prepare()
    Catalog.from_text(TEXT, "dense.json").prepare()
    assert attempts.count == 2


def test_a_kept_refusal_spares_the_count_the_running_total_route(store, monkeypatch):
    """Past the linear counter's and the grid's budgets the count builds the running totals; known refused,
    it does not."""
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    monkeypatch.setattr(LinearCounter, "count", _refused_count)
    monkeypatch.setattr(grid_count, "MAX_CELLS", 0)
    built = []
    real = catalog_module.compile_model
    monkeypatch.setattr(catalog_module, "compile_model",
                        lambda model, **kw: built.append(kw) or real(model, **kw))
    again = Catalog.from_text(TEXT, "dense.json").prepare(store)
    with pytest.raises(CompileError, match="too many cases"):
        again.count({"segment": "business"})
    assert built == [{"linear": True}]  # the linear form only: the running totals were never built


def _refused_count(self, evidence):
    raise CountTooLarge("9,999,999 test states after f2")


def test_a_catalog_the_tree_holds_keeps_no_backend_record(store, monkeypatch):
    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 3_000_000)
    catalog = Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert not isinstance(catalog.tree, CpSatSpace)
    assert store.load_backend(catalog.fingerprint) is None and catalog.backend_reason is None


def _damage(store: CompiledStore, fingerprint: str, how: str) -> None:
    """Damage the record kept under `fingerprint` (a catalog's, or its shape's: shape.py) in the way named."""
    path = store.directory / f"{fingerprint}.backend"
    data = path.read_bytes()
    header, _, payload = data.partition(b"\n")
    fields = header.split(b" ")
    if how == "truncated":
        path.write_bytes(data[: len(data) - 20])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "other engine version":
        fields[2] = b"0" * len(fields[2])
        path.write_bytes(b" ".join(fields) + b"\n" + payload)
    elif how == "compiled-form version":  # the choice's digest also covers catalog.py: ENGINE alone is stale
        fields[2] = compiled_module.ENGINE
        path.write_bytes(b" ".join(fields) + b"\n" + payload)
    elif how == "another catalog's record":
        other = Catalog.from_text(dense_sums(limit=8), "dense.json").prepare(store)
        theirs = other.shape if fingerprint.startswith("shape-") else other.fingerprint
        path.write_bytes((store.directory / f"{theirs}.backend").read_bytes())
    elif how in ("unknown backend", "unreadable refusal"):
        record = json.loads(payload)
        if how == "unknown backend":
            record["backend"] = "d-DNNF"
        else:
            record["refused"] = {"code": "%(missing)s states", "params": {"other": 1}}
        _rewrite(store, fingerprint, record)


def _rewrite(store: CompiledStore, fingerprint: str, record: dict) -> None:
    """A record with a sound header and checksum around a payload the engine never writes."""
    store._write(fingerprint, "backend", json.dumps(record).encode(), compiled_module.CHOICE)


@pytest.mark.parametrize("how", ["truncated", "empty", "other engine version", "compiled-form version",
                                 "another catalog's record", "unknown backend", "unreadable refusal"])
def test_a_damaged_stale_or_foreign_record_is_ignored_and_written_again(store, attempts, how):
    first = Catalog.from_text(TEXT, "dense.json").prepare(store)
    for kept_as in (first.fingerprint, first.shape):  # the text's record and its shape's (shape.py)
        _damage(store, kept_as, how)
        assert store.load_backend(kept_as) is None
    attempts.count = 0
    again = Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1  # the tree was attempted again: the record was not trusted
    assert isinstance(again.tree, CpSatSpace)
    for kept_as in (first.fingerprint, first.shape):  # sound again
        assert store.load_backend(kept_as)["reason"] == catalog_module.REASON_TOTALS
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1


def test_a_record_is_read_for_its_own_catalog_text_or_shape_only(store, attempts):
    """Another text is another fingerprint. Of the same shape (here: only a price changed, and no rule reads
    prices) it takes the choice kept by shape; of another shape (a bound changed) its backend is chosen anew."""
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    repriced = Catalog.from_text(TEXT.replace('"price": 11', '"price": 12'), "dense.json").prepare(store)
    assert attempts.count == 1 and isinstance(repriced.tree, CpSatSpace)
    Catalog.from_text(dense_sums(limit=8), "dense.json").prepare(store)
    assert attempts.count == 2
    assert len(list(Path(store.directory).glob("shape-*.backend"))) == 2
    assert len(list(Path(store.directory).glob("*.backend"))) == 5  # and one per text


def test_a_forced_backend_neither_reads_nor_writes_the_record(store, attempts):
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    forced = Catalog.from_text(TEXT, "dense.json", backend="junction-tree")
    with pytest.raises(CompileError, match="too many cases"):
        forced.prepare(store)  # the forced tree is attempted, and refused, whatever the record says
    assert attempts.count == 2


# ------------------------------------------------------------------ drafts: the choice kept by shape
# A draft gets a new fingerprint with every edit; the choice is also kept under the catalog's shape
# (shape.py: what the compilers read), where the draft's next texts and its released version meet it.



def _draft(text: str, store: CompiledStore) -> Catalog:
    """A text as the workbench checks a draft (drafts._draft_catalog): no prepare, the store shared."""
    return Catalog.from_text(text, "dense.json").share_backend_choice(store)


def _compiled_forms(monkeypatch) -> list[dict]:
    """The forms compile_model builds from now on, by their options (`linear`: CP-SAT's, without totals)."""
    built: list[dict] = []
    real = catalog_module.compile_model
    monkeypatch.setattr(catalog_module, "compile_model", lambda model, **kw: built.append(kw) or real(model, **kw))
    return built


def test_a_drafts_next_text_of_the_same_shape_does_not_attempt_the_tree(store, attempts, monkeypatch):
    first = _draft(TEXT, store)
    assert first.check().stats["backend_reason"] == catalog_module.REASON_TOTALS
    assert attempts.count == 1
    assert store.load_backend(first.shape)["reason"] == catalog_module.REASON_TOTALS
    assert store.load_backend(first.fingerprint) is None  # a draft's text is not kept as a version
    built = _compiled_forms(monkeypatch)
    edited = _draft(RENAMED, store)
    assert edited.fingerprint != first.fingerprint and edited.shape == first.shape
    early = check_without_count(edited)  # the draft's first stage: CP-SAT's findings, without the count
    report = edited.check()
    assert early.count is None and (early.usable, early.dead_options) == (report.usable, report.dead_options)
    assert attempts.count == 1  # the tree was not attempted for the edited text
    assert built == [{"linear": True}]  # nor were its running totals built (the quick check's SAT reads them)
    assert report.usable and report.stats["backend_reason"] == catalog_module.REASON_TOTALS
    assert report.count == Enumeration(model_from_text(RENAMED), None).count
    assert _answers(edited) == _answers(Catalog.from_text(RENAMED, "dense.json"))  # as if chosen afresh


def test_a_rule_removed_that_makes_the_tree_fit_gets_the_tree(store, attempts):
    _draft(TEXT, store).check()
    fitting = _draft(WITHOUT_POWER, store)
    report = fitting.check()
    assert attempts.count == 2  # another shape: judged afresh
    assert not isinstance(fitting.tree, CpSatSpace) and "backend" not in report.stats
    assert report.count == Enumeration(model_from_text(WITHOUT_POWER), None).count
    assert store.load_backend(fitting.shape) is None  # the tree's success is not kept: it is the default


def test_the_released_versions_choice_reaches_its_drafts(store, attempts):
    released = Catalog.from_text(TEXT, "dense.json").prepare(store)
    (store.directory / f"{released.shape}.backend").unlink()  # kept before choices were kept by shape
    Catalog.from_text(TEXT, "dense.json").prepare(store)  # the server's next start reads it by fingerprint...
    assert attempts.count == 1
    assert store.load_backend(released.shape) is not None  # ...and keeps it by shape too
    _draft(RENAMED, store).check()
    assert attempts.count == 1


def test_a_release_takes_the_choice_its_draft_kept(store, attempts):
    _draft(TEXT, store).check()
    released = Catalog.from_text(RENAMED, "dense.json").prepare(store)
    assert attempts.count == 1 and isinstance(released.tree, CpSatSpace)
    assert store.load_backend(released.fingerprint)["reason"] == catalog_module.REASON_TOTALS


@pytest.mark.parametrize("how", ["truncated", "other engine version", "another catalog's record", "unknown backend"])
def test_a_draft_ignores_a_damaged_or_foreign_shape_record_and_keeps_a_sound_one(store, attempts, how):
    first = _draft(TEXT, store)
    first.check()
    _damage(store, first.shape, how)
    attempts.count = 0
    edited = _draft(RENAMED, store)
    assert edited.check().stats["backend_reason"] == catalog_module.REASON_TOTALS
    assert attempts.count == 1  # attempted again: the record was not trusted
    assert store.load_backend(first.shape)["reason"] == catalog_module.REASON_TOTALS  # sound again
    _draft(TEXT, store).check()
    assert attempts.count == 1


def test_a_draft_whose_store_takes_nothing_is_still_checked(tmp_path, attempts):
    (tmp_path / "compiled").write_text("a file where the folder should be")
    draft = _draft(TEXT, CompiledStore(tmp_path / "compiled"))
    assert draft.check().count == Enumeration(model_from_text(TEXT), None).count
    assert attempts.count == 1


class Counts:
    """Counts the linear counter's counts (the route these catalogs' counts take)."""

    def __init__(self, monkeypatch):
        self.made = 0
        real = LinearCounter.count

        def counted(counter, evidence):
            self.made += 1
            return real(counter, evidence)

        monkeypatch.setattr(LinearCounter, "count", counted)


def test_a_drafts_next_text_of_the_same_shape_takes_its_count(store, monkeypatch):
    counts = Counts(monkeypatch)
    assert _draft(TEXT, store).check().count == Enumeration(model_from_text(TEXT), None).count
    assert counts.made == 1
    assert _draft(RENAMED, store).check().count == Enumeration(model_from_text(RENAMED), None).count
    assert counts.made == 1  # the same shape counts the same: not counted again
    tighter = dense_sums(limit=8)  # another shape: counted, and it counts fewer
    assert _draft(tighter, store).check().count == Enumeration(model_from_text(tighter), None).count
    assert counts.made == 2 and Enumeration(model_from_text(tighter), None).count < _draft(TEXT, store).count()


def test_a_count_kept_by_another_shape_is_not_taken(store, monkeypatch):
    counts = Counts(monkeypatch)
    first, other = _draft(TEXT, store), _draft(dense_sums(limit=8), store)
    first.check(), other.check()
    (store.directory / f"{first.shape}.count").write_bytes((store.directory / f"{other.shape}.count").read_bytes())
    assert _draft(RENAMED, store).check().count == Enumeration(model_from_text(RENAMED), None).count
    assert counts.made == 3
