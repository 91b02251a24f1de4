"""The draft editor's live check in worker processes (services.workbench.background_check):
the same answer as the check in this process, in stages (the findings, then the count),
kept by the text's fingerprint on disk for every web process, an older text's check
stopped halfway when a newer text of the same draft arrives, and a worker that dies
answered with a problem instead of a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from configurator.services.workbench import background_check, check_answers, check_workers, drafts
from tests.services.held_checks import (
    alive,
    die_when,
    dying_check,
    slow_check,
    wait_for,
    wait_in_a_temporary_folder,
)
from tests.services.workbench_factories import BIKE_TEXT, DRAFT_TEXT

WAIT = 60  # the first check starts the worker processes: seconds on a loaded machine


@pytest.fixture
def checks(tmp_path):
    """The live checks of one web process, answers kept in a folder of the test's own."""
    return background_check.DraftChecks(check_answers.CheckAnswers(tmp_path / "answers"))


def test_the_checks_run_in_other_processes():
    pids = {background_check.run_in_worker(os.getpid).result(timeout=WAIT) for _ in range(4)}
    assert os.getpid() not in pids and 1 <= len(pids) <= check_workers.BUSY + check_workers.SPARES


def test_a_workers_answer_is_the_check_of_this_process_without_the_catalog(checks):
    text = BIKE_TEXT.replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
    for checked in (text, DRAFT_TEXT):
        here = drafts.check_text(checked, "test-bike")
        there = checks.check_soon(checked, "test-bike", None)
        assert not there.pending and not there.counting and there.catalog is None
        assert (there.problems, there.findings, there.releasable) == (here.problems, here.findings, here.releasable)
        if here.report is not None:  # the report's timings differ, its findings do not
            assert (there.report.count, there.report.dead_options, there.report.usable) == (
                here.report.count, here.report.dead_options, here.report.usable)


def test_the_findings_come_first_and_the_count_after_them():
    """The first stage has every finding of the full check and no count; the last has the count."""
    dead = BIKE_TEXT.replace("  - id: courier-no-pallet", "  - id: no-steel\n    forbid: frame == steel\n"
                             "  - id: courier-no-pallet")
    stages = list(drafts.check_in_stages(dead, "test-bike"))
    assert [stage.counting for stage in stages] == [True, False]
    first, last = stages
    assert first.report.count is None and last.report.count is not None
    assert any("steel" in finding.text for finding in first.findings)
    assert (first.problems, first.findings) == (last.problems, last.findings)


def test_the_worker_sends_the_findings_before_the_count(tmp_path):
    parts = []
    done = check_workers.Job(background_check.check_in_worker, (BIKE_TEXT, "test-bike"), on_part=parts.append)
    finished = background_check.pool().run(int)  # the pool is up
    finished.result(timeout=WAIT)
    ended = []
    done.on_done = ended.append
    background_check.pool().submit(done)
    deadline = time.monotonic() + WAIT
    while not ended and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [part.counting for part in parts] == [True, False]
    assert parts[0].findings == parts[1].findings and parts[1].report.count > 0


def test_an_answer_is_kept_by_the_texts_fingerprint_also_for_another_process(checks, tmp_path):
    text = BIKE_TEXT.replace("price: 640.00", "price: 642.00")
    first = checks.check_soon(text, "test-bike", None)
    key = background_check.digest(text, "test-bike")
    assert first.key == key
    assert checks.ready(key) == first  # no wait: it is kept
    assert checks.check_soon(text, "test-bike", 0) == first
    assert checks.ready(background_check.digest(text, "other-line")) is None
    # Another web process (its own memory, the same folder) finds the answer on disk.
    other = background_check.DraftChecks(check_answers.CheckAnswers(tmp_path / "answers"))
    assert other.ready(key) == first


def test_a_stopped_pool_job_ends_its_process_and_the_next_job_runs_at_once(tmp_path):
    pool = check_workers.WorkerPool(busy=1, spares=1)
    try:
        assert pool.run(int).result(timeout=WAIT) == 0  # the processes are up
        errors = []
        held = check_workers.Job(wait_for, (str(tmp_path / "never"), WAIT), on_error=errors.append)
        pool.submit(held)
        deadline = time.monotonic() + WAIT
        while pool.running() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        before = set(pool.pids())
        pool.stop(held)
        assert pool.run(os.getpid).result(timeout=WAIT) in before  # the spare takes it: no new process to wait for
        assert len(errors) == 1 and isinstance(errors[0], check_workers.WorkerDied) and errors[0].stopped
        ended = [pid for pid in before if not alive(pid)]
        assert len(ended) == 1  # the held job's process, and only it
    finally:
        pool.shutdown()


