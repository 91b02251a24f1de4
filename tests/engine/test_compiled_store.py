"""The compiled form kept on disk: read back when sound, rebuilt when missing, stale or corrupt."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from agreement import INSTALMENTS

from configurator.engine import Catalog, CompiledStore, bounded, ddnnf, grid_count
from configurator.engine import catalog as catalog_module

TINY = (Path(__file__).parent / "data" / "tiny.yaml").read_text(encoding="utf-8")
PICKS = {"frame": "carbon"}


class Compiles:
    """Counts the compiles `Catalog` runs (by wrapping its `solution_space`)."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = catalog_module.solution_space

        def counted(problem):
            self.count += 1
            return real(problem)

        monkeypatch.setattr(catalog_module, "solution_space", counted)


@pytest.fixture
def compiles(monkeypatch) -> Compiles:
    return Compiles(monkeypatch)


@pytest.fixture
def store(tmp_path) -> CompiledStore:
    """A store with the tiny catalog compiled into it."""
    store = CompiledStore(tmp_path / "compiled")
    Catalog.from_text(TINY, "tiny.yaml").prepare(store)
    return store


def _answers(catalog: Catalog):
    state = catalog.domains(PICKS)
    return state.domains, state.may_be_empty, catalog.count(), catalog.complete(PICKS).price


def test_a_stored_compiled_form_is_read_back_without_compiling(store, compiles):
    fresh = Catalog.from_text(TINY, "tiny.yaml")
    fresh.prepare(store)
    assert compiles.count == 0
    assert _answers(fresh) == _answers(Catalog.from_text(TINY, "tiny.yaml"))


def test_preparing_writes_one_file_per_catalog_text(store):
    changed = TINY.replace("price: 500", "price: 510")
    Catalog.from_text(changed, "tiny.yaml").prepare(store)
    files = sorted(store.directory.glob("*.compiled"))
    assert [f.name for f in files] == sorted(
        f"{Catalog.from_text(text).fingerprint}.compiled" for text in (TINY, changed)
    )


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    header, _, payload = data.partition(b"\n")
    if how == "flipped byte":
        middle = len(payload) // 2
        payload = payload[:middle] + bytes([payload[middle] ^ 0xFF]) + payload[middle + 1:]
        path.write_bytes(header + b"\n" + payload)
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "other engine":
        fields = header.split(b" ")
        fields[2] = b"0" * len(fields[2])
        path.write_bytes(b" ".join(fields) + b"\n" + payload)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "another catalog":
        other = Catalog.from_text(TINY.replace("price: 500", "price: 999"), "tiny.yaml")
        other_store = CompiledStore(path.parent / "other")
        other.prepare(other_store)
        path.write_bytes(other_store.path(other.fingerprint).read_bytes())


@pytest.mark.parametrize("how", ["flipped byte", "truncated", "other engine", "empty", "another catalog"])
def test_a_damaged_or_stale_file_is_rebuilt_not_trusted(store, compiles, how):
    fresh = Catalog.from_text(TINY, "tiny.yaml")
    path = store.path(fresh.fingerprint)
    _damage(path, how)
    compiles.count = 0
    assert not store.holds(fresh.fingerprint)
    fresh.prepare(store)
    assert compiles.count == 1
    assert store.holds(fresh.fingerprint)  # rewritten, sound again
    again = Catalog.from_text(TINY, "tiny.yaml").prepare(store)
    assert compiles.count == 1  # read back this time
    assert _answers(again) == _answers(fresh)
    assert fresh.count() == 30  # tiny.yaml's hand-counted figure, as in test_properties


# ------------------------------------------------- d4's circuit kept on disk


def _wide_catalog() -> str:
    """A boolean catalog whose one 24-literal rule the junction tree refuses (a feature-model group)."""
    features = [
        {"id": f"f{i}", "name": f"F{i}", "dimension": "product", "choose": "optional",
         "options": [{"id": "on", "name": "on", "price": i}]}
        for i in range(1, 25)
    ]
    rule = " or ".join(f"f{i}" for i in range(1, 25))
    data = {"catalog": "wide", "name": "Wide", "version": 1, "currency": "EUR", "features": features,
            "constraints": [{"id": "group", "require": rule}, {"id": "pair", "require": "not f1 or f2"}]}
    return json.dumps(data)


