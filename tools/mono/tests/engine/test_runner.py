from __future__ import annotations

import fcntl
import threading
import time
from pathlib import Path

import pytest

from mono.engine.runner import Outcome, TaskResult, run_tasks
from mono.model.graph import Graph
from mono.model.layout import log_path

GRAPH = Graph({"core": (), "util": ("core",), "web": ("util",), "study": ("core",), "lonely": ()})


class Recorder:
    def __init__(self, fail: set[str] | None = None, crash: set[str] | None = None) -> None:
        self.fail = fail or set()
        self.crash = crash or set()
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, name: str, log: Path) -> Outcome:
        with self.lock:
            self.started[name] = time.monotonic()
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.05)
        log.write_text(f"output of {name}\nlast line of {name}\n")
        with self.lock:
            self.active -= 1
            self.ended[name] = time.monotonic()
        if name in self.crash:
            raise RuntimeError("boom")
        return Outcome("failed") if name in self.fail else Outcome("passed")


def test_dependencies_finish_before_dependents_start(tmp_path: Path) -> None:
    task = Recorder()
    run_tasks("test", list(GRAPH.depends_on), GRAPH, task, tmp_path, workers=4)
    assert task.ended["core"] <= task.started["util"]
    assert task.ended["util"] <= task.started["web"]
    assert task.ended["core"] <= task.started["study"]


def test_worker_cap_is_respected_and_used(tmp_path: Path) -> None:
    task = Recorder()
    run_tasks("test", list(GRAPH.depends_on), GRAPH, task, tmp_path, workers=2)
    assert task.peak == 2
    single = Recorder()
    run_tasks("test", list(GRAPH.depends_on), GRAPH, single, tmp_path, workers=1)
    assert single.peak == 1


def test_keeps_going_past_a_failure_and_reports_the_log_tail(tmp_path: Path) -> None:
    task = Recorder(fail={"util"}, crash={"lonely"})
    summary = run_tasks("test", list(GRAPH.depends_on), GRAPH, task, tmp_path, workers=2)
    assert {result.project for result in summary.results} == set(GRAPH.depends_on)
    failed = {result.project: result for result in summary.failed}
    assert set(failed) == {"util", "lonely"}
    assert "last line of util" in failed["util"].detail
    assert "RuntimeError: boom" in failed["lonely"].detail
    assert failed["util"].log == tmp_path / ".mono" / "logs" / "test" / "util.log"
    assert failed["util"].log.read_text().startswith("output of util")


def test_only_selected_projects_run(tmp_path: Path) -> None:
    task = Recorder()
    summary = run_tasks("install", ["web", "lonely"], GRAPH, task, tmp_path, workers=2)
    assert sorted(result.project for result in summary.results) == ["lonely", "web"]
    assert all(isinstance(result, TaskResult) for result in summary.results)


def test_a_log_another_run_is_writing_is_waited_for_so_it_never_holds_two_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    graph = Graph({"web": ()})
    log = log_path(tmp_path, "build", "web")
    log.parent.mkdir(parents=True)
    log.write_text("the other run's first line\n")
    other_run = log.open("a")
    fcntl.flock(other_run, fcntl.LOCK_EX)  # another ./mono build of web is running

    def task(name: str, path: Path) -> Outcome:
        with path.open("a") as handle:
            handle.write("this run's line\n")
        return Outcome("ok")

    worker = threading.Thread(target=run_tasks, args=("build", ["web"], graph, task, tmp_path, 1))
    worker.start()
    time.sleep(0.5)
    other_run.write("the other run's last line\n")
    other_run.flush()
    assert log.read_text() == "the other run's first line\nthe other run's last line\n"  # untouched meanwhile
    other_run.close()
    worker.join(timeout=10)
    assert log.read_text() == "this run's line\n"
    assert "another ./mono is writing" in caplog.text
