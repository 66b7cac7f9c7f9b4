"""`mono outdated [selection]`: the third-party packages some selected lock holds at less than
the newest release, with the version each project locks and the newest its constraints allow.

"Newest allowed" is the newest release that every constraint on the package in that project
allows (its pyproject.toml's, and what the other packages of its lock require) and whose
requires-python covers the project's: what `./mono upgrade PACKAGE` would move to if it were
alone. The releases come from the repository's index (the setting pip and Poetry use), asked
in parallel; nothing is cached and nothing in the repository is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mono.engine.releases import Release, allowed_by, fetch_releases, newest
from mono.errors import MonoError
from mono.model.project import Workspace
from mono.model.versions import parse_version
from mono.repo.lockfile import UnreadableLock, constraints_in_lock, index_versions, locked_version, read_lock
from mono.repo.pyproject import PyProject


@dataclass(frozen=True)
class Locked:
    """One project's lock of a package: the version it holds and the newest it may have."""

    project: str
    path: str
    version: str
    allowed: str | None  # None: no release satisfies its constraints (or the index has none)


@dataclass(frozen=True)
class OutdatedPackage:
    """A package some selected lock holds at less than its newest release."""

    package: str
    released: str
    locked: tuple[Locked, ...]

    def as_json(self) -> dict[str, object]:
        """The row for --json."""
        projects = [
            {"name": item.project, "path": item.path, "locked": item.version, "allowed": item.allowed}
            for item in self.locked
        ]
        return {"package": self.package, "released": self.released, "projects": projects}


@dataclass(frozen=True)
class _Lock:
    project: str
    data: dict[str, object]
    pyproject: PyProject


def _locks(workspace: Workspace, projects: Iterable[str]) -> list[_Lock]:
    """The readable locks of the selected projects (a project without one has nothing to report)."""
    found = []
    for name in projects:
        project = workspace.projects[name]
        path = workspace.folder(name) / "poetry.lock"
        if not path.is_file():
            continue
        try:
            data = read_lock(path)
        except UnreadableLock as error:
            raise MonoError(f"{project.path}/poetry.lock cannot be read: {error}", f"./mono lock {name}") from error
        found.append(
            _Lock(name, data, PyProject.read(workspace.folder(name) / "pyproject.toml", project.pyproject_shown))
        )
    return found


def _allowed(lock: _Lock, package: str, releases: tuple[Release, ...]) -> str | None:
    """The newest release the project's constraints on `package` and its Python allow."""
    constraints = [spec for _, spec in lock.pyproject.constraints_on(package)]
    constraints += [spec for _, spec in constraints_in_lock(lock.data, package)]
    return newest(releases, lock.pyproject.requires_python, allowed_by(constraints))


def _is_behind(version: str, released: str) -> bool:
    parsed, newest_one = parse_version(version), parse_version(released)
    return parsed is not None and newest_one is not None and parsed < newest_one


def outdated(
    workspace: Workspace,
    projects: Iterable[str],
    releases_of: Callable[[Iterable[str]], Mapping[str, tuple[Release, ...]]] | None = None,
) -> tuple[OutdatedPackage, ...]:
    """The packages some selected lock holds at less than the newest release, by name; internal
    projects and packages the index does not have are left out."""
    locks = _locks(workspace, projects)
    held = {name for lock in locks for name in index_versions(lock.data) if name not in workspace.projects}
    releases = (releases_of or fetch_releases)(sorted(held))
    rows = []
    for package in sorted(held):
        found = releases.get(package, ())
        if not found:
            continue
        released = found[0].version
        locked = []
        for lock in locks:
            version = locked_version(lock.data, package)
            if version is not None:
                path = workspace.projects[lock.project].path
                locked.append(Locked(lock.project, path, version, _allowed(lock, package, found)))
        if any(_is_behind(item.version, released) for item in locked):
            rows.append(OutdatedPackage(package, released, tuple(locked)))
    return tuple(rows)
