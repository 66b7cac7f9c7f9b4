"""Discovery: every pyproject.toml below the repository root becomes a Project record."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mono.config import ALWAYS_SKIPPED, Config, Kind, check_kind, load_config, unknown_key
from mono.errors import DuplicateProject, InvalidPyproject, MissingPathDependency
from mono.toml import read_toml, table

Style = Literal["pep621", "poetry1"]

_PROJECT_SETTINGS = {"kind", "test-inputs", "test-env"}


def normalize_name(name: str) -> str:
    """PEP 503 normal form: lower case, runs of '-', '_' and '.' become one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class PathDependency:
    """A dependency located by a path, as written in a pyproject.toml."""

    name: str
    path: str  # as written, relative to the project folder
    target: str  # repo-relative, forward slashes; starts with '..' when outside the repo
    develop: bool


@dataclass(frozen=True)
class Project:
    """One Poetry project of the repository."""

    name: str
    path: str  # repo-relative with forward slashes; '.' for the root
    kind: Kind
    style: Style
    version: str | None
    depends_on: tuple[str, ...]  # internal projects it depends on directly, sorted
    path_dependencies: tuple[PathDependency, ...]
    has_lock: bool
    test_inputs: tuple[str, ...] = ()  # repo-relative paths its tests see beyond its own libraries
    # Internal projects it depends on by version (published to an index), not by path; also in
    # depends_on, so the graph and `affected` still follow them.
    version_dependencies: tuple[str, ...] = ()
    # Environment variables whose values change what its tests do (part of the test cache key).
    test_env: tuple[str, ...] = ()

    def directory(self, root: Path) -> Path:
        """The project's folder on disk."""
        return root if self.path == "." else root / self.path

    def as_json(self) -> dict[str, Any]:
        """The machine-readable form used by every `--json` output."""
        return {
            "name": self.name,
            "path": self.path,
            "kind": self.kind,
            "depends_on": list(self.depends_on),
            "depends_on_by_version": list(self.version_dependencies),
            "version": self.version,
            "style": self.style,
            "has_lock": self.has_lock,
        }


@dataclass(frozen=True)
class Workspace:
    """A repository: its root, its settings and its projects by name."""

    root: Path
    config: Config
    projects: dict[str, Project]

    def by_path(self) -> dict[str, Project]:
        """Projects keyed by their repo-relative path."""
        return {project.path: project for project in self.projects.values()}


@dataclass(frozen=True)
class _Parsed:
    name: str
    path: str
    kind: Kind
    style: Style
    version: str | None
    path_dependencies: tuple[PathDependency, ...]
    has_lock: bool
    test_inputs: tuple[str, ...]
    declared: frozenset[str]  # every dependency name it declares (normalised), path or not
    test_env: tuple[str, ...]


def _is_skipped(relative: str, name: str, exclude: tuple[str, ...]) -> bool:
    if name.startswith(".") or name in ALWAYS_SKIPPED:
        return True
    return any(fnmatch.fnmatch(relative, pattern) for pattern in exclude)


