"""Catalog versions: a changed file becomes a new version; old records keep theirs."""

import pytest

from configurator.services import catalogs
from configurator.services.configuring import configurations
from configurator.services.errors import CatalogProblem, NotFound
from tests.conftest import DATA
from tests.helpers import gen_configuration, gen_user


def test_loading_twice_keeps_one_version(session):
    first = catalogs.load_file(session, DATA / "bike.yaml")
    again = catalogs.load_file(session, DATA / "bike.yaml")
    assert first.created and not again.created
    assert again.version.id == first.version.id
    assert first.version.number == 1 and first.version.name == "Test bike"


def test_a_changed_file_becomes_a_new_version(session, bike):
    second = catalogs.load_file(session, DATA / "bike-v2.yaml")
    assert second.created and second.version.number == 2
    assert catalogs.current(session, "test-bike").id == second.version.id
    assert [v.number for v in catalogs.versions(session, "test-bike")] == [1, 2]
    assert [v.number for v in catalogs.current_versions(session)] == [2]


def test_reverting_a_file_is_a_new_version_too(session, bike):
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    third = catalogs.load_file(session, DATA / "bike.yaml")
    assert third.created and third.version.number == 3
    assert third.version.fingerprint == bike.fingerprint


def test_old_configurations_keep_their_version(session, bike):
    configuration = gen_configuration(session, gen_user(session))
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    latest = configurations.latest_revision(session, configuration)
    assert latest.catalog_version_id == bike.id


def test_a_broken_catalog_is_refused_with_its_problems(session, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        (DATA / "bike.yaml")
        .read_text()
        .replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
    )
    with pytest.raises(CatalogProblem) as caught:
        catalogs.load_file(session, path)
    assert any("drum" in problem for problem in caught.value.problems)
    assert catalogs.current_versions(session) == []


def test_unknown_catalog(session):
    with pytest.raises(NotFound):
        catalogs.current(session, "nope")


@pytest.mark.parametrize("catalog_id", ["test-bike\x00", "x" * 65, "tab\there"])
def test_text_that_cannot_be_a_catalog_id_is_not_found(session, bike, catalog_id):
    with pytest.raises(NotFound, match="no product line"):
        catalogs.current(session, catalog_id)


def test_a_stored_version_is_compiled_once_onto_disk_and_read_back(session, tmp_path, monkeypatch):
    """Storing a version writes its compiled form; after a restart the shop reads it, not a compile."""
    monkeypatch.setenv("CONFIGURATOR_COMPILED_DIR", str(tmp_path / "compiled"))
    result = catalogs.load_file(session, DATA / "bike.yaml")
    store = catalogs.compiled_store()
    assert store.holds(result.version.fingerprint)

    catalogs._cache.clear()  # as after a restart

    def no_compile(problem):
        raise AssertionError("compiled again although the compiled form is on disk")

    monkeypatch.setattr("configurator.engine.catalog.solution_space", no_compile)
    [warmed] = catalogs.warm(session)
    assert warmed.fingerprint == result.version.fingerprint
    assert warmed.domains({}).consistent
