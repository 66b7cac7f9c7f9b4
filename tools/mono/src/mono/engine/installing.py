"""Make a project's .venv hold exactly what its poetry.lock says, with uv or with Poetry.

uv route: the locked set is read from poetry.lock in-process as `poetry export` writes it (with
hashes, internal libraries as editable path requirements; mono.repo.requirements, no Poetry
start) and `uv pip sync` makes the venv match it, removing anything else. Poetry stays the
resolver and the lock stays Poetry's; only the installing is faster. uv's cache takes file
locks, so parallel installs share it safely, and uv hardlinks from it: 20 venvs of one set of
packages take the disk of about one.

Poetry route (`installer = "poetry"`): `poetry sync`. Parallel Poetry processes race on
Poetry's shared artifact and HTTP caches (python-poetry/poetry#7370, #11048), so every Poetry
command that writes to that cache runs one at a time (see mono.external.poetry).
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from mono.engine.cache import install_inputs_key
from mono.engine.editables import sync_falling_back, use_built_editables, use_poetry_wheels
from mono.engine.freshness import InstallState as InstallState
from mono.engine.freshness import install_record
from mono.engine.freshness import install_state as install_state
from mono.engine.freshness import needs_install as needs_install
from mono.engine.freshness import venv_is_whole as venv_is_whole
from mono.engine.runner import Outcome, note_in_log
from mono.errors import MissingLock, NoMatchingPython, WorkFailed
from mono.external.poetry import OTHER_PYTHON, lock_is_fresh, mono_lock_advice, poetry
from mono.external.python import find_pythons
from mono.external.uv import create_venv
from mono.model.config import Installer
from mono.model.graph import Graph
from mono.model.layout import record, requirements_file, venv_python
from mono.model.project import Project, Workspace
from mono.model.versions import pep440_allows, python_fits
from mono.repo.lockfile import lock_without_markers, old_lock_format, shared_lock
from mono.repo.pyproject import PyProject
from mono.repo.requirements import NotExportable, requirements_from_lock
from mono.repo.state import write_stamp

# The up-to-date checks (install_state, needs_install) live in mono.engine.freshness, so that a
# warm no-op imports none of the install machinery; its callers still find them here too.

# Why a library used by path without a lock of its own has no venv of its own.
NO_OWN_LOCK = "a library used by path, with no poetry.lock of its own (run ./mono lock {name} to work on it alone)"


logger = logging.getLogger("mono")


def poetry_settings(pyproject: PyProject) -> dict[str, str]:
    """What Poetry needs to lock or export this project: a venv of its own when the Python it
    runs on does not fit the project's requires-python."""
    requires = pyproject.requires_python
    return dict(OTHER_PYTHON) if requires is not None and python_fits(requires, _running()) is False else {}


def _running() -> str:
    return ".".join(str(part) for part in sys.version_info[:3])


def python_for(pyproject: PyProject, project: str = "", cwd: Path | None = None) -> str:
    """The interpreter for a new venv: this one when requires-python allows it, else the newest
    Python of this machine that fits (pyenv's, uv's, python3.N on PATH), read as Poetry reads it."""
    requires = pyproject.requires_python
    if requires is None:
        return sys.executable
    fits = python_fits(requires, _running())
    if fits is None:
        # Neither PEP 440 nor Poetry's: Poetry reports it when it locks; uv may still read it.
        return requires if pep440_allows(requires, _running()) is False else sys.executable
    if fits:
        return sys.executable
    found = find_pythons(cwd or Path.cwd())
    fitting = [python for python in found if python_fits(requires, python.version)]
    if not fitting:
        raise NoMatchingPython(
            project or pyproject.shown_as, requires, sorted({p.version for p in found}, key=_numbers)
        )
    return str(max(fitting, key=lambda python: _numbers(python.version)).path)


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))  # versions of found Pythons are X.Y.Z


def _fresh_venv(folder: Path, python: Callable[[], str], log: Path) -> None:
    venv = folder / ".venv"
    if venv.exists() and not venv_is_whole(folder):
        shutil.rmtree(venv)  # damaged: start again
    if not venv.exists():
        create_venv(venv, python(), folder, log)


