"""How the path projects of a venv get into it: editable, where their build backend can.

uv installs the project and its libraries through their own build backend. Editable installs
need PEP 660's build_editable, which backends older than it lack (`poetry.masonry.api` of
`poetry>=0.12`, a pinned old poetry-core or setuptools), under Poetry's installer too: those get
a plain copy. A project with no `[build-system]` at all would be built by uv (and pip, and
Poetry's installer for a dependency) with setuptools, as version 0.0.0 and with NAME.egg-info
left in its folder: it gets the wheel Poetry builds (poetry-core), as `poetry build` does.

Copies do not follow their sources, so the venv of a project holding one is installed again
by every install and test (uv reinstalls what changed).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mono.engine.buildcontext import project_wheels
from mono.errors import CommandFailed
from mono.external.uv import pip_sync
from mono.model.project import Project, Workspace
from mono.repo.pyproject import PyProject

_UNBUILT = re.compile(r"Failed to build `([^`@]+?) @ (file://[^`]+)`")
logger = logging.getLogger("mono")
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


def _plain_entry(requirements: Path, name: str, url: str) -> bool:
    """Make the editable entry of `url` a plain one (`name @ url`); False when there is none."""
    editable = any(
        line.startswith("-e ") and line[3:].split(";", 1)[0].strip() == url
        for line in requirements.read_text(encoding="utf-8").splitlines()
    )
    return editable and _replace_entry(requirements, url, f"{name} @ {url}")


def use_poetry_wheels(workspace: Workspace, project: Project, requirements: Path, log: Path) -> tuple[str, ...]:
    """Point the entries of path projects without a `[build-system]` at the wheels Poetry builds
    of them; returns their names."""
    installed = [workspace.projects[name] for name in sorted(workspace.path_closure(project.name))]
    pyproject = PyProject.read(workspace.folder(project.name) / "pyproject.toml", project.pyproject_shown)
    if pyproject.installs_itself:
        installed.append(project)
    replaced = []
    for other in installed:
        folder = other.directory(workspace.root)
        if PyProject.read(folder / "pyproject.toml", other.pyproject_shown).has_build_system:
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
