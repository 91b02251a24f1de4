"""The draft editor's live check in worker processes (services.workbench.background_check):
the same answer as the check in this process, from another process, kept by the
text's fingerprint, a stale waiting text of the same line dropped, and a
worker that dies answered with a problem instead of a hang."""

from __future__ import annotations

import os

from configurator.services.workbench import background_check, drafts
from tests.services.held_checks import checks_held, die_when
from tests.services.workbench_factories import BIKE_TEXT, DRAFT_TEXT

WAIT = 60  # the first check starts the worker processes: seconds on a loaded machine


def test_the_checks_run_in_other_processes():
    pids = {background_check.run_in_worker(os.getpid).result(timeout=WAIT) for _ in range(4)}
    assert os.getpid() not in pids and 1 <= len(pids) <= background_check.WORKERS


def test_a_workers_answer_is_the_check_of_this_process_without_the_catalog():
    text = BIKE_TEXT.replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
    for checked in (text, DRAFT_TEXT):
        here = drafts.check_text(checked, "test-bike")
        there = background_check.check_soon(checked, "test-bike", WAIT)
        assert not there.pending and there.catalog is None
        assert (there.problems, there.findings, there.releasable) == (here.problems, here.findings, here.releasable)
        if here.report is not None:  # the report's timings differ, its findings do not
            assert (there.report.count, there.report.dead_options, there.report.usable) == (
                here.report.count, here.report.dead_options, here.report.usable)


def test_an_answer_is_kept_by_the_texts_fingerprint():
    text = BIKE_TEXT.replace("price: 640.00", "price: 642.00")
    first = background_check.check_soon(text, "test-bike", WAIT)
    key = background_check.digest(text, "test-bike")
    assert background_check.ready(key) == first  # no wait: it is kept
    assert background_check.check_soon(text, "test-bike", 0) == first
    assert background_check.ready(background_check.digest(text, "other-line")) is None


def test_a_waiting_text_is_dropped_when_a_newer_one_of_the_same_line_arrives(tmp_path):
    older, newer = (BIKE_TEXT.replace("price: 640.00", f"price: {p}") for p in ("643.00", "644.00"))
    other_line = BIKE_TEXT.replace("catalog: test-bike", "catalog: test-bike-2")
    with checks_held(tmp_path):
        assert background_check.check_soon(older, "test-bike", 0).pending
        assert background_check.check_soon(other_line, "test-bike-2", 0).pending
        waiting = background_check.check_soon(newer, "test-bike", 0)
        assert waiting.pending and waiting.key == background_check.digest(newer, "test-bike")
        assert background_check.ready(background_check.digest(older, "test-bike")) is None  # cancelled
        assert background_check.ready(background_check.digest(other_line, "test-bike-2")).pending
    assert background_check.ready(waiting.key, WAIT).releasable
    assert background_check.ready(background_check.digest(other_line, "test-bike-2"), WAIT).releasable


def test_a_worker_that_dies_gives_a_problem_and_the_waiting_checks_go_on(tmp_path):
    """The workers end abruptly (as the out-of-memory killer would end them) while a check waits."""
    background_check.run_in_worker(os.getpid).result(timeout=WAIT)  # the workers are up
    go = tmp_path / "die"
    dying = [background_check.run_in_worker(die_when, str(go), WAIT) for _ in range(background_check.WORKERS)]
    text = BIKE_TEXT.replace("price: 640.00", "price: 645.00")
    assert background_check.check_soon(text, "test-bike", 0).pending
    go.touch()
    for job in dying:  # what was running when its worker died: a problem for the page
        [problem] = background_check._answer("gone", job, WAIT).problems
        assert "worker process ended" in problem.text
    waited = background_check.check_soon(text, "test-bike", WAIT)  # checked in a new pool
    assert not waited.pending and waited.releasable
