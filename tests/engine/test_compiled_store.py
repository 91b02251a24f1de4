"""The compiled form kept on disk: read back when sound, rebuilt when missing, stale or corrupt."""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.engine import Catalog, CompiledStore
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
