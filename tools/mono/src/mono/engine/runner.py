"""Run one task over many projects: dependency order, a worker cap, a log each, keep going."""

from __future__ import annotations

import contextlib
import graphlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.errors import CommandFailed, Interrupted, MonoError, NoLogFolder
from mono.external.logs import own_log
from mono.external.proc import stop_all, tail_of
from mono.model.graph import Graph
from mono.model.layout import log_path
from mono.model.names import is_valid_name, shown_name
from mono.model.project import Workspace
from mono.repo.state import exclusive


def note_in_log(log: Path | None, text: str) -> None:
    """A line of the tool's own in a project's log (private to its owner, as proc's logs are)."""
    if log is None or not text:
        return
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


logger = logging.getLogger("mono")

# How one project's task ended: "ok" (work done), "up to date"/"cached" (nothing to do),
# "passed"/"no tests" (a test run), "skipped" (nothing this project can do; `detail` says why),
# "failed".
Status = Literal["ok", "passed", "cached", "no tests", "up to date", "skipped", "failed"]


@dataclass(frozen=True)
class SuiteCounts:
    """What one pytest run did, test by test; `skip_reasons` holds (reason, how many)."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reasons: tuple[tuple[str, int], ...] = ()

    def __add__(self, other: SuiteCounts) -> SuiteCounts:
        reasons = dict(self.skip_reasons)
        for reason, count in other.skip_reasons:
            reasons[reason] = reasons.get(reason, 0) + count
        return SuiteCounts(
            self.passed + other.passed,
            self.failed + other.failed,
            self.skipped + other.skipped,
            tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        )


@dataclass(frozen=True)
class Outcome:
    """How one task on one project ended; `detail` says why when it is not plain success;
    `tests` what its tests did, when it ran tests."""

    status: Status
    detail: str = ""
    tests: SuiteCounts | None = None


Task = Callable[[str, Path], Outcome]


@dataclass(frozen=True)
class TaskResult:
    """One project's result in a run."""

    project: str
    status: Status
    seconds: float
    log: Path
    detail: str = ""
    tests: SuiteCounts | None = None

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

    # (A factory of these, as a context manager, is what commands take: see ProgressFactory.)

    def started(self, project: str) -> None:
        """A project's task has started."""

    def finished(self, result: TaskResult, done: int, total: int) -> None:
        """A project's task has ended."""


def default_workers(configured: int) -> int:
    """The worker cap: the setting, else one per CPU."""
    return configured if configured > 0 else (os.cpu_count() or 1)


def _run_one(task: Task, project: str, log: Path, progress: Progress) -> TaskResult:
    progress.started(project)
    start = time.monotonic()
    with own_log(
        log, lambda: logger.warning("%s: another ./mono is writing %s; waiting for it to finish", project, log)
    ) as turn:
        try:
            outcome = task(project, log)
        except CommandFailed as error:
            outcome = Outcome("failed", error.tail)
        except MonoError as error:
            outcome = Outcome("failed", str(error))
        except Exception as error:  # noqa: BLE001 - one project's crash must not stop the others
            outcome = Outcome("failed", f"{type(error).__name__}: {error}")
        detail = outcome.detail
        turn.failed = outcome.status == "failed"
        if outcome.status == "failed" and not detail and log.is_file():
            detail = tail_of(log.read_text(encoding="utf-8", errors="replace"))
    return TaskResult(project, outcome.status, time.monotonic() - start, log, detail, outcome.tests)


def _sorter(projects: list[str], graph: Graph) -> graphlib.TopologicalSorter[str]:
    """Each selected project after the selected projects it depends on."""
    selected = set(projects)
    sorter = graphlib.TopologicalSorter(
        {name: [d for d in graph.depends_on[name] if d in selected] for name in projects}
    )
    sorter.prepare()
    return sorter


def _stop_everything(pool: ThreadPoolExecutor) -> None:
    """Nothing more starts; what runs is stopped and may clean up first."""
    pool.shutdown(wait=False, cancel_futures=True)
    stop_all()
    pool.shutdown(wait=True)


