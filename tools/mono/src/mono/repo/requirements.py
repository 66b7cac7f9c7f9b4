"""A poetry.lock as the requirements file `poetry export --format requirements.txt` writes, in-process.

An install used to start Poetry once per project (about 0.7 s) only to export its lock. The
export of a lock of format 2.1 or newer is a plain reading of it: every package of the groups
asked for, its marker the union of its recorded per-group markers, met with the project's
Python constraint, then one line per package with its hashes (poetry-plugin-export's
`get_project_dependency_packages2` and `Exporter._export_generic_txt`). This module does that
reading with poetry-core's marker algebra and package classes, the library both Poetry and the
export plugin use, so the lines come out byte for byte as the plugin writes them (the
integration tests compare them) without importing Poetry itself.

What it does not do, the caller leaves to `poetry export`: locks older than 2.1 (their markers
are worked out by walking the dependencies) and packages from another index (the header of
`--index-url` options comes from Poetry's configured sources and pool order).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mono.model.names import normalize_name
from mono.repo.lockfile import UnreadableLock, shared_lock
from mono.repo.toml import table

if TYPE_CHECKING:
    from poetry.core.packages.package import Package
    from poetry.core.version.markers import BaseMarker

# poetry-plugin-export writes only these hash algorithms (Exporter.ALLOWED_HASH_ALGORITHMS).
_HASHES = ("sha256", "sha384", "sha512")
# What Poetry takes for a project that names no Python (ProjectPackage).
_ANY_PYTHON = "~2.7 || >=3.4"
_MAIN = "main"
# What Poetry's Locker reads of every package of a lock, whether it is exported or not.
_REQUIRED = ("name", "version", "optional", "python-versions", "groups")
# Installs run in threads; poetry-core's marker parser (lark) is one shared, lazily built
# object, and lark has had races in concurrent parsing. An export takes milliseconds: one at a time.
_ONE_AT_A_TIME = threading.Lock()


class NotExportable(Exception):
    """A lock this module does not export; the message says why (`poetry export` can)."""


@dataclass(frozen=True)
class Export:
    """What to export: the project's parsed pyproject.toml, where its lock lives, the groups."""

    pyproject: dict[str, Any]
    lock: dict[str, Any]
    lock_folder: Path
    groups: Collection[str]  # the groups besides main, as `--with` names them


# --- the export --------------------------------------------------------------------------------


def python_versions(pyproject: dict[str, Any]) -> str:
    """The project's Python constraint as Poetry's root package holds it: `requires-python`, unless
    `python` in the main group's Poetry dependencies narrows it (the last one Poetry reads wins)."""
    found = table(pyproject, "project").get("requires-python", "*")
    poetry = table(pyproject, "tool", "poetry")
    for dependencies in (table(poetry, "dependencies"), table(poetry, "group", _MAIN, "dependencies")):
        python = next((value for key, value in dependencies.items() if key.lower() == "python"), None)
        if isinstance(python, str):
            found = python
    return _ANY_PYTHON if found == "*" else str(found)


def _python_marker(pyproject: dict[str, Any]) -> BaseMarker:
    from poetry.core.constraints.version import parse_marker_version_constraint
    from poetry.core.packages.utils.utils import create_nested_marker
    from poetry.core.version.markers import parse_marker

    constraint = parse_marker_version_constraint(python_versions(pyproject))
    return parse_marker(create_nested_marker("python_version", constraint))


def _group_marker(info: dict[str, Any], groups: Collection[str]) -> BaseMarker:
    """The union of the package's recorded markers for the groups asked for (main first), as
    TransitivePackageInfo.get_marker; empty when it is in none of them."""
    from poetry.core.version.markers import EmptyMarker, parse_marker

    recorded = info.get("markers", "*")
    in_groups = {normalize_name(str(group)) for group in info.get("groups", [])}
    marker: BaseMarker = EmptyMarker()
    for group in sorted(in_groups & set(groups), key=lambda name: (name != _MAIN, name)):
        text = recorded if isinstance(recorded, str) else _per_group(recorded, group)
        marker = marker.union(parse_marker(text))
    return marker


def _per_group(recorded: dict[str, Any], group: str) -> str:
    """A package's marker for one group, from a lock that records one per group."""
    return next((str(value) for key, value in recorded.items() if normalize_name(str(key)) == group), "*")


