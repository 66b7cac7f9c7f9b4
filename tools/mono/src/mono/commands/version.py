"""`mono version LIB PART`: bump a library's version; its users follow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mono.engine.transaction import edit_and_relock
from mono.errors import WrongKind
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.project import Workspace
from mono.model.versions import bumped
from mono.repo.edit import retarget, set_version
from mono.repo.selection import SelectionRequest, select


@dataclass(frozen=True)
class VersionBump:
    """A bump: the library, its old and new version, who was relocked, who waits for a publish."""

    library: str
    old: str
    new: str
    relocked: tuple[str, ...]  # the library and its users by path
    waiting: tuple[str, ...]  # its users by version: they now require ^new


def _edits(workspace: Workspace, name: str, new: str, by_version: list[str]) -> dict[Path, str]:
    """The library's pyproject.toml with the new version; its by-version users' retargeted."""
    own = workspace.folder(name) / "pyproject.toml"
    edits = {own: set_version(own.read_text(encoding="utf-8"), new)}
    for user in by_version:
        path = workspace.folder(user) / "pyproject.toml"
        edits[path] = retarget(path.read_text(encoding="utf-8"), name, new)
    return edits


def bump_version(
    workspace: Workspace, graph: Graph, library: str, part: str, cwd: Path, on_wait: Callable[[str], None]
) -> VersionBump:
    """Set LIB's new version; users by version get ^NEW; LIB and users by path are relocked at once
    (users by version once the new version is published). All of it, or on failure none."""
    (name,) = select(workspace, graph, SelectionRequest(targets=(library,)), cwd)
    project = workspace.projects[name]
    if not rules(project.kind).publishable or not project.version:
        raise WrongKind(f"{name} is not a library with a version: only libraries are versioned and published")
    new = bumped(project.version, part)
    users = sorted(graph.dependents()[name])
    by_version = [user for user in users if name in workspace.projects[user].version_dependencies]
    by_path = [user for user in users if user not in by_version]
    touched = {item: workspace.folder(item) for item in [name, *users]}
    edit_and_relock(
        workspace.root,
        "mono version",
        on_wait,
        lambda: _edits(workspace, name, new, by_version),
        touched,
        lambda _w, _g: [name, *by_path],
    )
    return VersionBump(name, project.version, new, (name, *by_path), tuple(by_version))
