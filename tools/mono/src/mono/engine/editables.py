"""How the path projects of a venv get into it: editable, where their build backend can.

A project whose `[build-system]` is poetry-core in a range that holds the version the tool pins
gets its editable wheel built in the tool's process (mono.external.poetry_core: milliseconds,
where uv's isolated build takes about a second), kept under .mono/cache/editables in a folder
named by the wheel's digest, and installed from there: the same `.pth` and metadata as uv's own
build of it, so the venv follows the sources the same way; a changed project makes another
wheel, so another URL, which uv installs. Other projects (and one with a build script of
poetry-core's, which would run in the tool's interpreter) are built by uv through their own
build backend. Editable installs need PEP 660's build_editable, which backends older than it
lack (`poetry.masonry.api` of
`poetry>=0.12`, a pinned old poetry-core or setuptools), under Poetry's installer too: those get
a plain copy. A project with no `[build-system]` at all would be built by uv (and pip, and
Poetry's installer for a dependency) with setuptools, as version 0.0.0 and with NAME.egg-info
left in its folder: it gets the wheel Poetry builds (poetry-core), as `poetry build` does.

Copies do not follow their sources, so the venv of a project holding one is installed again
by every install and test (uv reinstalls what changed).
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from mono.engine.buildcontext import project_wheels
from mono.engine.runner import note_in_log
from mono.errors import CommandFailed
from mono.external.poetry_core import NotBuiltHere, build_editable_wheel, builds_here, pinned_version
from mono.external.uv import pip_sync
from mono.model.layout import editable_wheels
from mono.model.project import Project, Workspace
from mono.repo.pyproject import PyProject

_UNBUILT = re.compile(r"Failed to build `([^`@]+?) @ (file://[^`]+)`")
logger = logging.getLogger("mono")
# Wheels of a project's older states are removed this long after they were built (not at once:
# a parallel install of the same run may still be installing one).
_KEEP_REPLACED_S = 24 * 3600
_PLACING = threading.Lock()
# How much of the end of an install's log is searched for why uv failed (its message is short).
_LOG_TAIL = 20_000


def _replace_entry(requirements: Path, url: str, new_entry: str) -> bool:
    """Replace the entry of `url` (`-e URL` or `NAME @ URL`, markers kept); False when there is none."""
    lines = requirements.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        target = line[3:] if line.startswith("-e ") else line.partition(" @ ")[2]
        where, semicolon, marker = target.partition(";")
        if where.strip() == url:
            lines[index] = f"{new_entry} ;{marker}" if semicolon else new_entry
            requirements.write_text("".join(f"{entry}\n" for entry in lines), encoding="utf-8")
            return True
    return False


def _has_editable(requirements: Path, url: str) -> bool:
    return any(
        line.startswith("-e ") and line[3:].split(";", 1)[0].strip() == url
        for line in requirements.read_text(encoding="utf-8").splitlines()
    )


def _plain_entry(requirements: Path, name: str, url: str) -> bool:
    """Make the editable entry of `url` a plain one (`name @ url`); False when there is none."""
    return _has_editable(requirements, url) and _replace_entry(requirements, url, f"{name} @ {url}")


def _path_projects(workspace: Workspace, project: Project) -> list[tuple[Project, Path, PyProject]]:
    """The path projects installed into the venv of `project` (itself too, when it installs
    itself), each with its folder and its pyproject.toml."""
    installed = [workspace.projects[name] for name in sorted(workspace.path_closure(project.name))]
    if PyProject.read(workspace.folder(project.name) / "pyproject.toml", project.pyproject_shown).installs_itself:
        installed.append(project)
    found = []
    for other in installed:
        folder = other.directory(workspace.root)
        found.append((other, folder, PyProject.read(folder / "pyproject.toml", other.pyproject_shown)))
    return found


def use_poetry_wheels(workspace: Workspace, project: Project, requirements: Path, log: Path) -> tuple[str, ...]:
    """Point the entries of path projects without a `[build-system]` at the wheels Poetry builds
    of them; returns their names."""
    replaced = []
    for other, folder, pyproject in _path_projects(workspace, project):
        if pyproject.has_build_system:
            continue
        wheels = project_wheels(workspace, other, log)
        if wheels and _replace_entry(requirements, folder.as_uri(), f"{other.name} @ {wheels[0].as_uri()}"):
            replaced.append(other.name)
            logger.warning(
                "%s: %s has no [build-system], so uv would build it with setuptools; installed the wheel "
                "Poetry builds instead (not editable: add a [build-system] of poetry-core for that)",
                project.name,
                other.name,
            )
    return tuple(replaced)


def use_built_editables(workspace: Workspace, project: Project, requirements: Path, log: Path) -> tuple[str, ...]:
    """Point the editable entries of path projects whose backend builds here at editable wheels
    built in-process; returns their names. A project poetry-core cannot build here stays an
    editable entry, for uv to build and to report."""
    built = []
    for other, folder, pyproject in _path_projects(workspace, project):
        # A path dependency with develop = false is a copy: no editable entry to replace.
        if not builds_here(pyproject.data) or not _has_editable(requirements, folder.as_uri()):
            continue
        try:
            wheel = _editable_wheel(workspace, other, folder)
        except (NotBuiltHere, OSError) as why:
            note_in_log(log, f"mono: {other.name}: not built in-process ({why}); uv builds it")
            continue
        if _replace_entry(requirements, folder.as_uri(), f"{other.name} @ {wheel.as_uri()}"):
            built_by = f"poetry-core {pinned_version()}"
            note_in_log(log, f"mono: {other.name}: editable wheel built in-process by {built_by}: {wheel}")
            built.append(other.name)
    return tuple(built)


def _editable_wheel(workspace: Workspace, library: Project, folder: Path) -> Path:
    """The editable wheel of `library`, built now, kept in the folder named by its digest (the
    one already there when the build gave the same bytes: poetry-core's wheels are reproducible)."""
    wheels = editable_wheels(workspace.root, library.name)
    with _PLACING:  # the installs of one run share the libraries' wheels
        wheels.mkdir(parents=True, exist_ok=True)
        return _build_into(wheels, folder)


def _build_into(wheels: Path, folder: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix=".build-", dir=wheels) as scratch:
        built = build_editable_wheel(folder, Path(scratch))
        digest = _digest(built)
        kept = wheels / digest
        if not (kept / built.name).is_file():
            shutil.rmtree(kept, ignore_errors=True)  # a damaged one: replaced whole
            kept.mkdir()
            built.rename(kept / built.name)
    _forget_replaced(wheels, keep=digest)
    return kept / built.name


def _digest(wheel: Path) -> str:
    """The digest of what the wheel holds, its `.pth` lines sorted: poetry-core collects them in
    a set, so two builds of one project with two package folders may order them differently."""
    hashed = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            content = archive.read(name)
            if name.endswith(".pth"):
                content = b"\n".join(sorted(content.splitlines()))
            hashed.update(f"{len(name)}:{name}:{len(content)}:".encode() + content)
    return hashed.hexdigest()[:32]


def _forget_replaced(wheels: Path, keep: str) -> None:
    old = time.time() - _KEEP_REPLACED_S
    for entry in wheels.iterdir():
        if entry.name != keep and entry.stat().st_mtime < old:  # older wheels, and scratch a kill left
            shutil.rmtree(entry, ignore_errors=True)


def _editable_unsupported(error: CommandFailed) -> re.Match[str] | None:
    """The project uv failed to build because its backend has no build_editable; None for any
    other failure (a missing README, a build dependency that cannot be had), which stays one."""
    output = error.tail
    if error.log is not None and error.log.is_file():
        output = error.log.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL:]
    found = list(_UNBUILT.finditer(output))
    return found[-1] if found and "build_editable" in output[found[-1].start() :] else None


def sync_falling_back(name: str, python: Path, requirements: Path, folder: Path, log: Path) -> tuple[str, ...]:
    """`uv pip sync`, where a project uv cannot build as editable is installed as a plain copy
    instead, with a warning; returns the names of those copies."""
    copied: list[str] = []
    while True:
        try:
            pip_sync(python, requirements, folder, log, rebuilt=tuple(copied))
            return tuple(copied)
        except CommandFailed as error:
            unbuilt = _editable_unsupported(error)
            if unbuilt is None or not _plain_entry(requirements, unbuilt.group(1), unbuilt.group(2)):
                raise
            copied.append(unbuilt.group(1))
            logger.warning(
                "%s: %s's build backend cannot make editable installs (it predates PEP 660); installed "
                "a copy instead, installed again by every install and test so that it follows its sources",
                name,
                unbuilt.group(1),
            )
