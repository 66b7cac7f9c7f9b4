"""`mono add LIB|PACKAGE[SPEC] --to PROJECT`: declare an internal library or a third-party
requirement in a project, then relock what changed.

The library goes into both tables Poetry 2 reads, `[project].dependencies` (by name) and
`[tool.poetry.dependencies]` (its path, editable), or only the second in a Poetry 1 project;
tomlkit keeps the file's formatting and comments. Because Poetry does not follow a library's
own path dependencies (python-poetry/poetry#10178, docs/layout.md), every library the new one
reaches is declared too, and so is the whole set in every project that uses PROJECT.

A third-party requirement goes where the file keeps its others (`[project].dependencies`, or
`[tool.poetry.dependencies]` in a Poetry 1 project; a group's table with --group). Without a
version it gets what `poetry add` would write, from the newest release on the repository's
index that fits the project's Python. We edit the file ourselves rather than run `poetry add`:
the edit model keeps the file's formatting exactly, and the relock of PROJECT and of the
projects that use it by path happens in one transaction that puts every file back on failure.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mono.engine.publishing import is_published, published_versions, repository
from mono.engine.releases import fetch_releases, newest
from mono.engine.transaction import edit_and_relock
from mono.errors import DependencyCycle, MonoError, ProjectNotFound, WrongKind
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.names import normalize_name
from mono.model.project import Project, Workspace
from mono.repo.edit import declare_libraries, declare_published, declare_requirement
from mono.repo.pyproject import PyProject

if TYPE_CHECKING:
    from packaging.requirements import Requirement


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


@dataclass(frozen=True)
class AddedRequirement:
    """What `add PACKAGE[SPEC]` declared: where, as the file now says it, and what was relocked."""

    project: str
    written: str
    relocked: tuple[str, ...]


def is_internal(workspace: Workspace, argument: str) -> bool:
    """True when `add`'s argument names a project of the repository (the library route)."""
    return normalize_name(argument.strip()) in workspace.projects


def parse_requirement(text: str, workspace: Workspace) -> Requirement:
    """`text` as a PEP 508 requirement on a third-party package; anything else is bad input."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise MonoError(
            f"{text!r} is not a valid requirement: {str(error).splitlines()[0]}",
            "for example requests or 'requests>=2.31'",
        ) from error
    if requirement.url:
        raise MonoError(f"{text!r} names a URL: add takes packages from the index", "./mono poetry PROJECT add URL")
    if normalize_name(requirement.name) in workspace.projects:
        raise MonoError(
            f"{requirement.name} is a project of this repository",
            f"./mono add {requirement.name} --to PROJECT (by name, no version)",
        )
    return requirement


def _newest_release(name: str, pyproject: PyProject, wanted: bool, projects: Iterable[str]) -> str | None:
    """The newest release of `name` for the project's Python (when `wanted`); refuses a package
    the index does not have (naming a project of the repository it may have meant)."""
    releases = fetch_releases([name])[name]
    if not releases:
        close = difflib.get_close_matches(name, list(projects), n=1)
        hint = f"did you mean the project '{close[0]}'?" if close else "check the spelling (pip index versions NAME)"
        raise MonoError(f"no package named {name!r} on the package index", hint)
    if not wanted:
        return None
    found = newest(releases, pyproject.requires_python)
    if found is None:
        raise MonoError(
            f"no release of {name} fits Python {pyproject.requires_python!r} ({pyproject.shown_as})",
            f"give a version: ./mono add '{name}>=X' --to PROJECT",
        )
    return found


def add_requirement(
    workspace: Workspace, graph: Graph, text: str, target: str, group: str | None, on_wait: Callable[[str], None]
) -> AddedRequirement:
    """Declare a third-party requirement in TARGET (`group`: in that Poetry group) and relock it and
    the projects that use it by path; all of it or, on failure, none."""
    requirement = parse_requirement(text, workspace)
    project = workspace.projects.get(normalize_name(target))
    if project is None:
        raise ProjectNotFound(target, workspace.projects, where="--to")
    path = workspace.folder(project.name) / "pyproject.toml"
    pyproject = PyProject.read(path, project.pyproject_shown)
    name = normalize_name(requirement.name)
    declared = pyproject.constraints_on(name)
    if declared:
        where, spec = declared[0]
        raise MonoError(
            f"{project.name} declares {name} already ({project.pyproject_shown} {where}: {spec!r})",
            f"./mono upgrade {name} {project.name} moves its locked version; edit the constraint to change it",
        )
    latest = _newest_release(name, pyproject, not requirement.specifier, workspace.projects)
    users = sorted(graph.with_dependents({project.name}))
    relocked = [
        user
        for user in users
        if not workspace.lock_optional(user) or (workspace.folder(user) / "poetry.lock").is_file()
    ]
    written: list[str] = []

    def edits() -> dict[Path, str]:
        new, said = declare_requirement(path.read_text(encoding="utf-8"), text, group, latest)
        written.append(said)
        return {path: new}

    touched = {user: workspace.folder(user) for user in users}
    edit_and_relock(workspace.root, "mono add", on_wait, edits, touched, lambda _w, _g: relocked)
    return AddedRequirement(project.name, written[-1], tuple(graph.order(relocked)))


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
