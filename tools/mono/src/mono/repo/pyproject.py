"""The read model of a pyproject.toml: every rule about what its tables mean, in one place.

It understands PEP 621 `[project]` tables with Poetry 2, Poetry 1 projects (everything under
`[tool.poetry]`), dev-dependencies and dependency groups, package mode and `[tool.mono]`.
Raw TOML stays inside this class; the rest of the tool asks it questions.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from mono.errors import InvalidPyproject
from mono.model.names import normalize_name, requirement_name, split_requirement
from mono.model.project import Style
from mono.repo.toml import read_toml, table

# The parts of a pyproject.toml that can change what a lock contains.
_LOCK_PROJECT_KEYS = ("name", "version", "requires-python", "dependencies", "optional-dependencies")
_LOCK_POETRY_KEYS = ("name", "version", "dependencies", "group", "extras", "source", "package-mode")


def spec_version(spec: object) -> str | None:
    """The version constraint of one Poetry dependency spec (`"^2.0"` or `{ version = "^2.0", ... }`)
    as pyproject.toml and poetry.lock write it; None when it has none (a path, a git source)."""
    version = spec.get("version") if isinstance(spec, dict) else spec
    return version if isinstance(version, str) else None


@dataclass(frozen=True)
class WrittenPathDependency:
    """A path dependency as a table declares it."""

    name: str  # as written
    path: str  # relative to the project folder
    develop: bool


@dataclass(frozen=True)
class PyProject:
    """One parsed pyproject.toml and what its tables say."""

    data: dict[str, Any]
    shown_as: str  # its repo-relative name, for messages

    @classmethod
    def read(cls, path: Path, shown_as: str) -> PyProject:
        """Parse the file at `path`; a syntax error raises InvalidPyproject naming `shown_as`."""
        return cls(read_toml(path, shown_as), shown_as)

    # --- what the project is -------------------------------------------------------------------

    # Cached: discovery asks a few questions of each of thousands of files (docs/benchmarks.md).
    @cached_property
    def _project(self) -> dict[str, Any]:
        return table(self.data, "project")

    @cached_property
    def _poetry(self) -> dict[str, Any]:
        return table(self.data, "tool", "poetry")

    @property
    def style(self) -> Style:
        """PEP 621 (a `[project]` table, Poetry 2) or Poetry 1 (everything under `[tool.poetry]`)."""
        return "pep621" if "project" in self.data else "poetry1"

    @property
    def is_project(self) -> bool:
        """True when the file describes a project (not only settings, as a repository root's may)."""
        return "project" in self.data or "name" in self._poetry

    @property
    def other_tools_project(self) -> bool:
        """True when PDM or uv manages it, not Poetry: their own table or build backend, and
        nothing of Poetry's (a `[project]` table alone would suit Poetry 2 too)."""
        if "poetry" in table(self.data, "tool"):
            return False
        backend = table(self.data, "build-system").get("build-backend")
        if isinstance(backend, str) and backend.startswith(("pdm.", "uv_build")):
            return True
        return any(tool in table(self.data, "tool") for tool in ("pdm", "uv"))

    @property
    def name(self) -> Any:
        """The name as written (not validated): `[project] name`, or Poetry 1's `[tool.poetry] name`."""
        return self._project.get("name") if self.style == "pep621" else self._poetry.get("name")

    @property
    def version(self) -> str | None:
        """The version: `[project] version`, else `[tool.poetry] version`."""
        version = self._project.get("version", self._poetry.get("version"))
        return version if isinstance(version, str) else None

    @property
    def requires_python(self) -> str | None:
        """The Python constraint: `[project] requires-python`, else Poetry's `python` dependency."""
        main = (table(self._poetry, "dependencies"), table(self._poetry, "group", "main", "dependencies"))
        for value in (self._project.get("requires-python"), *(dependencies.get("python") for dependencies in main)):
            if isinstance(value, str) and value.strip():  # an empty one says nothing
                return value
        return None

    @property
    def installs_itself(self) -> bool:
        """True when Poetry would install the project itself into its venv (package mode)."""
        return self._poetry.get("package-mode", True) is not False

    @property
    def default_groups(self) -> list[str]:
        """The dependency groups `poetry sync` installs by default: every group not marked optional,
        and Poetry 1's `[tool.poetry.dev-dependencies]`, which Poetry reads as the group "dev"."""
        groups = table(self._poetry, "group")
        optional = {name for name, spec in groups.items() if isinstance(spec, dict) and spec.get("optional")}
        # PEP 735 groups too (`poetry add --group NEW` writes them): optional only as Poetry's table says.
        names = {*groups, *table(self.data, "dependency-groups")} - optional
        if table(self._poetry, "dev-dependencies") and "dev" not in groups:
            names.add("dev")
        return sorted(names)

    @property
    def build_system(self) -> dict[str, Any]:
        """The `[build-system]` table ({} without one)."""
        return table(self.data, "build-system")

    @property
    def has_build_system(self) -> bool:
        """True when it names its build backend (`[build-system]`); without one, uv and pip build
        it with setuptools where Poetry would use poetry-core."""
        return "build-system" in self.data

    @property
    def group_names(self) -> list[str]:
        """Every dependency group it has, optional or not (Poetry 1's dev-dependencies as "dev")."""
        names = {*table(self._poetry, "group"), *table(self.data, "dependency-groups")}
        if table(self._poetry, "dev-dependencies"):
            names.add("dev")
        return sorted(names)

    @property
    def installed_groups(self) -> list[str]:
        """The groups the tool installs: the default ones, and the optional ones its `[tool.mono]
        groups` names (as `poetry install --with` would)."""
        wanted = self.mono_settings.get("groups", [])
        extra = [group for group in wanted if isinstance(group, str)] if isinstance(wanted, list) else []
        return sorted({*self.default_groups, *extra})

    def optional_groups_holding(self, package: str) -> list[str]:
        """The optional groups that declare `package` (a normalised name)."""
        groups = table(self._poetry, "group")
        return sorted(
            name
            for name, spec in groups.items()
            if isinstance(spec, dict)
            and spec.get("optional")
            and package in {normalize_name(str(key)) for key in table(spec, "dependencies")}
        )

    @property
    def mono_settings(self) -> dict[str, Any]:
        """The project's `[tool.mono]` table."""
        return table(self.data, "tool", "mono")

    # --- what it runs ---------------------------------------------------------------------------

    @property
    def scripts(self) -> list[str]:
        """The names of its console scripts: `[project.scripts]` and Poetry's `[tool.poetry.scripts]`."""
        return sorted({*map(str, table(self._poetry, "scripts")), *map(str, table(self._project, "scripts"))})

    @property
    def run_setting(self) -> tuple[str, ...] | None:
        """`[tool.mono] run` as a command's arguments, None when unset: a list of arguments, or a
        string split as a shell splits it (`"python -m pkg.train"`; one word names a script).
        Anything else raises InvalidPyproject."""
        if "run" not in self.mono_settings:
            return None
        value = self.mono_settings["run"]
        where = f"{self.shown_as} [tool.mono] run"
        hint = 'for example run = "NAME" (a [project.scripts] entry) or run = "python -m PACKAGE.main"'
        if isinstance(value, str):
            try:
                value = shlex.split(value)
            except ValueError as error:  # an unclosed quote
                raise InvalidPyproject(where, f"is not a command line ({str(error).lower()})", hint) from error
        if not isinstance(value, list) or not all(isinstance(item, str) and "\0" not in item for item in value):
            raise InvalidPyproject(where, "must be a command: a string or a list of strings", hint)
        if not value or not value[0].strip():
            raise InvalidPyproject(where, "names no program to run", hint)
        return tuple(value)

    @property
    def run_command(self) -> tuple[str, ...] | None:
        """What `./mono run` runs: `[tool.mono] run`, else its one console script; None when it
        has neither, or several scripts and no setting to choose one."""
        setting = self.run_setting
        if setting is not None:
            return setting
        return (self.scripts[0],) if len(self.scripts) == 1 else None

    # --- what it depends on --------------------------------------------------------------------

    def dependency_tables(self) -> list[dict[str, Any]]:
        """Poetry's dependency tables: main, Poetry 1 dev-dependencies, then each group's."""
        return list(self._dependency_tables)

    @cached_property
    def _dependency_tables(self) -> tuple[dict[str, Any], ...]:
        tables = [table(self._poetry, "dependencies"), table(self._poetry, "dev-dependencies")]
        groups = table(self._poetry, "group").values()
        return (*tables, *(table(group, "dependencies") for group in groups if isinstance(group, dict)))

    @cached_property
    def _requirements(self) -> tuple[str, ...]:
        """`[project] dependencies`: PEP 621 makes it a list of requirement strings."""
        written = self._project.get("dependencies", [])
        if not isinstance(written, list):
            raise InvalidPyproject(
                self.shown_as,
                "[project] dependencies must be a list of requirement strings",
                'for example dependencies = ["requests>=2"]',
            )
        return tuple(str(requirement) for requirement in written)

    def _project_requirement_names(self) -> set[str]:
        names = set()
        for requirement in self._requirements:
            name = requirement_name(requirement)
            if name is not None:
                names.add(name)
        return names

    def declared_names(self) -> frozenset[str]:
        """Every dependency it declares, by normalised name, in any table, by path or not."""
        names = self._project_requirement_names()
        for dependencies in self.dependency_tables():
            names |= {normalize_name(name) for name in dependencies if name != "python"}
        return frozenset(names)

    def main_names(self) -> set[str]:
        """The dependencies of its main group: `[project].dependencies` and `[tool.poetry.dependencies]`."""
        names = self._project_requirement_names()
        main = {**table(self._poetry, "group", "main", "dependencies"), **table(self._poetry, "dependencies")}
        return names | {normalize_name(key) for key in main if key != "python"}

    def required_names(self) -> set[str]:
        """Names of its required dependencies: the main group, less Poetry's optional ones (extras)."""
        names = self._project_requirement_names()
        for key, spec in table(self._poetry, "dependencies").items():
            if key != "python" and not (isinstance(spec, dict) and spec.get("optional")):
                names.add(normalize_name(key))
        return names

    def required_constraints(self) -> dict[str, str]:
        """Required dependency (normalised) -> its version constraint as written ('*' for any);
        path dependencies have none. Poetry's table wins over `[project]` for a name in both."""
        constraints: dict[str, str] = {}
        for requirement in self._requirements:
            parts = split_requirement(requirement)
            if parts is not None:
                constraints[normalize_name(parts.name)] = parts.version.strip("() ") or "*"
        for key, spec in table(self._poetry, "dependencies").items():
            if key == "python" or (isinstance(spec, dict) and (spec.get("optional") or "path" in spec)):
                continue
            version = spec_version(spec)
            if version is not None:
                constraints[normalize_name(key)] = version
        return constraints

    def constraints_on(self, package: str) -> list[tuple[str, str]]:
        """Where the file constrains `package` (normalised) by version: (table, constraint as
        written) for each declaration, in any table and group; '*' for none, paths left out."""
        found = []
        for requirement in self._requirements:
            parts = split_requirement(requirement)
            if parts is not None and normalize_name(parts.name) == package:
                found.append(("[project] dependencies", parts.version.strip("() ") or "*"))
        groups = {name: table(spec, "dependencies") for name, spec in table(self._poetry, "group").items()}
        tables = {
            "[tool.poetry.dependencies]": table(self._poetry, "dependencies"),
            "[tool.poetry.dev-dependencies]": table(self._poetry, "dev-dependencies"),
            **{f"[tool.poetry.group.{name}.dependencies]": group for name, group in groups.items()},
        }
        for where, dependencies in tables.items():
            for key, spec in dependencies.items():
                if normalize_name(str(key)) != package:
                    continue
                for each in spec if isinstance(spec, list) else [spec]:
                    version = spec_version(each)
                    if version is not None or not (isinstance(each, dict) and "path" in each):
                        found.append((where, version or "*"))
        return found

    def path_dependencies(self, main_only: bool = False) -> Iterator[WrittenPathDependency]:
        """Every dependency located by a path (of the main table alone with `main_only`)."""
        tables = self.dependency_tables()[:1] if main_only else self.dependency_tables()
        for dependencies in tables:
            for name, spec in dependencies.items():
                for constraint in spec if isinstance(spec, list) else [spec]:
                    if not isinstance(constraint, dict) or "path" not in constraint:
                        continue
                    written = constraint["path"]
                    if not isinstance(written, str):
                        raise InvalidPyproject(self.shown_as, f"path of dependency '{name}' must be a string")
                    yield WrittenPathDependency(name, written, bool(constraint.get("develop")))

    def package_includes(self) -> list[tuple[str, str]]:
        """Its Poetry `packages` as (where on disk, relative to the project; where in the
        installed tree, '/'-separated): `{ include = "acme/greet", from = "src" }` is
        ("src/acme/greet", "acme/greet"). Globs are left out."""
        found = []
        packages = self._poetry.get("packages")
        for entry in packages if isinstance(packages, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str) and "*" not in entry["include"]:
                include = entry["include"].strip("/")
                source = f"{entry['from'].rstrip('/')}/{include}" if isinstance(entry.get("from"), str) else include
                placed = f"{entry['to'].strip('/')}/{include}" if isinstance(entry.get("to"), str) else include
                found.append((source, placed))
        return found

    def package_sources(self) -> list[str]:
        """The folders (relative to the project) its Poetry `packages` are taken `from`, as
        written: Polylith's bricks come from `../../components` and `../../bases`."""
        packages = self._poetry.get("packages")
        sources = []
        for entry in packages if isinstance(packages, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str) and isinstance(entry.get("from"), str):
                sources.append(f"{entry['from'].rstrip('/')}/{entry['include']}")
        return sources

    def excluded_folders(self) -> list[str]:
        """Folders (globs, relative to this file) a repository root says hold no members: the
        `exclude` lists of `[tool.uv.workspace]` and of poetry-workspace-plugin's
        `[tool.poetry.workspace]`, and the folders the root project's own packages come from (a
        pyproject.toml in there is package data; globs are left out)."""
        found: list[str] = []
        for owner in (table(self.data, "tool", "uv", "workspace"), table(self._poetry, "workspace")):
            excluded = owner.get("exclude")
            found += [item for item in excluded if isinstance(item, str)] if isinstance(excluded, list) else []
        if self.is_project:
            folders = [source for source, _ in self.package_includes()]
            found += [folder for folder in folders if not any(char in folder for char in "*?[")]
        return [item.strip("/").removeprefix("./") for item in found if item.strip("/. ")]

    def lock_inputs(self) -> dict[str, Any]:
        """The tables that decide what its poetry.lock holds (hashed to tell a stale lock)."""
        inputs = {
            "project": {key: self._project.get(key) for key in _LOCK_PROJECT_KEYS},
            "poetry": {key: self._poetry.get(key) for key in _LOCK_POETRY_KEYS},
        }
        if "dependency-groups" in self.data:  # only then: the hashes of other files stay as they were
            inputs["dependency-groups"] = self.data["dependency-groups"]
        return inputs
