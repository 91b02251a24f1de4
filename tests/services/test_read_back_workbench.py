"""The catalog workbench's use cases, read back through a second session:
drafts apart from the shop, release / rollback / schedule as one transaction
each (a failed one changes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from configurator.services import catalogs
from configurator.services.configuring import configurations
from configurator.services.errors import CatalogProblem, NotFound
from configurator.services.workbench import drafts, form, releases
from configurator.store.models import CatalogVersion, Configuration
from configurator.store.releases import CatalogRelease
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.read_back import reads_back
from tests.services.workbench_factories import (
    BIKE_TEXT,
    DRAFT_TEXT,
    NOW,
    count_rows,
    gen_catalog_manager,
    gen_large_draft,
)


@pytest.fixture
def manager(session):
    return gen_catalog_manager(session)


# ------------------------------------------------------------------ drafts


@reads_back(drafts.start, drafts.save)
def test_a_saved_draft_never_changes_what_customers_see(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    with second_session() as other:
        draft = drafts.find(other, "test-bike")
        assert draft.source_text == DRAFT_TEXT and draft.base_version_id == bike.id
        assert catalogs.current(other, "test-bike").id == bike.id
        assert count_rows(other, CatalogVersion) == 1


def test_a_broken_draft_is_kept_all_the_same(session, bike, manager):
    broken = BIKE_TEXT.replace("brakes in [disc_hydraulic]", "brakes in [drum]")
    drafts.save(session, "test-bike", broken, manager)
    assert drafts.find(session, "test-bike").source_text == broken


def test_a_draft_over_2_mib_is_kept_whole(session, second_session, bike, manager):
    """Renault big is 6.9 MB: a draft may be as large as MAX_DRAFT_CHARS (16 MiB), no longer 2 MiB."""
    large = gen_large_draft(7 * 1024 * 1024)
    drafts.save(session, "test-bike", large, manager)
    with second_session() as other:
        assert drafts.find(other, "test-bike").source_text == large


def test_a_draft_over_the_limit_is_refused_and_nothing_changes(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    with pytest.raises(CatalogProblem, match="longer than"):
        drafts.save(session, "test-bike", "#" * (drafts.MAX_DRAFT_CHARS + 1), manager)
    with second_session() as other:
        assert drafts.find(other, "test-bike").source_text == DRAFT_TEXT


def test_starting_a_draft_of_an_unknown_line_is_not_found(session, manager):
    with pytest.raises(NotFound):
        drafts.start(session, "nope", manager)


@reads_back(drafts.discard)
def test_discarding_a_draft(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    drafts.discard(session, "test-bike")
    with second_session() as other:
        assert drafts.find(other, "test-bike") is None


@reads_back(form.save_edit)
def test_an_edit_saved_from_the_form_is_the_draft_and_not_the_shop(session, second_session, bike, manager):
    edit = form.Edit("option", "price", "700", feature="frame", option="carbon")
    form.save_edit(session, "test-bike", manager, edit)
    with second_session() as other:
        text = drafts.find(other, "test-bike").source_text
        assert text == BIKE_TEXT.replace("price: 640.00}", "price: 700.00}")
        assert catalogs.current(other, "test-bike").id == bike.id
        assert count_rows(other, CatalogVersion) == 1


# ------------------------------------------------------------------ release


@reads_back(releases.release)
def test_a_release_makes_the_draft_current_with_its_note(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    entry = releases.release(session, "test-bike", manager, "Carbon costs more; steel retired.", NOW)
    with second_session() as other:
        current = catalogs.current(other, "test-bike")
        assert current.number == 2 and current.source_text == DRAFT_TEXT
        [logged] = releases.log(other, "test-bike")
        assert (logged.id, logged.kind, logged.status) == (entry.id, "release", "done")
        assert logged.note == "Carbon costs more; steel retired."
        assert logged.actor_id == manager.id and logged.version_id == current.id
        assert drafts.find(other, "test-bike") is None


@pytest.mark.parametrize("note", ["", "   ", "x" * 501])
def test_a_release_needs_a_note(session, bike, manager, note):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    with pytest.raises(releases.ReleaseRefused):
        releases.release(session, "test-bike", manager, note, NOW)
    assert catalogs.current(session, "test-bike").id == bike.id


def test_a_draft_with_problems_is_not_released(session, second_session, bike, manager):
    drafts.save(session, "test-bike", BIKE_TEXT.replace("[disc_hydraulic]", "[drum]"), manager)
    with pytest.raises(CatalogProblem) as caught:
        releases.release(session, "test-bike", manager, "try", NOW)
    assert any("drum" in text for text in caught.value.problems)
    with second_session() as other:
        assert catalogs.current(other, "test-bike").id == bike.id
        assert count_rows(other, CatalogRelease) == 0


def test_an_unchanged_draft_is_not_released(session, bike, manager):
    drafts.start(session, "test-bike", manager)
    with pytest.raises(releases.ReleaseRefused, match="nothing to release"):
        releases.release(session, "test-bike", manager, "same", NOW)
    assert count_rows(session, CatalogVersion) == 1


def test_a_release_that_fails_halfway_changes_nothing(session, second_session, bike, manager, monkeypatch):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    real_release_text = releases._release_text

    def fail_after_storing(*args, **kwargs):
        real_release_text(*args, **kwargs)  # the version and the log entry are flushed...
        raise RuntimeError("the database went away")  # ...and then the release fails

    monkeypatch.setattr(releases, "_release_text", fail_after_storing)
    with pytest.raises(RuntimeError):
        releases.release(session, "test-bike", manager, "doomed", NOW)
    with second_session() as other:
        assert catalogs.current(other, "test-bike").id == bike.id
        assert count_rows(other, CatalogVersion) == 1
        assert count_rows(other, CatalogRelease) == 0
        assert drafts.find(other, "test-bike").source_text == DRAFT_TEXT


# ------------------------------------------------------------------ rollback


@reads_back(releases.roll_back)
def test_a_rollback_makes_the_version_before_current_again(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    releases.release(session, "test-bike", manager, "v2", NOW)
    customer = gen_user(session)
    made_with_new = gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["kickstand"]))
    releases.roll_back(session, "test-bike", manager, "Kickstands are not in stock.", NOW + timedelta(hours=1))
    with second_session() as other:
        assert catalogs.current(other, "test-bike").id == bike.id
        assert [v.number for v in catalogs.current_versions(other)] == [1]
        withdrawn = catalogs.versions(other, "test-bike")[1]
        assert withdrawn.withdrawn_at == NOW + timedelta(hours=1)
        configuration = other.get(Configuration, made_with_new.id)
        assert configurations.latest_revision(other, configuration).catalog_version_id == withdrawn.id
        [rolled, released] = releases.log(other, "test-bike")
        assert rolled.kind == "rollback" and rolled.version_id == bike.id
        assert "Kickstands are not in stock." in rolled.note and released.kind == "release"


def test_the_only_version_cannot_be_rolled_back(session, second_session, bike, manager):
    with pytest.raises(releases.ReleaseRefused, match="only version"):
        releases.roll_back(session, "test-bike", manager, "oops", NOW)
    with second_session() as other:
        assert catalogs.current(other, "test-bike").withdrawn_at is None


def test_after_a_rollback_the_next_release_takes_a_new_number(session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    releases.release(session, "test-bike", manager, "v2", NOW)
    releases.roll_back(session, "test-bike", manager, "back", NOW)
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    entry = releases.release(session, "test-bike", manager, "v2 again", NOW)
    assert entry.version.number == 3
    assert catalogs.current(session, "test-bike").number == 3


# ------------------------------------------------------------------ schedule


@reads_back(releases.schedule, releases._apply_one)
def test_a_scheduled_release_happens_when_due_on_the_given_clock(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    due = NOW + timedelta(days=2)
    releases.schedule(session, "test-bike", manager, "New season", due, now=NOW)
    drafts.save(session, "test-bike", BIKE_TEXT.replace("Test bike", "Edited later"), manager)
    assert releases.apply_due(session, now=due - timedelta(seconds=1)) == []
    assert catalogs.current(session, "test-bike").id == bike.id
    [done] = releases.apply_due(session, now=due)
    with second_session() as other:
        current = catalogs.current(other, "test-bike")
        assert current.source_text == DRAFT_TEXT  # as scheduled, not the later edit
        entry = other.get(CatalogRelease, done.id)
        assert (entry.status, entry.version_id, entry.done_at) == ("done", current.id, due)
    assert releases.apply_due(session, now=due + timedelta(days=1)) == []


@reads_back(releases._mark_failed)
def test_a_scheduled_release_that_cannot_happen_is_marked_failed(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    releases.schedule(session, "test-bike", manager, "later", NOW + timedelta(hours=1), now=NOW)
    releases.release(session, "test-bike", manager, "now after all", NOW)  # the same text, released
    assert releases.apply_due(session, now=NOW + timedelta(hours=2)) == []
    with second_session() as other:
        scheduled = [e for e in releases.log(other, "test-bike") if e.due_at is not None]
        assert scheduled[0].status == "failed" and "same" in scheduled[0].error
        assert catalogs.current(other, "test-bike").number == 2


@pytest.mark.parametrize("due", [NOW, NOW - timedelta(days=1), datetime(2027, 1, 1)])
def test_a_schedule_must_be_in_the_future_and_in_utc(session, bike, manager, due):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    with pytest.raises(releases.ReleaseRefused):
        releases.schedule(session, "test-bike", manager, "when?", due, now=NOW)
    assert count_rows(session, CatalogRelease) == 0


@reads_back(releases.cancel)
def test_a_scheduled_release_can_be_cancelled(session, second_session, bike, manager):
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    entry = releases.schedule(session, "test-bike", manager, "later", NOW + timedelta(hours=1), now=NOW)
    with pytest.raises(NotFound):
        releases.cancel(session, entry.id, "other-line")
    releases.cancel(session, entry.id, "test-bike", now=NOW)
    assert releases.apply_due(session, now=NOW + timedelta(days=1)) == []
    with second_session() as other:
        assert other.get(CatalogRelease, entry.id).status == "cancelled"
        assert catalogs.current(other, "test-bike").id == bike.id


@reads_back(form.save_edit)
def test_a_feature_added_and_removed_in_the_form_is_read_back(session, second_session, bike, manager):
    form.save_edit(session, "test-bike", manager,
                   form.Edit("feature", "add", "Saddle", feature="saddle", option="comfort"))
    with second_session() as other:
        text = drafts.find(other, "test-bike").source_text
        assert "  - id: saddle\n    name: Saddle\n" in text and "{id: comfort, name: comfort, price: 0.00}" in text
        assert "saddle" not in catalogs.current(other, "test-bike").source_text
    form.save_edit(session, "test-bike", manager, form.Edit("feature", "remove", feature="saddle"))
    with second_session() as other:
        assert drafts.find(other, "test-bike").source_text == BIKE_TEXT
    with pytest.raises(CatalogProblem, match="still used by rule carbon-needs-disc"):
        form.save_edit(session, "test-bike", manager, form.Edit("feature", "remove", feature="brakes"))
    with second_session() as other:
        assert drafts.find(other, "test-bike").source_text == BIKE_TEXT
