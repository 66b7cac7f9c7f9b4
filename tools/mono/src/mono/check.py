"""`mono check`: the problems that keep a repository of many projects healthy, as findings.

Every check reads the repository and returns findings; nothing here prints. A finding is an
error (the command exits 1) or a warning (reported; an error under --strict).
"""

from __future__ import annotations

import graphlib
import os
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from mono import lockfile
from mono.errors import MonoError
from mono.graph import Graph
from mono.imports import imported_names, package_names, python_files
from mono.pythons import PYTHONS, requires_python, supported_pythons
from mono.toml import read_toml, table
from mono.workspace import Duplicate, Project, Workspace, discover, normalize_name

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
class Report:
    """Everything `mono check` found, grouped by project (in name order), checks in CHECKS order."""

    findings: tuple[Finding, ...]
    projects: int  # how many projects were checked

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that fail the check."""
        return tuple(finding for finding in self.findings if finding.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings that are only reported."""
        return tuple(finding for finding in self.findings if finding.severity == "warning")


@dataclass(frozen=True)
class Repository:
    """What the checks read: the projects, their graph (cycles allowed here) and their pyproject tables."""

    workspace: Workspace
    graph: Graph
    # Edges of [tool.poetry.dependencies] alone: what a project's users get installed with it
    # (a library's dev groups are not).
    runtime: Graph
    duplicates: tuple[Duplicate, ...]
    pyprojects: dict[str, dict[str, Any]]

    def projects(self) -> list[Project]:
        """Every project, by name."""
        return [self.workspace.projects[name] for name in sorted(self.workspace.projects)]

    def libraries(self) -> set[str]:
        """Names of the projects of kind lib."""
        return {name for name, project in self.workspace.projects.items() if project.kind == "lib"}

    def reached(self, name: str) -> set[str]:
        """Every project `name` gets installed with: its own path dependencies, then theirs (not their dev groups)."""
        return self.runtime.with_dependencies(self.workspace.projects[name].depends_on) - {name}


def _error(project: Project, check: str, message: str) -> Finding:
    return Finding(project.name, project.path, check, "error", message)


def _target(project: Project, written: str) -> str:
    base = "" if project.path == "." else project.path
    return os.path.normpath(os.path.join(base, written)).replace(os.sep, "/")


