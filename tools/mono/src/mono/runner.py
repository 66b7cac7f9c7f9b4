"""Run one task over many projects: dependency order, a worker cap, a log each, keep going."""

from __future__ import annotations

import graphlib
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from mono.errors import CommandFailed, Interrupted, MonoError
from mono.graph import Graph
from mono.proc import stop_all, tail_of
from mono.tasks import Outcome, Status

Task = Callable[[str, Path], Outcome]


@dataclass(frozen=True)
class TaskResult:
    """One project's result in a run."""

    project: str
    status: Status
    seconds: float
    log: Path
    detail: str = ""

    @property
    def failed(self) -> bool:
        """True when this project's work failed."""
        return self.status == "failed"


@dataclass(frozen=True)
class RunSummary:
    """Every project's result, in the order they finished."""

    command: str
    results: tuple[TaskResult, ...]

    @property
    def failed(self) -> tuple[TaskResult, ...]:
        """The results that failed."""
        return tuple(result for result in self.results if result.failed)


class Progress:
    """Receives events while a run goes on; the CLI renders them."""

    def started(self, project: str) -> None:
        """A project's task has started."""

    def finished(self, result: TaskResult, done: int, total: int) -> None:
        """A project's task has ended."""


def log_path(root: Path, command: str, project: str) -> Path:
    """Where one project's output for one command goes."""
    return root / ".mono" / "logs" / command / f"{project}.log"


def default_workers(configured: int) -> int:
    """The worker cap: the setting, else one per CPU."""
    return configured if configured > 0 else (os.cpu_count() or 1)


def _run_one(task: Task, project: str, log: Path, progress: Progress) -> TaskResult:
    progress.started(project)
    start = time.monotonic()
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("", encoding="utf-8")
        outcome = task(project, log)
    except CommandFailed as error:
        outcome = Outcome("failed", error.tail)
    except MonoError as error:
        outcome = Outcome("failed", str(error))
    except Exception as error:  # noqa: BLE001 - one project's crash must not stop the others
        outcome = Outcome("failed", f"{type(error).__name__}: {error}")
    detail = outcome.detail
    if outcome.status == "failed" and not detail and log.is_file():
        detail = tail_of(log.read_text(encoding="utf-8", errors="replace"))
    return TaskResult(project, outcome.status, time.monotonic() - start, log, detail)


def run_tasks(
    command: str,
    projects: list[str],
    graph: Graph,
    task: Task,
    root: Path,
    workers: int,
    progress: Progress | None = None,
) -> RunSummary:
    """Run `task` on every project, each after the selected projects it depends on."""
    progress = progress or Progress()
    selected = set(projects)
    sorter = graphlib.TopologicalSorter(
        {name: [d for d in graph.depends_on[name] if d in selected] for name in projects}
    )
    sorter.prepare()
    results: list[TaskResult] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(projects) or 1)))
    running: dict[Future[TaskResult], str] = {}
    try:
        while sorter.is_active():
            for name in sorted(sorter.get_ready()):
                running[pool.submit(_run_one, task, name, log_path(root, command, name), progress)] = name
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                result = future.result()
                results.append(result)
                progress.finished(result, len(results), len(projects))
                sorter.done(name)
    except BaseException as stopped:
        # Ctrl-C, or anything else that ends the run here (a broken pipe to the progress
        # output): nothing more starts, what runs is stopped and may clean up first.
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()
        pool.shutdown(wait=True)
        if isinstance(stopped, KeyboardInterrupt):
            raise Interrupted() from stopped
        raise
    pool.shutdown(wait=True)
    return RunSummary(command, tuple(results))
