"""`mono add LIB --to PROJECT`: declare an internal library in a project, then relock what changed.

The library goes into both tables Poetry 2 reads, `[project].dependencies` (by name) and
`[tool.poetry.dependencies]` (its path, editable), or only the second in a Poetry 1 project;
tomlkit keeps the file's formatting and comments. Because Poetry does not follow a library's
own path dependencies (python-poetry/poetry#10178, docs/layout.md), every library the new one
reaches is declared too, and so is the whole set in every project that uses PROJECT.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mono.engine.publishing import is_published, published_versions, repository
from mono.engine.transaction import edit_and_relock
from mono.errors import DependencyCycle, MonoError, ProjectNotFound, WrongKind
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.names import normalize_name
from mono.model.project import Project, Workspace
from mono.repo.edit import declare_libraries, declare_published


@dataclass(frozen=True)
class Edit:
    """A pyproject.toml to rewrite: its project, the libraries it gains, the new text."""

    project: str
    path: Path
    added: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class AddedPublished:
    """What `add --published` declared."""

    project: str
    library: str
    version: str
    repository: str


def _library_and_target(workspace: Workspace, graph: Graph, library: str, target: str) -> tuple[Project, Project]:
    """The library and the project that gets it; refuses unknowns, non-libraries and cycles."""
    lib = workspace.projects.get(normalize_name(library))
    if lib is None:
        raise ProjectNotFound(library, workspace.projects)
    if not rules(lib.kind).library:
        raise WrongKind(f"{lib.name} is of kind {lib.kind}, not a library: only libraries can be added")
    project = workspace.projects.get(normalize_name(target))
    if project is None:
        raise ProjectNotFound(target, workspace.projects, where="--to")
    if project.name == lib.name or project.name in graph.with_dependencies({lib.name}):
        chain = [project.name, *graph.path(lib.name, project.name)]
        raise DependencyCycle(chain, refused=f"adding {lib.name} to {project.name}")
    return lib, project


def plan_add(workspace: Workspace, graph: Graph, library: str, target: str) -> tuple[Edit, ...]:
    """The edits `mono add LIBRARY --to TARGET` makes; bad requests raise MonoError (exit 2)."""
    lib, project = _library_and_target(workspace, graph, library, target)
    wanted = graph.with_dependencies({lib.name})
    edits = []
    for name in sorted(graph.with_dependents({project.name})):
        folder = workspace.folder(name)
        paths = {item: Path(os.path.relpath(workspace.folder(item), folder)).as_posix() for item in wanted}
        pyproject = folder / "pyproject.toml"
        text, added = declare_libraries(pyproject.read_text(encoding="utf-8"), paths)
        if added:
            edits.append(Edit(name, pyproject, added, text))
    return tuple(edits)


def add_library(
    workspace: Workspace, graph: Graph, library: str, target: str, on_wait: Callable[[str], None]
) -> tuple[Edit, ...]:
    """Declare the library (and what it reaches) where `plan_add` says, and relock those projects;
    all of it or, on failure, none. Returns the edits (none: declared already)."""
    edits = plan_add(workspace, graph, library, target)
    if edits:
        edit_and_relock(
            workspace.root,
            "mono add",
            on_wait,
            lambda: {edit.path: edit.text for edit in edits},
            {edit.project: edit.path.parent for edit in edits},
            lambda _workspace, _graph: [edit.project for edit in edits],
        )
    return edits


def add_published(
    workspace: Workspace,
    graph: Graph,
    library: str,
    target: str,
    repository_name: str,
    on_wait: Callable[[str], None],
) -> AddedPublished:
    """Declare LIB by version (^VERSION) from the repository, no path, then relock PROJECT."""
    lib, project = _library_and_target(workspace, graph, library, target)
    index = repository(workspace.root, repository_name)
    version = lib.version or ""
    if not is_published(version, published_versions(index, lib.name)):
        raise MonoError(f"{lib.name} {version} is not published on {index.name!r}", f"./mono publish {lib.name}")
    pyproject = workspace.folder(project.name) / "pyproject.toml"

    def edits() -> dict[Path, str]:
        text = pyproject.read_text(encoding="utf-8")
        return {pyproject: declare_published(text, lib.name, version, index.name, index.simple_url)}

    edit_and_relock(
        workspace.root, "mono add", on_wait, edits, {project.name: pyproject.parent}, lambda _w, _g: [project.name]
    )
    return AddedPublished(project.name, lib.name, version, index.name)
