"""Is a project's poetry.lock in step with what it was resolved from?

A lock is made from the dependency tables of the project's pyproject.toml and of every internal
library it reaches through path dependencies (Poetry records a library's own dependencies in
the lock). Those tables are hashed; after each lock the hash is stored beside a hash of the lock
itself, so an unchanged project is known to be fresh without starting Poetry. When there is no
record, or the lock changed under us (a pull, a checkout), the lock is inspected instead:
`poetry check --lock` for the project's own tables, and the lock's entries for internal
libraries compared with those libraries' pyproject.toml.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mono.graph import Graph
from mono.poetry import poetry
from mono.state import read_stamp, state_dir, write_stamp
from mono.toml import read_toml, table
from mono.workspace import Workspace, normalize_name

# The parts of a pyproject.toml that can change what a lock contains.
_PROJECT_KEYS = ("name", "version", "requires-python", "dependencies", "optional-dependencies")
_POETRY_KEYS = ("name", "version", "dependencies", "group", "extras", "source", "package-mode")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Freshness:
    """Whether a lock is fresh, and if not, why (one line a user can act on)."""

    fresh: bool
    reason: str = ""


def _dependency_tables(data: dict[str, Any]) -> dict[str, Any]:
    project, poetry_table = table(data, "project"), table(data, "tool", "poetry")
    return {
        "project": {key: project.get(key) for key in _PROJECT_KEYS},
        "poetry": {key: poetry_table.get(key) for key in _POETRY_KEYS},
    }


def lock_inputs_key(workspace: Workspace, graph: Graph, name: str) -> str:
    """A hash of the dependency tables of the project and its transitive internal libraries."""
    digest = hashlib.sha256()
    for item in sorted(graph.with_dependencies({name})):
        project = workspace.projects[item]
        data = read_toml(project.directory(workspace.root) / "pyproject.toml", f"{project.path}/pyproject.toml")
        digest.update(json.dumps([project.path, _dependency_tables(data)], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(workspace: Workspace, name: str) -> Path:
    return state_dir(workspace.root) / "locked" / name


def remember_fresh(workspace: Workspace, graph: Graph, name: str) -> None:
    """Record that the project's current poetry.lock matches its current inputs."""
    lock = workspace.projects[name].directory(workspace.root) / "poetry.lock"
    write_stamp(_record(workspace, name), f"{lock_inputs_key(workspace, graph, name)} {_file_hash(lock)}")


def _required_names(data: dict[str, Any]) -> set[str]:
    """Names of the required dependencies a pyproject.toml declares (PEP 621 and Poetry tables)."""
    names = set()
    for requirement in table(data, "project").get("dependencies") or []:
        match = _REQUIREMENT_NAME.match(str(requirement))
        if match:
            names.add(normalize_name(match.group(1)))
    for key, spec in table(data, "tool", "poetry", "dependencies").items():
        if key != "python" and not (isinstance(spec, dict) and spec.get("optional")):
            names.add(normalize_name(key))
    return names


def _locked_required_names(package: dict[str, Any]) -> set[str]:
    names = set()
    for key, spec in (package.get("dependencies") or {}).items():
        if not (isinstance(spec, dict) and spec.get("optional")):
            names.add(normalize_name(key))
    return names


def _library_drift(workspace: Workspace, name: str, lock: dict[str, Any]) -> str:
    """Why the lock's entries for internal libraries disagree with their pyproject.toml, or ''."""
    folder = workspace.projects[name].directory(workspace.root)
    by_path = workspace.by_path()
    for package in lock.get("package", []):
        source = package.get("source") or {}
        if source.get("type") != "directory":
            continue
        target = Path(os.path.normpath(folder / str(source.get("url", ""))))
        try:
            relative = target.relative_to(workspace.root).as_posix() or "."
        except ValueError:
            continue  # outside the repository: not ours to judge
        library = by_path.get(relative)
        if library is None:
            continue
        data = read_toml(target / "pyproject.toml", f"{relative}/pyproject.toml")
        if library.version is not None and str(package.get("version")) != library.version:
            return f"{library.name} is {library.version} but the lock has {package.get('version')}"
        declared, locked = _required_names(data), _locked_required_names(package)
        if declared != locked:
            changes = [f"+{n}" for n in sorted(declared - locked)] + [f"-{n}" for n in sorted(locked - declared)]
            return f"{library.name} changed its dependencies ({', '.join(changes)})"
    return ""


def freshness(workspace: Workspace, graph: Graph, name: str, log: Path) -> Freshness:
    """Whether the project's poetry.lock is fresh. Reads only; may record a verified result."""
    lock_path = workspace.projects[name].directory(workspace.root) / "poetry.lock"
    if not lock_path.is_file():
        return Freshness(False, "there is no poetry.lock")
    inputs, lock_hash = lock_inputs_key(workspace, graph, name), _file_hash(lock_path)
    recorded = (read_stamp(_record(workspace, name)) or "").split(" ")
    if recorded == [inputs, lock_hash]:
        return Freshness(True)
    if len(recorded) == 2 and recorded[1] == lock_hash:
        return Freshness(False, "pyproject.toml or an internal library's dependencies changed since the last lock")
    # No record for this lock: inspect it.
    folder = workspace.projects[name].directory(workspace.root)
    result = poetry(["check", "--lock"], workspace.root, folder, log, check=False)
    if result.returncode != 0:
        return Freshness(False, "pyproject.toml changed since poetry.lock was written")
    try:
        lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return Freshness(False, f"poetry.lock is not valid TOML ({error})")
    drift = _library_drift(workspace, name, lock)
    if drift:
        return Freshness(False, drift)
    remember_fresh(workspace, graph, name)
    return Freshness(True)
