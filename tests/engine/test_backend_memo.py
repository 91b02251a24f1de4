"""The backend chosen for a catalog is kept beside its compiled forms (`<fingerprint>.backend`).

A numeric catalog whose running totals outgrow the junction tree's and the
layers' budgets goes to CP-SAT; that attempt took 17-40 s of CPU on a
dense-sum catalog in every process that opened it. Kept, the next process
goes straight to CP-SAT (the tree is not attempted), and its count skips the
running-total route known to be refused. A damaged, stale or foreign record
is ignored and written again, never trusted. The budgets are lowered here so
that a small catalog takes that path for real.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bruteforce import Enumeration, model_from_text

from configurator.engine import Catalog, CompiledStore, CompileError, grid_count, jtree, layered
from configurator.engine import catalog as catalog_module
from configurator.engine import compiled as compiled_module
from configurator.engine.cpsat import CpSatSpace
from configurator.engine.linear_count import CountTooLarge, LinearCounter
from configurator.engine.problems import said_from_json

PICKS = {"f0": "o1"}


def _dense_sums(limit: int = 9) -> str:
    """Five parts with weight and power, two sum() rules and no price() rule (a small dense-sum catalog)."""
    features = [
        {"id": f"f{i}", "name": f"F{i}", "dimension": "product", "choose": "one",
         "options": [{"id": f"o{j}", "name": f"O{j}", "price": 10 * i + j,
                      "attributes": {"weight": (i + j) % 4, "power": (2 * i + j) % 3}} for j in range(3)]}
        for i in range(5)
    ]
    rules = [{"id": "weight", "require": f"sum(weight) <= {limit}"},
             {"id": "power", "if": "f0 == o2", "then": "sum(power) <= 4"}]
    return json.dumps({"catalog": "dense", "name": "Dense", "version": 1, "currency": "EUR",
                       "features": features, "constraints": rules})


TEXT = _dense_sums()


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
        other = Catalog.from_text(_dense_sums(limit=8), "dense.json").prepare(store)
        path.write_bytes((store.directory / f"{other.fingerprint}.backend").read_bytes())
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
    _damage(store, first.fingerprint, how)
    assert store.load_backend(first.fingerprint) is None
    attempts.count = 0
    again = Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1  # the tree was attempted again: the record was not trusted
    assert isinstance(again.tree, CpSatSpace)
    assert store.load_backend(first.fingerprint)["reason"] == catalog_module.REASON_TOTALS  # sound again
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    assert attempts.count == 1


def test_a_record_is_read_for_its_own_catalog_text_only(store, attempts):
    """Another text (here: only a price changed) is another fingerprint: its backend is chosen anew."""
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    Catalog.from_text(TEXT.replace('"price": 11', '"price": 12'), "dense.json").prepare(store)
    assert attempts.count == 2
    assert len(list(Path(store.directory).glob("*.backend"))) == 2


def test_a_forced_backend_neither_reads_nor_writes_the_record(store, attempts):
    Catalog.from_text(TEXT, "dense.json").prepare(store)
    forced = Catalog.from_text(TEXT, "dense.json", backend="junction-tree")
    with pytest.raises(CompileError, match="too many cases"):
        forced.prepare(store)  # the forced tree is attempted, and refused, whatever the record says
    assert attempts.count == 2