def _hash_lines(files: Iterable[Mapping[str, Any]]) -> str:
    """The `--hash` continuation lines of a package's files, sorted; a bare hash is sha256."""
    hashes = []
    for file in files:
        algorithm, colon, value = str(file["hash"]).partition(":")
        if not colon:
            algorithm, value = "sha256", algorithm
        elif algorithm not in _HASHES:
            continue
        hashes.append(f"{algorithm}:{value}")
    return "".join(f" \\\n    --hash={each}" for each in sorted(hashes))


def _package(info: dict[str, Any], lock_folder: Path, marker: BaseMarker) -> Package:
    """The locked package as Poetry's Locker reads it (without its dependencies), with `marker`."""
    from poetry.core.packages.package import Package

    source = table(info, "source")
    kind, url = source.get("type"), source.get("url")
    if kind in ("directory", "file"):
        url = lock_folder.joinpath(str(url)).resolve().as_posix()
    package = Package(
        str(info["name"]),
        str(info["version"]),
        source_type=kind,
        source_url=url,
        source_reference=source.get("reference"),
        source_resolved_reference=source.get("resolved_reference"),
        source_subdirectory=source.get("subdirectory"),
    )
    package.files = list(info.get("files") or [])  # locks of format 2.1 keep them per package
    package.python_versions = str(info["python-versions"])
    if "develop" in info:
        package.develop = bool(info["develop"])
    package.marker = marker
    return package


def _line(package: Package) -> str:
    """The package's line in the export (Exporter._export_generic_txt, with hashes)."""
    from poetry.core.packages.utils.utils import path_to_url

    dependency = package.to_dependency()
    requirement = dependency.to_pep_508(with_extras=False, resolved=True)
    remote, local = dependency.is_vcs() or dependency.is_url(), dependency.is_file() or dependency.is_directory()
    if remote:
        line = requirement
    elif local:
        uri = path_to_url(str(dependency.source_url))
        line = f"-e {uri}" if package.develop else f"{package.complete_name} @ {uri}"
    else:
        line = f"{package.complete_name}=={package.version}"
    if not remote and ";" in requirement:
        markers = requirement.split(";", 1)[1].strip()
        if markers:
            line += f" ; {markers}"
    return line + _hash_lines(package.files)


def _selected(export: Export) -> Iterator[tuple[dict[str, Any], BaseMarker]]:
    """Each locked package of the groups asked for, with its marker in the export (as
    get_project_dependency_packages2, with no extras of the project's own)."""
    groups = {_MAIN, *(normalize_name(group) for group in export.groups)}
    python = _python_marker(export.pyproject)
    for info in export.lock.get("package", []):
        missing = [key for key in _REQUIRED if key not in info]  # Poetry's Locker fails on these
        if missing:
            raise KeyError(f"{info.get('name', 'a package')} has no {missing[0]}")
        if not {normalize_name(str(group)) for group in info["groups"]} & groups:
            continue
        marker = _group_marker(info, groups).apply({"extra": []})
        if not marker.is_empty():
            yield info, python.intersect(marker)


def export_requirements(export: Export) -> str:
    """The text `poetry export --format requirements.txt --with GROUPS` writes for the lock;
    NotExportable for a lock older than format 2.1, with packages from another index, or with
    entries Poetry would have to judge."""
    version = str(table(export.lock, "metadata").get("lock-version", ""))
    parts = version.split(".")
    if not all(part.isdigit() for part in parts) or tuple(int(part) for part in parts) < (2, 1):
        raise NotExportable(f"lock-version {version} records no markers")
    lines: set[str] = set()
    try:
        for info, marker in _selected(export):
            if table(info, "source").get("type") == "legacy":
                raise NotExportable(
                    f"{info.get('name')} comes from the source {table(info, 'source').get('reference')}"
                )
            lines.add(_line(_package(info, export.lock_folder, marker)))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        # A damaged or hand-edited entry: Poetry's own export says what is wrong with it.
        raise NotExportable(f"an entry Poetry must read ({type(error).__name__}: {error})") from error
    return "\n".join(sorted(lines)) + "\n"


def requirements_from_lock(lock_path: Path, pyproject: dict[str, Any], groups: Collection[str]) -> str:
    """The project's poetry.lock at `lock_path` as `poetry export` writes it (export_requirements);
    NotExportable as there or when the lock is not TOML. Whether the lock is fresh is the caller's
    question, answered by Poetry's Locker (mono.external.poetry.lock_is_fresh)."""
    try:
        lock = shared_lock(lock_path)
    except UnreadableLock as error:
        raise NotExportable(f"poetry.lock cannot be read ({error})") from error
    with _ONE_AT_A_TIME:
        return export_requirements(Export(pyproject, lock, lock_path.parent, groups))