def _runtime_edges(workspace: Workspace, pyprojects: dict[str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    by_path = workspace.by_path()
    edges: dict[str, tuple[str, ...]] = {}
    for name, project in workspace.projects.items():
        found = set()
        for spec in table(pyprojects[name], "tool", "poetry", "dependencies").values():
            for constraint in spec if isinstance(spec, list) else [spec]:
                if isinstance(constraint, dict) and isinstance(constraint.get("path"), str):
                    target = by_path.get(_target(project, constraint["path"]))
                    if target is not None:
                        found.add(target.name)
        edges[name] = tuple(sorted(found))
    return edges


def load_repository(root: Path) -> Repository:
    """Discover the projects (two with one name do not stop it) and read what the checks need."""
    workspace, duplicates = discover(root)
    pyprojects = {
        name: read_toml(project.directory(root) / "pyproject.toml", f"{project.path}/pyproject.toml")
        for name, project in workspace.projects.items()
    }
    graph = Graph({name: project.depends_on for name, project in sorted(workspace.projects.items())})
    runtime = Graph(_runtime_edges(workspace, pyprojects))
    return Repository(workspace, graph, runtime, duplicates, pyprojects)


# --- names, cycles, path dependencies, Dockerfiles ---------------------------------------------


def duplicate_names(repo: Repository) -> Iterator[Finding]:
    """Two or more projects with one name: Poetry, `./mono` and Docker tags cannot tell them apart."""
    for duplicate in repo.duplicates:
        places = ", ".join(duplicate.paths)
        message = f"{len(duplicate.paths)} projects share the name '{duplicate.name}': {places} (rename all but one)"
        yield Finding(duplicate.name, duplicate.paths[0], "names", "error", message)


def _cycle_through(start: str, edges: dict[str, tuple[str, ...]]) -> list[str]:
    """The shortest cycle from `start` back to it, as names (the first and the last are `start`)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for name in frontier:
            for dependency in edges[name]:
                if dependency == start:
                    chain = [name]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [*reversed(chain), start]
                if dependency not in came_from:
                    came_from[dependency] = name
                    following.append(dependency)
        frontier = following
    return [start]


def cycles(repo: Repository) -> Iterator[Finding]:
    """Projects that depend on each other in a circle: one finding per circle, on its first project."""
    edges = repo.graph.depends_on
    try:
        graphlib.TopologicalSorter(edges).prepare()
        return
    except graphlib.CycleError:
        pass
    reach = {name: repo.graph.with_dependencies(edges[name]) for name in edges}
    reported: set[str] = set()
    for name in sorted(edges):
        if name in reported or name not in reach[name]:
            continue
        reported |= {other for other in reach[name] if name in reach[other]}
        circle = " -> ".join(_cycle_through(name, edges))
        message = f"dependency cycle: {circle} (remove one of these path dependencies)"
        yield _error(repo.workspace.projects[name], "cycles", message)


def path_dependencies(repo: Repository) -> Iterator[Finding]:
    """Path dependencies that leave the repository, or point at something that is not a library."""
    by_path = repo.workspace.by_path()
    shared = {path for duplicate in repo.duplicates for path in duplicate.paths}
    for project in repo.projects():
        for dependency in project.path_dependencies:
            target = dependency.target
            quoted = f"path dependency '{dependency.name}' ({dependency.path})"
            if os.path.isabs(target) or target == ".." or target.startswith("../"):
                yield _error(project, "path-dependencies", f"{quoted} leaves the repository")
            elif target in shared:
                continue  # reported by duplicate_names
            elif target not in by_path:
                message = f"{quoted} points at {target}, which is not a project of this repository"
                yield _error(project, "path-dependencies", message)
            elif by_path[target].kind != "lib":
                used = by_path[target]
                message = f"{quoted} points at {used.name}, a project of kind {used.kind}, not a library"
                yield _error(project, "path-dependencies", message)


def dockerfiles(repo: Repository) -> Iterator[Finding]:
    """Apps without a Dockerfile: `./mono build` has nothing to build them with."""
    for project in repo.projects():
        if project.kind == "app" and not (project.directory(repo.workspace.root) / "Dockerfile").is_file():
            yield _error(project, "dockerfiles", "is an app but has no Dockerfile (./mono build needs one)")


# --- what the code imports, which Pythons fit --------------------------------------------------


def _project_folders(repo: Repository) -> set[Path]:
    root = repo.workspace.root
    paths = {*repo.workspace.by_path(), *(path for duplicate in repo.duplicates for path in duplicate.paths)}
    return {root if path == "." else root / path for path in paths}


def imports(repo: Repository) -> Iterator[Finding]:
    """Internal packages imported but not declared, declared but never used, and libraries reached but not declared."""
    libraries = repo.libraries()
    owner: dict[str, str] = {}  # importable package -> library
    for name in sorted(libraries):
        for package in package_names(repo.workspace.projects[name], repo.pyprojects[name]):
            owner.setdefault(package, name)
    folders = _project_folders(repo)
    for project in repo.projects():
        folder = project.directory(repo.workspace.root)
        used: dict[str, set[str]] = {}  # library -> its packages this project imports
        for file in python_files(folder, folders - {folder}):
            for package in imported_names(file) & owner.keys():
                used.setdefault(owner[package], set()).add(package)
        used.pop(project.name, None)
        declared = set(project.depends_on)
        for library in sorted(used.keys() - declared):
            packages = ", ".join(sorted(used[library]))
            message = f"imports {packages} from library {library} but does not declare it (add it as a path dependency)"
            yield _error(project, "imports", message)
        for library in sorted((declared & libraries) - used.keys()):
            if library not in repo.runtime.with_dependencies(declared - {library}):
                message = f"declares {library} but never imports it (remove the dependency if nothing needs it)"
                yield _error(project, "imports", message)
        for library in sorted((repo.reached(project.name) & libraries) - declared - used.keys()):
            through = next(d for d in sorted(declared) if library in repo.runtime.with_dependencies({d}))
            message = (
                f"uses {library} through {through} but does not declare it "
                "(Poetry will not find it: declare every library you reach)"
            )
            yield _error(project, "imports", message)


def python_fit(repo: Repository) -> Iterator[Finding]:
    """Projects that allow a Python one of their libraries does not support (Poetry refuses to lock them)."""
    ranges: dict[str, frozenset[Version] | None] = {}
    for name in repo.workspace.projects:
        written = requires_python(repo.pyprojects[name])
        # Not set means any Python; a constraint that cannot be read is skipped (Poetry reports it).
        ranges[name] = frozenset(PYTHONS) if written is None else supported_pythons(written)
    libraries = repo.libraries()
    for project in repo.projects():
        mine = ranges[project.name]
        for library in sorted(repo.reached(project.name) & libraries):
            theirs = ranges[library]
            if mine is None or theirs is None or mine <= theirs:
                continue
            wanted, offered = (requires_python(repo.pyprojects[name]) or "any" for name in (project.name, library))
            left_out = sorted({f"{python.major}.{python.minor}" for python in mine - theirs}, key=Version)
            message = (
                f"requires-python '{wanted}' does not fit {library}'s '{offered}': "
                f"{library} leaves out Python {', '.join(left_out)}"
            )
            yield _error(project, "requires-python", message)


# --- locked versions and stale locks ------------------------------------------------------------


def _same_version(first: str, second: str) -> bool:
    try:
        return Version(first) == Version(second)
    except InvalidVersion:
        return first == second


def _locked(repo: Repository) -> tuple[dict[str, dict[str, tuple[str, ...]]], list[Finding]]:
    """Third-party package -> project -> the versions its poetry.lock holds; and unreadable locks."""
    locked: dict[str, dict[str, tuple[str, ...]]] = {}
    unreadable = []
    for project in repo.projects():
        if not project.has_lock:
            continue
        path = project.directory(repo.workspace.root) / "poetry.lock"
        try:
            lock = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            unreadable.append(_error(project, "versions", f"poetry.lock cannot be read: {error}"))
            continue
        versions: dict[str, set[str]] = {}
        for package in lock.get("package", []):
            source = package.get("source") if isinstance(package, dict) else None
            # Internal libraries, files, URLs and git checkouts have no index version to compare;
            # a package from another index ("legacy" source) does.
            if not isinstance(package, dict) or (isinstance(source, dict) and source.get("type") != "legacy"):
                continue
            name, version = package.get("name"), package.get("version")
            if isinstance(name, str) and isinstance(version, str):
                versions.setdefault(normalize_name(name), set()).add(version)
        for name, found in versions.items():
            locked.setdefault(name, {})[project.name] = tuple(sorted(found, key=str))
    return locked, unreadable


def _some(names: list[str], shown: int = 3) -> str:
    return ", ".join(names) if len(names) <= shown else f"{', '.join(names[:shown])} and {len(names) - shown} more"


def locked_versions(repo: Repository) -> Iterator[Finding]:
    """A package locked at different versions in different projects (a warning), or off its repo-wide pin."""
    locked, unreadable = _locked(repo)
    yield from unreadable
    pins = repo.workspace.config.pins
    for package in sorted(locked):
        holders = locked[package]
        if package in pins:
            pin = pins[package]
            for name in sorted(holders):
                off = [version for version in holders[name] if not _same_version(version, pin)]
                if off:
                    message = f"locks {package} {', '.join(off)} but the repository pins {pin} ([tool.mono] pins)"
                    yield _error(repo.workspace.projects[name], "versions", message)
            continue
        if len(set(holders.values())) < 2:
            continue
        for name in sorted(holders):
            others: dict[tuple[str, ...], list[str]] = {}
            for other in sorted(holders):
                if holders[other] != holders[name]:
                    others.setdefault(holders[other], []).append(other)
            elsewhere = "; ".join(f"{', '.join(v)} in {_some(users)}" for v, users in sorted(others.items()))
            project = repo.workspace.projects[name]
            message = f"locks {package} {', '.join(holders[name])}, other projects lock {elsewhere}"
            yield Finding(project.name, project.path, "versions", "warning", message)


def stale_locks(repo: Repository) -> Iterator[Finding]:
    """Locks that are missing or out of step with their pyproject.toml or their libraries (may run Poetry)."""
    from mono.runner import default_workers, run_tasks
    from mono.tasks import Outcome

    workspace = repo.workspace

    def task(name: str, log: Path) -> Outcome:
        try:
            state = lockfile.freshness(workspace, repo.graph, name, log)
        except MonoError as error:
            return Outcome("failed", f"could not check poetry.lock: {error}")
        if state.fresh:
            return Outcome("up to date")
        return Outcome("failed", f"poetry.lock is stale: {state.reason} (run ./mono lock {name})")

    for project in repo.projects():
        if not project.has_lock:
            yield _error(project, "locks", f"has no poetry.lock (run ./mono lock {project.name})")
    names = [project.name for project in repo.projects() if project.has_lock]
    # Reading locks needs no dependency order, and this graph may hold cycles: run them unordered.
    unordered = Graph({name: () for name in names})
    run = run_tasks("check", names, unordered, task, workspace.root, default_workers(workspace.config.workers))
    for result in sorted(run.failed, key=lambda result: result.project):
        yield _error(workspace.projects[result.project], "locks", result.detail)


# --- all of them --------------------------------------------------------------------------------

Check = Callable[[Repository], Iterable[Finding]]

CHECKS: dict[str, Check] = {
    "names": duplicate_names,
    "cycles": cycles,
    "path-dependencies": path_dependencies,
    "imports": imports,
    "requires-python": python_fit,
    "versions": locked_versions,
    "locks": stale_locks,
    "dockerfiles": dockerfiles,
}


def check_repository(root: Path, strict: bool = False) -> Report:
    """Run every check on the repository at `root`; with `strict`, warnings count as errors."""
    repo = load_repository(root)
    findings = [finding for check in CHECKS.values() for finding in check(repo)]
    if strict:
        findings = [replace(finding, severity="error") for finding in findings]
    order = list(CHECKS)
    findings.sort(key=lambda finding: (finding.project, finding.path, order.index(finding.check)))
    dropped = sum(len(duplicate.paths) - 1 for duplicate in repo.duplicates)  # kept out of the workspace
    return Report(tuple(findings), projects=len(repo.workspace.projects) + dropped)
