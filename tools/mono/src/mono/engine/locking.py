"""Is a project's poetry.lock in step with what it was resolved from? And relocking the ones
that are not, all in one Poetry process.

A lock is made from the dependency tables of the project's pyproject.toml and of every internal
library it reaches through path dependencies (Poetry records a library's own dependencies in
the lock). Those tables are hashed; after each lock the hash is stored beside a hash of the lock
itself, so an unchanged project is known to be fresh without Poetry. When there is no record,
or the lock changed under us (a pull, a checkout), the lock is inspected instead, in-process:
what `poetry check --lock` checks, with Poetry's own code (mono.external.poetry.check_lock), and
the lock's entries for internal libraries compared with those libraries' pyproject.toml.

The stale locks of one run are made by one worker process that holds Poetry as a library
(mono.external.poetry_worker): one Poetry start for all of them instead of one each, and what
it fetches about packages for one project serves the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from mono.engine.cache import file_hash, lock_inputs_key
from mono.engine.runner import Outcome, note_in_log
from mono.errors import CommandFailed, MonoError
from mono.external.poetry import Locked, lock_in_one_process
from mono.external.poetry import check_lock as poetry_check_lock
from mono.external.proc import tail_of
from mono.model.graph import Graph
from mono.model.layout import record
from mono.model.names import is_valid_name
from mono.model.project import Workspace
from mono.repo.lockfile import UnreadableLock, library_drift, read_lock
from mono.repo.state import put_back, read_stamp, saved_for_undo, write_stamp

# What a failed lock is reported as (CommandFailed names a command): what it stands for.
_POETRY_LOCK = ["poetry", "lock"]


@dataclass(frozen=True)
class Freshness:
    """Whether a lock is fresh, and if not, why (one line a user can act on)."""

    fresh: bool
    reason: str = ""
    # The lock cannot be judged because Poetry finds the pyproject.toml itself wrong (a missing
    # README, a bad field): `reason` is what Poetry says, and relocking would not help.
    invalid: bool = False


def remember_fresh(workspace: Workspace, graph: Graph, name: str) -> None:
    """Record that the project's current poetry.lock matches its current inputs."""
    lock = workspace.folder(name) / "poetry.lock"
    stamp = f"{lock_inputs_key(workspace, graph, name)} {file_hash(lock)}"
    write_stamp(record(workspace.root, "locked", name), stamp)


def _inspect(workspace: Workspace, graph: Graph, name: str, log: Path | None, remember: bool) -> Freshness:
    """Whether a lock without a record for it is fresh: Poetry's check, then its internal entries."""
    folder = workspace.folder(name)
    try:
        lock = read_lock(folder / "poetry.lock")
    except UnreadableLock as error:
        return Freshness(False, f"poetry.lock is not valid TOML ({error})")
    checked = poetry_check_lock(folder)
    found = "; ".join(checked.errors) or ("fresh" if checked.fresh else "stale")
    note_in_log(log, f"mono: poetry check --lock (in-process): {found}")
    if checked.errors:
        return Freshness(False, "; ".join(checked.errors), invalid=True)
    if not checked.fresh:
        return Freshness(False, "pyproject.toml changed since poetry.lock was written")
    drift = library_drift(workspace, name, lock)
    if drift:
        return Freshness(False, drift)
    if remember:
        remember_fresh(workspace, graph, name)
    return Freshness(True)


def freshness(workspace: Workspace, graph: Graph, name: str, log: Path | None, remember: bool = True) -> Freshness:
    """Whether the project's poetry.lock is fresh, without starting Poetry. Reads the project only;
    with `remember`, records a verified result under .mono/ (read-only commands do not, so they
    write nothing); `log` (if any) gets a line on what an inspection found."""
    lock_path = workspace.folder(name) / "poetry.lock"
    if not lock_path.is_file():
        return Freshness(False, "there is no poetry.lock")
    inputs, lock_hash = lock_inputs_key(workspace, graph, name), file_hash(lock_path)
    recorded = (read_stamp(record(workspace.root, "locked", name)) or "").split(" ")
    if recorded == [inputs, lock_hash]:
        return Freshness(True)
    if len(recorded) == 2 and recorded[1] == lock_hash:
        return Freshness(False, "pyproject.toml or an internal library's dependencies changed since the last lock")
    return _inspect(workspace, graph, name, log, remember)


def _lock_stale(workspace: Workspace, names: list[str], deliver: Callable[[str, Locked], None]) -> None:
    """Lock `names` in one worker, `deliver`ing each one's result as it ends. A lock that was not
    made is put back as it was: by this process, or by the worker's guard should ./mono die
    meanwhile."""
    by_folder = {workspace.folder(name): name for name in names}
    locks = [folder / "poetry.lock" for folder in by_folder]
    with saved_for_undo(workspace.root, locks) as saved:
        delivered: set[Path] = set()

        def on_locked(locked: Locked) -> None:
            if not locked.ok:
                put_back({locked.folder / "poetry.lock": saved[locked.folder / "poetry.lock"]})
            delivered.add(locked.folder)
            deliver(by_folder[locked.folder], locked)

        try:
            lock_in_one_process(workspace.root, list(by_folder), on_locked, undo_if_killed=saved)
        except BaseException:  # Ctrl-C, or the worker could not start
            put_back({lock: saved[lock] for lock in locks if lock.parent not in delivered})
            raise


