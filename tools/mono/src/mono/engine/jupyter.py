"""A project's venv made ready for a Jupyter tool: selected, installed, holding the module it needs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mono.engine.installing import install_if_needed
from mono.errors import MissingLock, MonoError
from mono.external.python import has_module
from mono.model.graph import Graph, build_graph
from mono.model.layout import log_path, venv_python
from mono.model.project import Project, Workspace
from mono.repo.discovery import load_workspace
from mono.repo.selection import SelectionRequest, select
from mono.repo.state import exclusive


@dataclass(frozen=True)
class Ready:
    """The project, its log for the command, and its venv's interpreter."""

    workspace: Workspace
    project: Project
    log: Path
    python: Path


def one_project(workspace: Workspace, graph: Graph, target: str, cwd: Path) -> Project:
    """The one project `target` names (by name or path)."""
    (name,) = select(workspace, graph, SelectionRequest(targets=(target,)), cwd)
    return workspace.projects[name]


def require_module(workspace: Workspace, project: Project, module: str, log: Path) -> Path:
    """The project's venv interpreter; a one-line error when `module` is not installed in it."""
    python = venv_python(project.directory(workspace.root))
    if not has_module(python, module, workspace.root, log):
        raise MonoError(f"{project.name}'s venv has no {module}", f"add it to {project.path}/pyproject.toml and lock")
    return python


@contextlib.contextmanager
def installed(
    root: Path, target: str, cwd: Path, command: str, module: str, on_wait: Callable[[str], None]
) -> Iterator[Ready]:
    """Under the work lock: the project `target` names, installed when needed, with `module`."""
    with exclusive(root, f"mono {command}", on_wait):
        # Read under the lock: another ./mono may have changed the projects meanwhile.
        workspace = load_workspace(root)
        graph = build_graph(workspace)
        project = one_project(workspace, graph, target, cwd)
        log = log_path(root, command, project.name)
        if install_if_needed(workspace, graph, project.name, log).status == "skipped":
            raise MissingLock(project.name, project.path)  # a kernel needs a venv of its own
        yield Ready(workspace, project, log, require_module(workspace, project, module, log))