def _boolean_answers(catalog: Catalog):
    state = catalog.domains({"f3": "on"})
    return state.domains, state.may_be_empty, catalog.count(), catalog.complete({}).price


def test_a_stored_circuit_is_read_back_instead_of_running_d4(tmp_path, monkeypatch):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    first = Catalog.from_text(text, "wide.json").prepare(store)
    assert first.boolean is not None and not first.boolean.fallback_reason
    assert (store.directory / f"{first.fingerprint}.nnf").exists()
    # d4 can no longer compile anything: only the stored circuit can give a d-DNNF now
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)
    again = Catalog.from_text(text, "wide.json").prepare(store)
    assert again.boolean.stats()["backend"] == "d-DNNF (d4)"
    assert _boolean_answers(again) == _boolean_answers(first)
    without_store = Catalog.from_text(text, "wide.json")
    assert without_store.boolean.fallback_reason  # the limit holds: that one fell back to SAT


def test_a_damaged_circuit_file_is_compiled_again(tmp_path):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    first = Catalog.from_text(text, "wide.json").prepare(store)
    path = store.directory / f"{first.fingerprint}.nnf"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # one bit flipped in the circuit
    path.write_bytes(bytes(data))
    assert store.load_circuit(first.fingerprint) is None
    again = Catalog.from_text(text, "wide.json").prepare(store)
    assert not again.boolean.fallback_reason
    assert _boolean_answers(again) == _boolean_answers(first)
    assert store.load_circuit(first.fingerprint) is not None  # rewritten whole


# ------------------------------------------------- a draft reuses a released version's circuit


def _files(store: CompiledStore) -> set[str]:
    return {path.name for path in store.directory.iterdir()}


def test_a_draft_differing_only_in_prices_and_names_reuses_the_released_circuit(tmp_path, monkeypatch):
    """The circuit depends on the CNF alone: a draft with other prices and names takes the released
    version's without running d4, and writes nothing; a draft with another rule runs d4."""
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    released = Catalog.from_text(text, "wide.json").prepare(store)
    kept = _files(store)
    runs = D4Runs(monkeypatch)
    priced = text.replace('"price": 3}', '"price": 33}').replace('"name": "F5"', '"name": "Five"')
    draft = Catalog.from_text(priced, "wide.json").reuse_circuits(store)
    assert draft.boolean.stats()["backend"] == "d-DNNF (d4)" and runs.count == 0
    assert draft.count() == released.count()
    assert draft.complete({"f3": "on"}).price != released.complete({"f3": "on"}).price  # its own prices
    assert _files(store) == kept
    ruled = text.replace('"not f1 or f2"', '"not f1 or f3"')
    other = Catalog.from_text(ruled, "wide.json").reuse_circuits(store)
    assert not other.boolean.fallback_reason and runs.count == 1 and _files(store) == kept


def test_a_version_stored_before_circuits_were_kept_by_their_cnf_keeps_it_when_read(tmp_path, monkeypatch):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    Catalog.from_text(text, "wide.json").prepare(store)
    for path in store.directory.glob("cnf-*.nnf"):
        path.unlink()
    Catalog.from_text(text, "wide.json").prepare(store).boolean  # read back from its fingerprint's file
    runs = D4Runs(monkeypatch)
    draft = Catalog.from_text(text.replace('"price": 3}', '"price": 4}'), "wide.json").reuse_circuits(store)
    assert not draft.boolean.fallback_reason and runs.count == 0


# ------------------------------------------------- d4's failure remembered