def _locked(workspace: Workspace, graph: Graph, name: str, log: Path, locked: Locked) -> Outcome:
    """Record a lock the worker made; raise CommandFailed, with Poetry's words, for one it could not."""
    note_in_log(log, locked.output)
    if not locked.ok:
        note_in_log(log, "[poetry lock failed]")
        raise CommandFailed(_POETRY_LOCK, 1, tail_of(locked.output), log)
    remember_fresh(workspace, graph, name)
    return Outcome("ok")


_WORKER_LINE = "$ poetry lock, in-process: one Poetry worker (python -m mono.external.poetry_worker) for {count}\n"


def lock(workspace: Workspace, graph: Graph, name: str, log: Path, force: bool = False) -> Outcome:
    """Resolve the project's dependencies and write its poetry.lock, unless it is fresh already.

    If Poetry fails or is interrupted, or ./mono dies while it runs, the previous poetry.lock is
    put back as it was, so a half-written lock never stays behind.
    """
    if not force and freshness(workspace, graph, name, log).fresh:
        return Outcome("up to date")
    results: dict[str, Locked] = {}
    note_in_log(log, _WORKER_LINE.format(count=name))
    _lock_stale(workspace, [name], results.__setitem__)
    return _locked(workspace, graph, name, log, results[name])


class LockBatch:
    """The locks of one `./mono lock` run. Its first task finds which selected locks are stale
    (in-process, without Poetry) and starts one worker for all of them; each task then reports
    its own project as the worker gets to it. Fresh projects never see Poetry."""

    def __init__(self, workspace: Workspace, graph: Graph, names: Iterable[str], force: bool = False) -> None:
        self._workspace, self._graph, self._force = workspace, graph, force
        self._names = [name for name in graph.order(set(names)) if is_valid_name(name)]
        self._start_once = threading.Lock()
        self._results: dict[str, Future[Locked]] | None = None
        self._reasons: dict[str, str] = {}
        self._unreadable: dict[str, MonoError] = {}  # a project whose files could not be judged
        self._worker: threading.Thread | None = None

    def lock(self, name: str, log: Path) -> Outcome:
        """The runner's task for `name`: 'up to date', 'ok', or CommandFailed with Poetry's words."""
        results = self._started()
        if name in self._unreadable:
            raise self._unreadable[name]
        if name not in results:
            return Outcome("up to date")
        note_in_log(log, f"mono: {self._reasons[name]}\n" + _WORKER_LINE.format(count=f"{len(results)} projects"))
        locked = results[name].result()
        if self._worker is not None and all(result.done() for result in results.values()):
            self._worker.join()  # its last lines are in: the worker ends, its undo copies go
        return _locked(self._workspace, self._graph, name, log, locked)

    def _started(self) -> dict[str, Future[Locked]]:
        with self._start_once:
            if self._results is None:
                for name in self._names:
                    try:
                        state = Freshness(False, "relocking (--force)") if self._force else None
                        state = state or freshness(self._workspace, self._graph, name, None)
                    except MonoError as error:  # that project fails, saying why; the others lock
                        self._unreadable[name] = error
                        continue
                    if not state.fresh:
                        self._reasons[name] = state.reason
                self._results = {name: Future() for name in self._reasons}
                if self._results:
                    self._worker = threading.Thread(target=self._run, args=(self._results,), name="poetry-worker")
                    self._worker.start()
            return self._results

    def _run(self, results: dict[str, Future[Locked]]) -> None:
        try:
            _lock_stale(self._workspace, list(results), lambda name, locked: results[name].set_result(locked))
        except BaseException as error:  # noqa: BLE001 - each waiting task reports it
            for future in results.values():
                if not future.done():
                    future.set_exception(error)


def stale_reason(workspace: Workspace, graph: Graph, name: str, log: Path) -> str:
    """Why the project's poetry.lock is missing or stale (with what to run), or '' when it is
    fresh. Writes nothing: `check` and `lock --check` use it."""
    state = freshness(workspace, graph, name, log, remember=False)
    if state.invalid:
        shown = workspace.projects[name].pyproject_shown
        return f"{shown}: poetry check says '{state.reason}' (fix the file, then ./mono lock {name})"
    if not state.fresh and not (workspace.folder(name) / "poetry.lock").is_file():
        return f"has no poetry.lock (run ./mono lock {name})"
    return "" if state.fresh else f"poetry.lock is stale: {state.reason} (run ./mono lock {name})"


def check_lock(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Fail when poetry.lock is missing or stale, saying why; change nothing in the project. A
    library used by path needs no lock of its own."""
    if workspace.lock_optional(name) and not (workspace.folder(name) / "poetry.lock").is_file():
        return Outcome("skipped", "a library used by path: it needs no poetry.lock of its own")
    reason = stale_reason(workspace, graph, name, log)
    return Outcome("failed", reason) if reason else Outcome("up to date")
