"""What `lock`, `install` and `test` do to one project."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.cache import digest_paths, suite_inputs_key
from mono.graph import Graph
from mono.installer import sync_venv, venv_is_whole
from mono.lockfile import freshness, remember_fresh
from mono.poetry import poetry, venv_python
from mono.proc import child_environment, run
from mono.state import read_stamp, state_dir, write_stamp
from mono.workspace import Workspace

Status = Literal["ok", "passed", "cached", "no tests", "up to date", "failed"]

PYTEST_NO_TESTS = 5


@dataclass(frozen=True)
class Outcome:
    """How one task on one project ended; `detail` says why when it is not plain success."""

    status: Status
    detail: str = ""


def _install_inputs(workspace: Workspace, graph: Graph, name: str) -> str:
    projects = [workspace.projects[item] for item in sorted(graph.with_dependencies({name}))]
    prefixes = ["" if project.path == "." else f"{project.path}/" for project in projects]
    files = [f"{prefix}{file}" for prefix in prefixes for file in ("pyproject.toml", "poetry.lock")]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"{python}:{workspace.config.installer}:{digest_paths(workspace.root, files)}"


def _install_stamp(workspace: Workspace, name: str) -> Path:
    return state_dir(workspace.root) / "installed" / name


def needs_install(workspace: Workspace, graph: Graph, name: str) -> bool:
    """True when the project's venv is missing or was installed from other inputs than now."""
    if not venv_is_whole(workspace.projects[name].directory(workspace.root)):
        return True  # deleted or damaged venv
    return read_stamp(_install_stamp(workspace, name)) != _install_inputs(workspace, graph, name)


def install(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Make the project's .venv match its poetry.lock exactly, with the configured installer."""
    inputs = _install_inputs(workspace, graph, name)
    stamp = _install_stamp(workspace, name)
    stamp.unlink(missing_ok=True)  # an interrupted install must not look finished
    sync_venv(workspace, workspace.projects[name], workspace.config.installer, log)
    write_stamp(_install_stamp(workspace, name), inputs)
    return Outcome("ok")


def install_if_needed(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Install unless the venv is already in step with the project's inputs."""
    if not needs_install(workspace, graph, name):
        return Outcome("up to date")
    return install(workspace, graph, name, log)


def lock(workspace: Workspace, graph: Graph, name: str, log: Path, force: bool = False) -> Outcome:
    """Resolve the project's dependencies and write its poetry.lock, unless it is fresh already.

    If Poetry fails or is interrupted, the previous poetry.lock is put back as it was, so a
    half-written lock never stays behind.
    """
    if not force and freshness(workspace, graph, name, log).fresh:
        return Outcome("up to date")
    folder = workspace.projects[name].directory(workspace.root)
    lock_file = folder / "poetry.lock"
    before = lock_file.read_bytes() if lock_file.is_file() else None
    try:
        poetry(["lock"], workspace.root, folder, log)
    except BaseException:
        if before is None:
            lock_file.unlink(missing_ok=True)
        else:
            lock_file.write_bytes(before)
        raise
    remember_fresh(workspace, graph, name)
    return Outcome("ok")


def check_lock(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Fail when poetry.lock is missing or stale, saying why; change nothing in the project."""
    state = freshness(workspace, graph, name, log)
    if state.fresh:
        return Outcome("up to date")
    return Outcome("failed", f"poetry.lock is stale: {state.reason} (run ./mono lock {name})")


def _test_stamp(workspace: Workspace, name: str) -> Path:
    return state_dir(workspace.root) / "tested" / name


def test(workspace: Workspace, graph: Graph, name: str, log: Path, use_cache: bool = True) -> Outcome:
    """Run the project's pytest suite in its own venv (installing first when needed).

    A pass is remembered under a hash of everything the tests can see; with `use_cache`, an
    unchanged project is reported as cached instead of run again. Failures are never cached.
    """
    key = suite_inputs_key(workspace, graph, name)
    stamp = _test_stamp(workspace, name)
    if use_cache and read_stamp(stamp) == key and not needs_install(workspace, graph, name):
        return Outcome("cached")
    stamp.unlink(missing_ok=True)
    install_if_needed(workspace, graph, name, log)
    folder = workspace.projects[name].directory(workspace.root)
    result = run([str(venv_python(folder)), "-m", "pytest"], cwd=folder, env=child_environment(), log=log, check=False)
    if result.returncode == 0:
        write_stamp(stamp, key)
        return Outcome("passed")
    if result.returncode == PYTEST_NO_TESTS:
        return Outcome("no tests")
    if "No module named pytest" in result.output:
        return Outcome("failed", f"pytest is not installed in {name}'s venv: add it to its dev group")
    return Outcome("failed", result.tail())
