"""Which projects a command acts on: names, paths, --all, --affected."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mono.errors import ProjectNotFound
from mono.model.graph import Graph
from mono.model.names import normalize_name
from mono.model.project import Workspace
from mono.repo.changes import find_affected, owner_of


@dataclass(frozen=True)
class SelectionRequest:
    """What the user asked for on the command line."""

    targets: tuple[str, ...] = ()
    all: bool = False
    affected: bool = False
    since: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing was asked for, so the command's default applies."""
        return not (self.targets or self.all or self.affected or self.since)


def find_project(workspace: Workspace, target: str, cwd: Path) -> str:
    """The project named `target`, or at (or containing) the path `target`."""
    name = normalize_name(target)
    if name in workspace.projects:
        return name
    by_path = {project.path: project.name for project in workspace.projects.values()}
    root = workspace.root.resolve()
    for base in (cwd, root):
        candidate = Path(os.path.normpath(base.resolve() / target))
        if not candidate.exists():
            continue
        try:
            relative = candidate.relative_to(root).as_posix()
        except ValueError:
            continue
        relative = relative if relative not in {"", "."} else "."
        if relative in by_path:
            return by_path[relative]
        owner = owner_of(relative + "/", by_path)
        if owner is not None:
            return owner
    raise ProjectNotFound(target, workspace.projects)


def select(workspace: Workspace, graph: Graph, request: SelectionRequest, cwd: Path) -> list[str]:
    """The selected project names in dependency order; nothing asked for means every project."""
    if request.is_empty or request.all:
        return graph.order()
    chosen = {find_project(workspace, target, cwd) for target in request.targets}
    if request.affected or request.since:
        chosen.update(find_affected(workspace, graph, request.since).projects)
    return graph.order(chosen)