def find_pyprojects(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    """Repo-relative folders (below the root) that hold a pyproject.toml, in sorted order."""
    found: list[str] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        try:
            entries = list(os.scandir(root / relative if relative else root))
        except OSError:
            continue
        if relative and any(entry.name == ".git" for entry in entries):
            continue  # another repository (or a submodule): not ours to manage
        for entry in entries:
            if entry.name == "pyproject.toml" and relative and entry.is_file():
                found.append(relative)
            elif entry.is_dir(follow_symlinks=False):
                child = f"{relative}/{entry.name}" if relative else entry.name
                if not _is_skipped(child, entry.name, exclude):
                    pending.append(child)
    return sorted(found)


def _dependency_tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    poetry = table(data, "tool", "poetry")
    tables = [table(poetry, "dependencies"), table(poetry, "dev-dependencies")]
    tables += [table(group, "dependencies") for group in table(poetry, "group").values() if isinstance(group, dict)]
    return tables


def _path_dependencies(
    data: dict[str, Any], project_path: str, shown_as: str, root: Path, known: frozenset[str]
) -> tuple[PathDependency, ...]:
    found: dict[str, PathDependency] = {}
    for dependencies in _dependency_tables(data):
        for name, spec in dependencies.items():
            for constraint in spec if isinstance(spec, list) else [spec]:
                if not isinstance(constraint, dict) or "path" not in constraint:
                    continue
                written = constraint["path"]
                if not isinstance(written, str):
                    raise InvalidPyproject(shown_as, f"path of dependency '{name}' must be a string")
                base = "" if project_path == "." else project_path
                target = os.path.normpath(os.path.join(base, written)).replace(os.sep, "/")
                # Most targets are projects found already; only others need a look at the disk.
                if target not in known and not os.path.exists(root / target):
                    raise MissingPathDependency(shown_as, name, written)
                found[target] = PathDependency(normalize_name(name), written, target, bool(constraint.get("develop")))
    return tuple(found[key] for key in sorted(found))


_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _declared_names(data: dict[str, Any]) -> frozenset[str]:
    names = set()
    for requirement in table(data, "project").get("dependencies") or []:
        match = _REQUIREMENT_NAME.match(str(requirement))
        if match:
            names.add(normalize_name(match.group(1)))
    for dependencies in _dependency_tables(data):
        names |= {normalize_name(name) for name in dependencies if name != "python"}
    return frozenset(names)


def _test_env(value: Any, shown_as: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise InvalidPyproject(f"{shown_as} [tool.mono] test-env", "must be a list of environment variable names")
    return tuple(sorted(set(value)))


def _test_inputs(value: Any, project_path: str, shown_as: str) -> tuple[str, ...]:
    where = f"{shown_as} [tool.mono] test-inputs"
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidPyproject(where, "must be a list of paths relative to the project")
    base = "" if project_path == "." else project_path
    inputs = [os.path.normpath(os.path.join(base, item)).replace(os.sep, "/") for item in value]
    outside = [item for item, target in zip(value, inputs, strict=True) if target.startswith("..")]
    if outside:
        raise InvalidPyproject(where, f"'{outside[0]}' leaves the repository")
    return tuple(sorted(set(inputs)))


def _parse(root: Path, path: str, config: Config, known: frozenset[str]) -> _Parsed:
    folder = root if path == "." else root / path
    shown_as = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
    data = read_toml(folder / "pyproject.toml", shown_as)
    pep621 = table(data, "project")
    poetry = table(data, "tool", "poetry")
    style: Style = "pep621" if "project" in data else "poetry1"
    raw_name = pep621.get("name") if style == "pep621" else poetry.get("name")
    if raw_name is None and style == "poetry1":
        raw_name = folder.name if path != "." else root.name  # Poetry 1 allows no name with package-mode = false
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise InvalidPyproject(shown_as, "the project name must be a non-empty string", "set [project] name")
    version = pep621.get("version", poetry.get("version"))
    settings = table(data, "tool", "mono")
    for key in settings:
        if key not in _PROJECT_SETTINGS:
            raise unknown_key(key, _PROJECT_SETTINGS, f"{shown_as} [tool.mono]")
    if "kind" in settings:
        kind = check_kind(settings["kind"], f"{shown_as} [tool.mono] kind")
    else:
        kind = config.kinds.get(path.split("/", 1)[0], "other") if path != "." else "other"
    return _Parsed(
        test_inputs=_test_inputs(settings.get("test-inputs", []), path, shown_as),
        name=normalize_name(raw_name),
        path=path,
        kind=kind,
        style=style,
        version=version if isinstance(version, str) else None,
        path_dependencies=_path_dependencies(data, path, shown_as, root, known),
        has_lock=(folder / "poetry.lock").is_file(),
        declared=_declared_names(data),
        test_env=_test_env(settings.get("test-env", []), shown_as),
    )


def _root_is_project(root: Path) -> bool:
    path = root / "pyproject.toml"
    if not path.is_file():
        return False
    data = read_toml(path, "pyproject.toml")
    return "project" in data or "name" in table(data, "tool", "poetry")


@dataclass(frozen=True)
class Duplicate:
    """Projects that share one name, in discovery order (the first one is the one kept)."""

    name: str
    paths: tuple[str, ...]


def discover(root: Path) -> tuple[Workspace, tuple[Duplicate, ...]]:
    """Like load_workspace, but projects sharing a name are returned, not raised.

    Of each shared name the first project (by path) is kept in the workspace; `mono check`
    reports the others instead of stopping at them.
    """
    config = load_config(root)
    paths = find_pyprojects(root, config.exclude)
    if _root_is_project(root):
        paths.insert(0, ".")
    known = frozenset(paths)
    parsed = [_parse(root, path, config, known) for path in paths]
    by_name: dict[str, _Parsed] = {}
    shared: dict[str, list[str]] = {}  # in the order their second project was found
    for item in parsed:
        if item.name in by_name:
            shared.setdefault(item.name, [by_name[item.name].path]).append(item.path)
        else:
            by_name[item.name] = item
    name_at = {item.path: item.name for item in parsed}
    projects = {}
    for item in by_name.values():
        by_path = {name_at[dep.target] for dep in item.path_dependencies if dep.target in name_at}
        by_version = {name for name in item.declared if name in by_name and name not in by_path} - {item.name}
        projects[item.name] = Project(
            name=item.name,
            path=item.path,
            kind=item.kind,
            style=item.style,
            version=item.version,
            depends_on=tuple(sorted(by_path | by_version)),
            path_dependencies=item.path_dependencies,
            has_lock=item.has_lock,
            test_inputs=item.test_inputs,
            version_dependencies=tuple(sorted(by_version)),
            test_env=item.test_env,
        )
    duplicates = tuple(Duplicate(name, tuple(found)) for name, found in shared.items())
    return Workspace(root=root, config=config, projects=projects), duplicates


def path_closure(workspace: Workspace, name: str) -> set[str]:
    """The internal projects `name` reaches through path dependencies (itself excluded): what an
    image of it must carry; dependencies by version come from an index instead."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        project = workspace.projects[pending.pop()]
        for dependency in set(project.depends_on) - set(project.version_dependencies) - seen:
            seen.add(dependency)
            pending.append(dependency)
    return seen - {name}


def load_workspace(root: Path) -> Workspace:
    """Discover and parse every project of the repository at `root`; two projects with one name raise."""
    workspace, duplicates = discover(root)
    if duplicates:
        first = duplicates[0]
        raise DuplicateProject(first.name, first.paths[0], first.paths[1])
    return workspace