def test_a_stopped_job_cleans_up_before_its_process_ends(tmp_path):
    """A stopped check in the middle of d4's compilation left d4's temporary folder behind."""
    pool = check_workers.WorkerPool(busy=1, spares=0)
    told = tmp_path / "folder"
    try:
        held = pool.submit(check_workers.Job(wait_in_a_temporary_folder, (str(told), str(tmp_path / "never"), WAIT)))
        deadline = time.monotonic() + WAIT
        while not (told.exists() and told.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        folder = Path(told.read_text())
        assert folder.is_dir()
        [worker] = pool.pids()
        pool.stop(held)
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(worker) and not folder.exists()
    finally:
        pool.shutdown()


def test_a_newer_text_of_the_same_draft_stops_the_older_texts_running_check(tmp_path):
    """The older text's check is running (held in its worker); the newer one stops it and is answered."""
    go = tmp_path / "go"
    checks = background_check.DraftChecks(check_answers.CheckAnswers(tmp_path / "answers"),
                                          background_check.pool, slow_check, str(go), WAIT)
    background_check.pool().run(int).result(timeout=WAIT)
    older, newer = (BIKE_TEXT.replace("price: 640.00", f"price: {p}") for p in ("646.00", "647.00"))
    other_line = BIKE_TEXT.replace("catalog: test-bike", "catalog: test-bike-2")
    assert checks.check_soon(older, "test-bike", 0.5, replaces=True).pending
    assert checks.check_soon(other_line, "test-bike-2", 0, replaces=True).pending
    running = set(background_check.pool().pids())
    older_key = background_check.digest(older, "test-bike")
    assert checks.answers.running(older_key)
    answer = checks.check_soon(newer, "test-bike", 0, replaces=True)
    assert answer.pending  # held like the others
    assert checks.ready(older_key) is None and not checks.answers.running(older_key)  # stopped: nobody checks it
    deadline = time.monotonic() + WAIT
    while all(alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(not alive(pid) for pid in running) == 1  # the older text's worker ended; the other line's runs on
    go.touch()
    assert checks.ready(answer.key, WAIT, shown_counting=True).releasable
    assert checks.ready(background_check.digest(other_line, "test-bike-2"), WAIT, shown_counting=True).releasable


def test_a_poll_reaching_another_process_waits_while_the_check_runs_there(tmp_path):
    go = tmp_path / "go"
    folder = tmp_path / "answers"
    here = background_check.DraftChecks(check_answers.CheckAnswers(folder), background_check.pool,
                                        slow_check, str(go), WAIT)
    there = background_check.DraftChecks(check_answers.CheckAnswers(folder))
    text = BIKE_TEXT.replace("price: 640.00", "price: 648.00")
    key = here.check_soon(text, "test-bike", 0).key
    assert there.ready(key, 0.2).pending  # running here: the other process says "checking…", not "send it again"
    go.touch()
    deadline = time.monotonic() + WAIT
    answer = there.ready(key, 0.5)
    while answer.pending and time.monotonic() < deadline:
        answer = there.ready(key, 0.5)
    assert not answer.pending and not answer.problems
    final = there.ready(key, WAIT, shown_counting=True)
    assert not final.counting and final.report.count > 0


def test_a_worker_that_dies_gives_a_problem_and_the_waiting_checks_go_on(tmp_path, checks):
    """The workers end abruptly (as the out-of-memory killer would end them) while a check waits."""
    background_check.run_in_worker(os.getpid).result(timeout=WAIT)  # the workers are up
    go = tmp_path / "die"
    dying = [background_check.run_in_worker(die_when, str(go), WAIT) for _ in range(check_workers.BUSY)]
    text = BIKE_TEXT.replace("price: 640.00", "price: 645.00")
    assert checks.check_soon(text, "test-bike", 0).pending
    go.touch()
    for job in dying:
        with pytest.raises(check_workers.WorkerDied):
            job.result(timeout=WAIT)
    waited = checks.check_soon(text, "test-bike", None)  # checked in a new process
    assert not waited.pending and waited.releasable


def test_a_check_whose_worker_dies_says_so(tmp_path):
    go = tmp_path / "die"
    go.touch()
    checks = background_check.DraftChecks(check_answers.CheckAnswers(tmp_path / "answers"),
                                          background_check.pool, dying_check, str(go), WAIT)
    [problem] = checks.check_soon(BIKE_TEXT, "test-bike", WAIT).problems
    assert "worker process ended" in problem.text



POOL_IN_A_CHILD = """
import sys, time
from configurator.services.workbench import check_workers
from tests.services.held_checks import wait_for

pool = check_workers.WorkerPool(busy=1, spares=1)
pool.run(int).result(timeout=300)
pool.submit(check_workers.Job(wait_for, (sys.argv[1], 3600)))  # busy for an hour
while pool.running() == 0:
    time.sleep(0.02)
print(*pool.pids(), flush=True)
time.sleep(3600)
"""


def test_the_workers_end_when_their_web_process_is_killed(tmp_path):
    """A web process killed with -9 runs no clean-up: its workers, the busy one too, must end by themselves."""
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", POOL_IN_A_CHILD, str(tmp_path / "never")], cwd=root,
                              stdout=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=WAIT)
        deadline = time.monotonic() + WAIT
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.stdout.close()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_warm_up_goes_through_both_stages_of_a_real_check():
    """A new worker warms up on a tiny catalog: it must be a valid one, or the grammar and solvers stay cold."""
    stages = list(drafts.check_in_stages(background_check.WARM_UP_TEXT, "warm-up"))
    assert [stage.counting for stage in stages] == [True, False]
    assert not stages[-1].problems and stages[-1].report.count == 2


def test_a_draft_in_json_is_read_as_json_with_the_same_findings():
    """A JSON draft (Renault's, automotive01) is read by the JSON reader, not the slow YAML one."""
    dead = BIKE_TEXT.replace("  - id: courier-no-pallet", "  - id: no-steel\n    forbid: frame == steel\n"
                             "  - id: courier-no-pallet")
    as_json = json.dumps(yaml.safe_load(dead), indent=2)
    here, there = drafts.check_text(dead, "test-bike"), drafts.check_text(as_json, "test-bike")
    assert [f.text for f in there.findings] == [f.text for f in here.findings] and there.findings
    assert there.report.count == here.report.count and there.report.path == "test-bike.json"
    assert all(f.line for f in there.findings)  # still at their lines
    broken = as_json.replace('"frame"', '"frame', 1)
    [problem] = drafts.check_text(broken, "test-bike").problems
    assert "test-bike.yaml" in problem.text and problem.line  # not JSON: the YAML reader says where
