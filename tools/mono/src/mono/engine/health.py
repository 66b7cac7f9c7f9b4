"""The health checks behind `mono check`: each reads the repository and yields findings.

A finding is an error (the command exits 1) or a warning (reported; an error under --strict).
Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.engine.images import dockerfiles_without_from, image_specs, missing_images
from mono.model import paths
from mono.model.graph import Graph, graph_of
from mono.model.kinds import rules
from mono.model.names import is_valid_name, shown_name
from mono.model.project import Duplicate, Project, Workspace
from mono.model.versions import all_pythons, supported_pythons
from mono.repo.discovery import discover
from mono.repo.infra import APPS_FILE, read_apps_map
from mono.repo.pyproject import PyProject

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem of one project."""

    project: str
    path: str  # the project's folder, repo-relative
    check: str  # which check found it: one of CHECKS
    severity: Severity
    message: str

    def as_json(self) -> dict[str, str]:
        """The machine-readable form printed by `check --json`."""
        return {
            "project": self.project,
            "path": self.path,
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Repository:
    """What the checks read: the projects, their graph (cycles allowed here) and their pyproject tables."""

    workspace: Workspace
    graph: Graph
    # Edges of [tool.poetry.dependencies] alone: what a project's users get installed with it
    # (a library's dev groups are not).
    runtime: Graph
    duplicates: tuple[Duplicate, ...]
    pyprojects: dict[str, PyProject]

    def projects(self) -> list[Project]:
        """Every project, by name."""
        return [self.workspace.projects[name] for name in sorted(self.workspace.projects)]

    def libraries(self) -> set[str]:
        """Names of the projects of kind lib."""
        return {name for name, project in self.workspace.projects.items() if rules(project.kind).library}

    def reached(self, name: str) -> set[str]:
        """Every project `name` gets installed with: its own path dependencies, then theirs (not their dev groups)."""
        return self.runtime.with_dependencies(self.workspace.projects[name].depends_on) - {name}

    def found_by_poetry(self, name: str) -> set[str]:
        """The libraries Poetry finds for `name` without their being declared: those reached
        through Poetry 1 style libraries only, whose `[tool.poetry.dependencies]` paths Poetry
        follows (it does not follow a PEP 621 library's)."""
        found: set[str] = set()
        pending = [d for d in self.workspace.projects[name].depends_on if self._style(d) == "poetry1"]
        while pending:
            for dependency in set(self.runtime.depends_on.get(pending.pop(), ())) - found:
                found.add(dependency)
                if self._style(dependency) == "poetry1":
                    pending.append(dependency)
        return found

    def _style(self, name: str) -> str:
        return self.workspace.projects[name].style


def error_finding(project: Project, check: str, message: str) -> Finding:
    """An error of `project` found by `check`."""
    return Finding(project.name, project.path, check, "error", message)


def _runtime_edges(workspace: Workspace, pyprojects: dict[str, PyProject]) -> dict[str, tuple[str, ...]]:
    by_path = workspace.by_path()
    edges: dict[str, tuple[str, ...]] = {}
    for name, project in workspace.projects.items():
        found = set()
        for written in pyprojects[name].path_dependencies(main_only=True):
            target = by_path.get(paths.join(project.path, written.path))
            if target is not None:
                found.add(target.name)
        edges[name] = tuple(sorted(found))
    return edges


def load_repository(root: Path) -> Repository:
    """Discover the projects (two with one name do not stop it) and read what the checks need."""
    workspace, duplicates = discover(root)
    pyprojects = {
        name: PyProject.read(project.directory(root) / "pyproject.toml", project.pyproject_shown)
        for name, project in workspace.projects.items()
    }
    graph = graph_of(workspace)
    runtime = Graph(_runtime_edges(workspace, pyprojects))
    return Repository(workspace, graph, runtime, duplicates, pyprojects)


# --- names, cycles, path dependencies, Dockerfiles ---------------------------------------------


def names(repo: Repository) -> Iterator[Finding]:
    """Names that are not distribution names (Poetry cannot build or lock them), and two or more
    projects with one name (Poetry, `./mono` and Docker tags cannot tell them apart)."""
    for project in repo.projects():
        if not is_valid_name(project.name):
            message = (
                f"the name {shown_name(project.name)} is not a valid distribution name "
                "(letters, digits, and '-', '_' or '.' between them; rename it in its pyproject.toml)"
            )
            yield error_finding(project, "names", message)
    for duplicate in repo.duplicates:
        places = ", ".join(duplicate.paths)
        message = f"{len(duplicate.paths)} projects share the name '{duplicate.name}': {places} (rename all but one)"
        yield Finding(duplicate.name, duplicate.paths[0], "names", "error", message)


def cycles(repo: Repository) -> Iterator[Finding]:
    """Projects that depend on each other in a circle: one finding per circle, on its first project."""
    edges = repo.graph.depends_on
    if not repo.graph.has_cycle():
        return
    reach = {name: repo.graph.with_dependencies(edges[name]) for name in edges}
    reported: set[str] = set()
    for name in sorted(edges):
        if name in reported or name not in reach[name]:
            continue
        reported |= {other for other in reach[name] if name in reach[other]}
        circle = " -> ".join(repo.graph.shortest_cycle(name))
        message = f"dependency cycle: {circle} (remove one of these path dependencies)"
        yield error_finding(repo.workspace.projects[name], "cycles", message)


def path_dependencies(repo: Repository) -> Iterator[Finding]:
    """Path dependencies that leave the repository, or point at something that is not a library."""
    by_path = repo.workspace.by_path()
    shared = {path for duplicate in repo.duplicates for path in duplicate.paths}
    for project in repo.projects():
        for dependency in project.path_dependencies:
            target = dependency.target
            quoted = f"path dependency '{dependency.name}' ({dependency.path})"
            if paths.leaves_repository(target):
                yield error_finding(project, "path-dependencies", f"{quoted} leaves the repository")
            elif target in shared:
                continue  # reported by the names check
            elif target not in by_path:
                message = f"{quoted} points at {target}, which is not a project of this repository"
                yield error_finding(project, "path-dependencies", message)
            elif not rules(by_path[target].kind).library:
                used = by_path[target]
                message = f"{quoted} points at {used.name}, a project of kind {used.kind}, not a library"
                yield error_finding(project, "path-dependencies", message)


def dockerfiles(repo: Repository) -> Iterator[Finding]:
    """Apps and models without their Dockerfile(s), or with one Docker cannot build (no FROM)."""
    for project in repo.projects():
        if not rules(project.kind).buildable:
            continue
        if not image_specs(repo.workspace, project):
            article = "an" if project.kind[0] in "aeiou" else "a"
            message = f"is {article} {project.kind} but has no {missing_images(project)} (./mono build needs one)"
            yield error_finding(project, "dockerfiles", message)
        for dockerfile in dockerfiles_without_from(repo.workspace, project):
            yield error_finding(project, "dockerfiles", f"{dockerfile} has no FROM line: Docker cannot build it")


def build_systems(repo: Repository) -> Iterator[Finding]:
    """Projects that get built (they install themselves, or others use them by path) but name
    no build backend: Poetry falls back to poetry-core, pip and uv to setuptools, which builds
    something else and leaves NAME.egg-info in the project's folder."""
    used = repo.workspace.used_by_path()
    for project in repo.projects():
        pyproject = repo.pyprojects[project.name]
        if pyproject.has_build_system or not (pyproject.installs_itself or project.name in used):
            continue
        message = (
            "has no [build-system]: uv and pip build it with setuptools, not Poetry's poetry-core "
            '(add [build-system] requires = ["poetry-core>=2.0"], build-backend = "poetry.core.masonry.api")'
        )
        yield Finding(project.name, project.path, "build-system", "warning", message)


def deployments(repo: Repository) -> Iterator[Finding]:
    """Apps the infrastructure's apps map leaves out, and entries of it that name no app
    (warnings: a repository may keep an app undeployed, and the map is edited by hand too)."""
    apps_map = read_apps_map(repo.workspace.root)
    if apps_map is None:
        return
    deployed = apps_map.names()
    servable = {project.name: project for project in repo.projects() if rules(project.kind).servable}
    for name in sorted(servable.keys() - deployed):
        message = f'has no entry in the apps map of {APPS_FILE}, so it is not deployed (add "{name}" = {{}})'
        yield Finding(name, servable[name].path, "deployments", "warning", message)
    for name in sorted(deployed - servable.keys()):
        message = f"is deployed by the apps map of {APPS_FILE}, but no app has that name (remove its entry)"
        yield Finding(name, APPS_FILE, "deployments", "warning", message)


# --- which Pythons fit --------------------------------------------------


def python_fit(repo: Repository) -> Iterator[Finding]:
    """Projects that allow a Python one of their libraries does not support (Poetry refuses to lock them)."""
    ranges = {}
    for name in repo.workspace.projects:
        written = repo.pyprojects[name].requires_python
        # Not set means any Python; a constraint that cannot be read is skipped (Poetry reports it).
        ranges[name] = all_pythons() if written is None else supported_pythons(written)
    libraries = repo.libraries()
    for project in repo.projects():
        mine = ranges[project.name]
        for library in sorted(repo.reached(project.name) & libraries):
            theirs = ranges[library]
            if mine is None or theirs is None or mine <= theirs:
                continue
            wanted, offered = (repo.pyprojects[name].requires_python or "any" for name in (project.name, library))
            left_out = sorted({(python.major, python.minor) for python in mine - theirs})
            message = (
                f"requires-python '{wanted}' does not fit {library}'s '{offered}': "
                f"{library} leaves out Python {', '.join(f'{major}.{minor}' for major, minor in left_out)}"
            )
            yield error_finding(project, "requires-python", message)
