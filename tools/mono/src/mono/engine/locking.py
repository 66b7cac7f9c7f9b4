"""Is a project's poetry.lock in step with what it was resolved from?

A lock is made from the dependency tables of the project's pyproject.toml and of every internal
library it reaches through path dependencies (Poetry records a library's own dependencies in
the lock). Those tables are hashed; after each lock the hash is stored beside a hash of the lock
itself, so an unchanged project is known to be fresh without starting Poetry. When there is no
record, or the lock changed under us (a pull, a checkout), the lock is inspected instead:
`poetry check --lock` for the project's own tables, and the lock's entries for internal
libraries compared with those libraries' pyproject.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mono.engine.cache import file_hash, lock_inputs_key
from mono.engine.installing import poetry_settings
from mono.engine.runner import Outcome
from mono.external.poetry import poetry
from mono.model.graph import Graph
from mono.model.layout import record
from mono.model.project import Workspace
from mono.repo.lockfile import UnreadableLock, library_drift, read_lock
from mono.repo.pyproject import PyProject
from mono.repo.state import put_back, read_stamp, saved_for_undo, write_stamp


@dataclass(frozen=True)
class Freshness:
    """Whether a lock is fresh, and if not, why (one line a user can act on)."""

    fresh: bool
    reason: str = ""
    # The lock cannot be judged because Poetry finds the pyproject.toml itself wrong (a missing
    # README, a bad field): `reason` is what Poetry says, and relocking would not help.
    invalid: bool = False


# What `poetry check --lock` says when the lock alone is behind its pyproject.toml.
_STALE = "changed significantly since poetry.lock"


def _poetry_errors(output: str) -> list[str]:
    """What `poetry check` reports about the pyproject.toml itself, not about the lock: its
    `Error:` lines, else (Poetry stopped before checking: a constraint it cannot parse) its last
    line that is not a warning."""
    errors = [line.strip().removeprefix("Error:").strip() for line in output.splitlines() if "Error:" in line]
    errors = [error for error in errors if _STALE not in error and "lock file" not in error]
    if errors or _STALE in output:
        return errors
    said = [line.strip() for line in output.splitlines() if line.strip() and not line.startswith(("$ ", "["))]
    said = [line for line in said if "deprecated" not in line and not line.startswith("Warning")]
    return said[-1:] if said else []


def remember_fresh(workspace: Workspace, graph: Graph, name: str) -> None:
    """Record that the project's current poetry.lock matches its current inputs."""
    lock = workspace.folder(name) / "poetry.lock"
    stamp = f"{lock_inputs_key(workspace, graph, name)} {file_hash(lock)}"
    write_stamp(record(workspace.root, "locked", name), stamp)


def _inspect(workspace: Workspace, graph: Graph, name: str, log: Path, remember: bool) -> Freshness:
    """Whether a lock without a record for it is fresh: Poetry's check, then its internal entries."""
    folder = workspace.folder(name)
    settings = poetry_settings(PyProject.read(folder / "pyproject.toml", workspace.projects[name].pyproject_shown))
    result = poetry(["check", "--lock"], workspace.root, folder, log, check=False, extra_env=settings)
    if result.returncode != 0:
        errors = _poetry_errors(result.output)
        if errors:
            return Freshness(False, "; ".join(errors), invalid=True)
        return Freshness(False, "pyproject.toml changed since poetry.lock was written")
    try:
        lock = read_lock(folder / "poetry.lock")
    except UnreadableLock as error:
        return Freshness(False, f"poetry.lock is not valid TOML ({error})")
    drift = library_drift(workspace, name, lock)
    if drift:
        return Freshness(False, drift)
    if remember:
        remember_fresh(workspace, graph, name)
    return Freshness(True)


def freshness(workspace: Workspace, graph: Graph, name: str, log: Path, remember: bool = True) -> Freshness:
    """Whether the project's poetry.lock is fresh. Reads the project only; with `remember`, records
    a verified result under .mono/ (read-only commands do not, so they write nothing)."""
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


def lock(workspace: Workspace, graph: Graph, name: str, log: Path, force: bool = False) -> Outcome:
    """Resolve the project's dependencies and write its poetry.lock, unless it is fresh already.

    If Poetry fails or is interrupted, or ./mono dies while it runs, the previous poetry.lock is
    put back as it was, so a half-written lock never stays behind.
    """
    if not force and freshness(workspace, graph, name, log).fresh:
        return Outcome("up to date")
    folder = workspace.folder(name)
    settings = poetry_settings(PyProject.read(folder / "pyproject.toml", workspace.projects[name].pyproject_shown))
    # Poetry writes poetry.lock in place; killed mid-write (by Ctrl-C here, or by the guard when
    # ./mono itself dies) it would leave half a lock, so the one from before is put back.
    with saved_for_undo(workspace.root, [folder / "poetry.lock"]) as saved:
        try:
            poetry(["lock"], workspace.root, folder, log, extra_env=settings, undo_if_killed=saved)
        except BaseException:
            put_back(saved)
            raise
    remember_fresh(workspace, graph, name)
    return Outcome("ok")


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
