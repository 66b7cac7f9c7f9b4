"""Projects and the workspace they make up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mono.model.config import Config, DockerContext
from mono.model.kinds import Kind, rules

Style = Literal["pep621", "poetry1"]


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
    # Repo-relative folders outside its own that its packages come from (Polylith's bricks).
    sources_outside: tuple[str, ...] = ()
    # Its own `[tool.mono] docker-context`, which wins over the repository's setting.
    docker_context: DockerContext | None = None

    def directory(self, root: Path) -> Path:
        """The project's folder on disk."""
        return root if self.path == "." else root / self.path

    @property
    def pyproject_shown(self) -> str:
        """How its pyproject.toml is named in messages: repo-relative."""
        return "pyproject.toml" if self.path == "." else f"{self.path}/pyproject.toml"

    @property
    def path_dependency_names(self) -> tuple[str, ...]:
        """The internal projects it depends on by path (not by version)."""
        return tuple(name for name in self.depends_on if name not in self.version_dependencies)

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
class Duplicate:
    """Projects that share one name, in discovery order (the first one is the one kept)."""

    name: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Workspace:
    """A repository: its root, its settings and its projects by name."""

    root: Path
    config: Config
    projects: dict[str, Project]

    def by_path(self) -> dict[str, Project]:
        """Projects keyed by their repo-relative path."""
        return {project.path: project for project in self.projects.values()}

    def folder(self, name: str) -> Path:
        """The folder of project `name` on disk."""
        return self.projects[name].directory(self.root)

    def used_by_path(self) -> set[str]:
        """The projects some other project depends on by path."""
        return {dependency for project in self.projects.values() for dependency in project.path_dependency_names}

    def lock_optional(self, name: str) -> bool:
        """True for a library other projects use by path: its users' locks hold everything it
        needs, so many repositories never lock it on its own, and the tool does not ask them to."""
        return rules(self.projects[name].kind).library and name in self.used_by_path()

    def path_closure(self, name: str) -> set[str]:
        """The internal projects `name` reaches through path dependencies (itself excluded): what
        an image of it must carry; dependencies by version come from an index instead."""
        seen: set[str] = set()
        pending = [name]
        while pending:
            for dependency in set(self.projects[pending.pop()].path_dependency_names) - seen:
                seen.add(dependency)
                pending.append(dependency)
        return seen - {name}