def _write_requirements(workspace: Workspace, project: Project, pyproject: PyProject, log: Path) -> Path:
    """The lock as the requirements uv installs: read in-process, as `poetry export` writes them;
    by Poetry's export for what only Poetry can export (mono.repo.requirements)."""
    folder = project.directory(workspace.root)
    requirements = requirements_file(workspace.root, project.name)
    requirements.parent.mkdir(parents=True, exist_ok=True)
    groups = pyproject.installed_groups
    try:
        text = requirements_from_lock(folder / "poetry.lock", pyproject.data, groups)
    except NotExportable as why:
        # Poetry's export also says what is wrong: a lock it cannot read, or one gone stale.
        note_in_log(log, f"mono: exporting with Poetry: {why}")
        export = ["export", "--format", "requirements.txt", "--output", str(requirements)]
        with_groups = ["--with", ",".join(groups)] if groups else []
        poetry([*export, *with_groups], workspace.root, folder, log, extra_env=poetry_settings(pyproject))
        return requirements
    recorded = shared_lock(folder / "poetry.lock").get("metadata", {})  # parsed once, by the export
    recorded_hash = recorded.get("content-hash") if isinstance(recorded, dict) else None
    if not lock_is_fresh(folder, pyproject.data, recorded_hash):  # what `poetry export` refuses, refused as it says it
        stale = f"{project.name}: pyproject.toml changed significantly since poetry.lock was last generated."
        note_in_log(log, stale)
        raise WorkFailed(f"{stale} Run `./mono lock {project.name}` to fix the lock file.", log=log)
    requirements.write_text(text, "utf-8")
    note_in_log(log, f"mono: {requirements} read from poetry.lock in-process, as `poetry export` writes it")
    return requirements


def _sync_with_uv(workspace: Workspace, project: Project, log: Path) -> tuple[str, ...]:
    folder = project.directory(workspace.root)
    pyproject = PyProject.read(folder / "pyproject.toml", project.pyproject_shown)
    requirements = _write_requirements(workspace, project, pyproject, log)
    if pyproject.installs_itself:
        with requirements.open("a", encoding="utf-8") as handle:
            handle.write(f"-e {folder.as_uri()}\n")
    _fresh_venv(folder, lambda: python_for(pyproject, project.name, folder), log)
    built = use_poetry_wheels(workspace, project, requirements, log)
    use_built_editables(workspace, project, requirements, log)
    return (*built, *sync_falling_back(project.name, venv_python(folder), requirements, folder, log))


def sync_venv(workspace: Workspace, project: Project, installer: Installer, log: Path) -> tuple[str, ...]:
    """Make the project's .venv match its poetry.lock exactly (extra packages are removed); the
    path projects installed as copies, not editable (mono.engine.editables)."""
    folder = project.directory(workspace.root)
    old_lock = lock_without_markers(folder / "poetry.lock")
    if installer == "uv" and old_lock:
        logger.warning("%s; installing with Poetry's installer", old_lock_format(project.name, old_lock))
    if installer == "poetry" or old_lock:
        pyproject = PyProject.read(folder / "pyproject.toml", project.pyproject_shown)
        # The venv first, with a Python that fits: Poetry then uses it as the in-project venv.
        _fresh_venv(folder, lambda: python_for(pyproject, project.name, folder), log)
        optional = sorted(set(pyproject.installed_groups) - set(pyproject.default_groups))
        with mono_lock_advice(project.name):
            poetry(["sync", *(["--with", ",".join(optional)] if optional else [])], workspace.root, folder, log)
        return ()
    with mono_lock_advice(project.name):
        return _sync_with_uv(workspace, project, log)


def install(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Make the project's .venv match its poetry.lock exactly, with the configured installer.

    Without a poetry.lock this refuses: Poetry's export and sync would resolve and write one,
    changing the user's repository behind their back. A library used by path may go without one
    (its users' venvs hold it): that is skipped, saying how to give it one.
    """
    project = workspace.projects[name]
    folder = project.directory(workspace.root)
    if not (folder / "poetry.lock").is_file():
        if workspace.lock_optional(name):
            return Outcome("skipped", NO_OWN_LOCK.format(name=name))
        raise MissingLock(name, project.path)
    inputs = install_inputs_key(workspace, graph, name)
    stamp = record(workspace.root, "installed", name)
    stamp.unlink(missing_ok=True)  # an interrupted install must not look finished
    copies = sync_venv(workspace, project, workspace.config.installer, log)
    if not copies:  # a copy does not follow its sources: without a record it is installed again
        # With what the install left in the venv: a package removed by hand later is noticed.
        write_stamp(stamp, install_record(inputs, folder))
    return Outcome("ok")


def install_if_needed(workspace: Workspace, graph: Graph, name: str, log: Path) -> Outcome:
    """Install unless the venv is already in step with the project's inputs and holds what its
    last install left in it; a venv changed by hand since is said so, and installed again."""
    state = install_state(workspace, graph, name)
    if state == "up to date":
        return Outcome("up to date")
    if state == "venv changed":
        logger.warning(
            "%s: its .venv changed since it was installed (a package removed, added or reinstalled by hand); "
            "installing it again",
            name,
        )
    return install(workspace, graph, name, log)