class D4Runs:
    """Counts the times `Catalog` starts d4 (by wrapping its `compile_cnf`)."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = catalog_module.compile_cnf

        def counted(dimacs, *args, **kwargs):
            self.count += 1
            return real(dimacs, *args, **kwargs)

        monkeypatch.setattr(catalog_module, "compile_cnf", counted)


def test_a_d4_failure_is_remembered_so_the_next_start_does_not_wait_for_it(tmp_path, monkeypatch):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    runs = D4Runs(monkeypatch)
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)  # d4 cannot finish: it fails as on a too-hard catalog
    first = Catalog.from_text(text, "wide.json").prepare(store)
    assert first.boolean.fallback_reason and runs.count == 1
    assert store.load_failure(first.fingerprint)["seconds"] == 1e-6
    again = Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 1  # the next process went straight to SAT
    assert "remembered" in again.boolean.fallback_reason
    assert _boolean_answers(again) == _boolean_answers(first)
    assert any("remembered" in warning for warning in again.check().warnings)


def test_more_room_for_d4_or_a_damaged_record_tries_d4_again(tmp_path, monkeypatch):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    runs = D4Runs(monkeypatch)
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)
    failed = Catalog.from_text(text, "wide.json").prepare(store)
    path = store.directory / f"{failed.fingerprint}.d4-failed"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))
    assert store.load_failure(failed.fingerprint) is None  # damaged: not trusted
    Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 2 and store.load_failure(failed.fingerprint) is not None
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 20)  # more time than the failure had: worth a new try
    compiled = Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 3
    assert compiled.boolean.stats()["backend"] == "d-DNNF (d4)"
    assert _boolean_answers(compiled) == _boolean_answers(failed)


def _rewrite_failure(store: CompiledStore, fingerprint: str, **changes) -> None:
    """Write the remembered failure again with some of its fields changed (as an older record would be)."""
    record = store.load_failure(fingerprint)
    record.update(changes)
    store.save_failure(fingerprint, record["reason"], record["seconds"], record["memory"],
                       at=record["at"], d4=record["d4"])


def test_a_remembered_d4_failure_expires_after_a_week_or_under_another_d4(tmp_path, monkeypatch):
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    runs = D4Runs(monkeypatch)
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)  # every try fails, so each try writes a fresh record
    first = Catalog.from_text(text, "wide.json").prepare(store)
    record = store.load_failure(first.fingerprint)
    assert runs.count == 1 and record["d4"] == ddnnf.d4_version()
    assert abs(record["at"] - time.time()) < 600

    _rewrite_failure(store, first.fingerprint, at=record["at"] - ddnnf.FAILURE_KEPT_SECONDS + 3600)
    Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 1  # six days and 23 hours old: still trusted

    _rewrite_failure(store, first.fingerprint, at=record["at"] - ddnnf.FAILURE_KEPT_SECONDS - 1)
    Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 2  # a week old: d4 ran again
    assert store.load_failure(first.fingerprint)["at"] > record["at"] - 1  # and the record is new

    _rewrite_failure(store, first.fingerprint, d4="0.0-older")
    Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 3  # written under another d4: tried again

    _rewrite_failure(store, first.fingerprint, at=time.time() + 86400)
    Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 4  # dated in the future (a clock set back): not trusted either


def test_a_failure_record_without_its_date_is_tried_again(tmp_path, monkeypatch):
    """Records written before the date and d4 version were kept expire at once."""
    text = _wide_catalog()
    store = CompiledStore(tmp_path / "compiled")
    runs = D4Runs(monkeypatch)
    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 1e-6)
    first = Catalog.from_text(text, "wide.json").prepare(store)
    old = json.dumps({"reason": "d4 did not finish", "seconds": 1e-6, "memory": ddnnf.COMPILE_MEMORY_BYTES})
    store._write(first.fingerprint, "d4-failed", old.encode("utf-8"))
    again = Catalog.from_text(text, "wide.json").prepare(store)
    assert runs.count == 2 and "remembered" not in again.boolean.fallback_reason


def test_the_count_of_a_priced_catalog_is_kept_with_its_compiled_form(tmp_path, monkeypatch):
    """The DP over price totals runs when the version is stored, not at each `catalog check`.

    (A small dense grid of totals counts before that DP: kept off here, see test_grid_count.py.)"""
    monkeypatch.setattr(grid_count, "GRID_FIRST_WORK", 0)
    store = CompiledStore(tmp_path / "compiled")
    Catalog.from_text(INSTALMENTS, "priced.yaml").prepare(store)
    runs = []
    real = bounded._Programme.run
    monkeypatch.setattr(bounded._Programme, "run", lambda self, *args, **kw: runs.append(1) or real(self, *args, **kw))
    fresh = Catalog.from_text(INSTALMENTS, "priced.yaml").prepare(store)
    assert isinstance(fresh.tree, bounded.BoundedSpace)
    # 4 on card; on instalments only carbon with disc brakes (600 EUR) reaches 550 EUR
    assert fresh.count() == 5
    assert runs == []
    assert Catalog.from_text(INSTALMENTS, "priced.yaml").count() == 5  # from scratch: the DP runs
    assert runs