def run_tasks(
    command: str,
    projects: list[str],
    graph: Graph,
    task: Task,
    root: Path,
    workers: int,
    progress: Progress | None = None,
    read_only: bool = False,
) -> RunSummary:
    """Run `task` on every project, each after the selected projects it depends on; a
    `read_only` command's logs go outside the repository (see `_log_folder`)."""
    logs = _log_folder(root, command, projects[0], read_only) if projects else None

    def log_of(name: str) -> Path:
        return logs / log_path(root, command, name).name if logs else log_path(root, command, name, read_only)

    summary: RunSummary | None = None
    try:
        summary = _run_in_order(command, projects, graph, task, log_of, workers, progress or Progress())
        return summary
    finally:
        if logs and not (summary and summary.failed):
            shutil.rmtree(logs, ignore_errors=True)  # kept only when a failure names a log in it


def _run_in_order(
    command: str,
    projects: list[str],
    graph: Graph,
    task: Task,
    log_of: Callable[[str], Path],
    workers: int,
    progress: Progress,
) -> RunSummary:
    sorter = _sorter(projects, graph)
    results: list[TaskResult] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(projects) or 1)))
    running: dict[Future[TaskResult], str] = {}
    try:
        while sorter.is_active():
            for name in sorted(sorter.get_ready()):
                running[pool.submit(_run_one, task, name, log_of(name), progress)] = name
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()
                results.append(result)
                progress.finished(result, len(results), len(projects))
                sorter.done(running.pop(future))
    except BaseException as stopped:
        # Ctrl-C, or anything else that ends the run here (a broken pipe to the progress output).
        _stop_everything(pool)
        if isinstance(stopped, KeyboardInterrupt):
            raise Interrupted() from stopped
        raise
    pool.shutdown(wait=True)
    return RunSummary(command, tuple(results))


def _log_folder(root: Path, command: str, project: str, read_only: bool) -> Path | None:
    """None when the logs go where `log_path` says; else a temporary folder of this run's own,
    for a read-only command whose place for logs in the user's cache folder cannot be written
    (a read-only home, HOME=/nonexistent): the command still works on a read-only machine."""
    if not read_only:
        return None
    usual = log_path(root, command, project, read_only=True).parent
    with contextlib.suppress(OSError):
        usual.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.access(usual, os.W_OK):
            return None
    try:
        return Path(tempfile.mkdtemp(prefix=f"mono-{command}-logs-"))
    except OSError as error:
        raise NoLogFolder([usual, Path(tempfile.gettempdir())]) from error


ProgressFactory = Callable[[], AbstractContextManager[Progress]]


def _refusing_invalid_names(workspace: Workspace, task: Task) -> Task:
    """`task`, but a project whose name is not a distribution name fails at once, saying why:
    Poetry cannot lock, install or build it (the others still run)."""

    def guarded(name: str, log: Path) -> Outcome:
        if is_valid_name(name):
            return task(name, log)
        shown = workspace.projects[name].pyproject_shown
        return Outcome(
            "failed",
            f"{shown_name(name)} is not a valid distribution name, so Poetry cannot work on it (rename it in {shown})",
        )

    return guarded


def run_work(
    command: str,
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    task: Task,
    workers: int | None,
    progress: ProgressFactory | None = None,
    on_wait: Callable[[str], None] | None = None,
    read_only: bool = False,
) -> RunSummary:
    """`run_tasks` for a command: the worker cap from the settings unless given; with `on_wait`,
    under the work lock (commands that write venvs or state), saying whom it waits for. The
    progress display starts once the lock is held. A `read_only` command never takes the lock."""
    cap = workers or default_workers(workspace.config.workers)
    waiting = None if read_only else on_wait
    task = _refusing_invalid_names(workspace, task)
    guard = exclusive(workspace.root, f"mono {command}", waiting) if waiting else contextlib.nullcontext()
    with guard, progress() if progress else contextlib.nullcontext(Progress()) as shown:
        return run_tasks(command, projects, graph, task, workspace.root, cap, shown, read_only)
