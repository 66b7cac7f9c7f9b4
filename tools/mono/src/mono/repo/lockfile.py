"""Reading a poetry.lock: its packages, the versions it holds, and its entries for internal libraries."""

from __future__ import annotations

import os
import threading
import tomllib
from pathlib import Path
from typing import Any

from mono.model import paths
from mono.model.names import normalize_name
from mono.model.project import Workspace
from mono.model.versions import same_constraint
from mono.repo.pyproject import PyProject, spec_version


class UnreadableLock(Exception):
    """A poetry.lock that cannot be read or is not TOML; the message says why."""


def read_lock(path: Path) -> dict[str, Any]:
    """The parsed lock at `path`; UnreadableLock when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UnreadableLock(str(error)) from error


# Locks parsed by shared_lock, by path: the stat they were read at and what they hold.
_SHARED: dict[str, tuple[tuple[int, ...], dict[str, Any]]] = {}
_SHARED_GUARD = threading.Lock()
_SHARED_KEPT = 64


def _signature(path: Path) -> tuple[int, ...]:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def shared_lock(path: Path) -> dict[str, Any]:
    """read_lock, parsed once per process while the file keeps its stat: an install reads one
    lock three times (its format, its requirements, Poetry's content hash), 40-50 ms each with
    numpy's and pandas' hashes. The dict is shared by every caller: read it, never change it."""
    try:
        before = _signature(path)
    except OSError as error:
        raise UnreadableLock(str(error)) from error
    with _SHARED_GUARD:
        kept = _SHARED.get(str(path))
    if kept is not None and kept[0] == before:
        return kept[1]
    lock = read_lock(path)
    try:
        unchanged = _signature(path) == before  # else it changed while read: not kept
    except OSError:
        unchanged = False
    if unchanged:
        with _SHARED_GUARD:
            if len(_SHARED) >= _SHARED_KEPT:
                _SHARED.pop(next(iter(_SHARED)))
            _SHARED[str(path)] = (before, lock)
    return lock


# Locks of format 2.1 (written by Poetry 2) record each package's markers; from older ones
# `poetry export` works them out again and can leave packages out (one needed only through an
# extra, such as uvicorn[standard]'s uvloop), which `poetry sync` still installs.
_MARKERS_RECORDED = (2, 1)


def old_lock_format(name: str, version: str) -> str:
    """What an old lock format means, for the messages of install, check and build."""
    return (
        f"{name}'s poetry.lock has lock-version {version} (older than 2.1), which records no markers: "
        f"its export may leave packages out (./mono lock {name} --force rewrites it)"
    )


def lock_without_markers(path: Path) -> str | None:
    """The lock-version of a poetry.lock older than format 2.1, which records no markers, or
    None (a newer lock, or one that cannot be read: that is reported elsewhere)."""
    try:
        written = shared_lock(path).get("metadata", {}).get("lock-version")
    except (UnreadableLock, AttributeError):
        return None
    parts = str(written).split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return str(written) if tuple(int(part) for part in parts) < _MARKERS_RECORDED else None


def _packages(lock: dict[str, Any]) -> list[dict[str, Any]]:
    packages = lock.get("package", [])
    return [package for package in packages if isinstance(package, dict)] if isinstance(packages, list) else []


def index_versions(lock: dict[str, Any]) -> dict[str, set[str]]:
    """Package (normalised) -> the versions the lock holds of it, for packages from an index.

    Internal libraries, files, URLs and git checkouts have no index version to compare; a package
    from another index (a "legacy" source) does.
    """
    versions: dict[str, set[str]] = {}
    for package in _packages(lock):
        source = package.get("source")
        if isinstance(source, dict) and source.get("type") != "legacy":
            continue
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and isinstance(version, str):
            versions.setdefault(normalize_name(name), set()).add(version)
    return versions


def locked_version(lock: dict[str, Any], package: str) -> str | None:
    """The version of `package` (normalised) the lock holds from an index, or None (a lock may
    hold two, one per marker: then the newest)."""
    from mono.model.versions import parse_version

    versions = sorted(index_versions(lock).get(package, ()))
    readable = [version for version in versions if parse_version(version) is not None]
    return max(readable, key=parse_version) if readable else (versions[-1] if versions else None)  # type: ignore[arg-type]


def constraints_in_lock(lock: dict[str, Any], package: str) -> list[tuple[str, str]]:
    """What the lock's other packages require of `package` (normalised): (who, constraint),
    who as "NAME VERSION", for each entry of their dependencies (Poetry writes them as declared)."""
    found = []
    for entry in _packages(lock):
        for key, spec in (entry.get("dependencies") or {}).items():
            if normalize_name(str(key)) != package:
                continue
            for each in spec if isinstance(spec, list) else [spec]:
                version = spec_version(each)
                if version is not None:
                    found.append((f"{entry.get('name')} {entry.get('version')}", version))
    return found


def _locked_constraints(package: dict[str, Any]) -> dict[str, str]:
    constraints = {}
    for key, spec in (package.get("dependencies") or {}).items():
        version = spec_version(spec)
        if version is not None and not (isinstance(spec, dict) and spec.get("optional")):
            constraints[normalize_name(key)] = version
    return constraints


def _constraint_drift(library: str, declared: dict[str, str], locked: dict[str, str]) -> str:
    """Which dependency's constraint the library changed since the lock was written, or ''."""
    for name in sorted(declared.keys() & locked.keys()):
        if not same_constraint(declared[name], locked[name]):
            return f"{library} changed its constraint on {name} ({locked[name]} -> {declared[name]})"
    return ""


def _locked_required_names(package: dict[str, Any]) -> set[str]:
    names = set()
    for key, spec in (package.get("dependencies") or {}).items():
        if not (isinstance(spec, dict) and spec.get("optional")):
            names.add(normalize_name(key))
    return names


def _directory_target(workspace: Workspace, project_path: str, package: dict[str, Any]) -> str | None:
    """The repo-relative folder a `directory` package of the lock points at; None for others."""
    source = package.get("source") or {}
    if not isinstance(source, dict) or source.get("type") != "directory":
        return None
    target = paths.join(project_path, str(source.get("url", "")))
    return None if paths.leaves_repository(target) else target  # outside the repository: not ours to judge


def library_drift(workspace: Workspace, name: str, lock: dict[str, Any]) -> str:
    """Why the lock's entries for internal libraries disagree with their pyproject.toml, or ''."""
    by_path = workspace.by_path()
    for package in _packages(lock):
        target = _directory_target(workspace, workspace.projects[name].path, package)
        library = by_path.get(target) if target is not None else None
        if library is None:
            continue
        pyproject = PyProject.read(library.directory(workspace.root) / "pyproject.toml", library.pyproject_shown)
        if library.version is not None and str(package.get("version")) != library.version:
            return f"{library.name} is {library.version} but the lock has {package.get('version')}"
        declared, locked = pyproject.required_names(), _locked_required_names(package)
        if declared != locked:
            changes = [f"+{n}" for n in sorted(declared - locked)] + [f"-{n}" for n in sorted(locked - declared)]
            return f"{library.name} changed its dependencies ({', '.join(changes)})"
        drift = _constraint_drift(library.name, pyproject.required_constraints(), _locked_constraints(package))
        if drift:
            return drift
    return ""
