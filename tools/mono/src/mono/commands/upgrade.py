"""`mono upgrade PACKAGE [selection] [--to VERSION]`: one third-party package at one version in
every selected lock that holds it.

The version is VERSION, or the newest release on the repository's index that fits every such
project's Python. A project whose own constraints (its pyproject.toml, or what the packages of its
lock require) leave that version out is blocked: without --to it is reported and left as it is;
with --to the whole upgrade is refused, since the user asked for that version everywhere (name
the other projects alone to move them). Each project that moves is locked twice: once with the
package pinned (`==VERSION`) in its pyproject.toml, then with the file as it was, where Poetry
keeps what is locked; so only that package (and what it needs) moves, and the lock matches the
file. If any lock fails, or does not end at VERSION, every pyproject.toml and poetry.lock is put
back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mono.engine.locking import lock
from mono.engine.releases import Release, fetch_releases, newest
from mono.engine.transaction import all_or_nothing
from mono.errors import MonoError, WorkFailed
from mono.model.graph import Graph
from mono.model.layout import log_path
from mono.model.names import normalize_name
from mono.model.project import Workspace
from mono.model.versions import constraint_allows, parse_version, same_version
from mono.repo.edit import pin_requirement
from mono.repo.lockfile import UnreadableLock, constraints_in_lock, locked_version, read_lock
from mono.repo.pyproject import PyProject
from mono.repo.state import exclusive


@dataclass(frozen=True)
class Blocked:
    """A project that cannot take the version: the constraint in the way, and where it is written."""

    project: str
    locked: str
    where: str  # "app/x/web/pyproject.toml [project] dependencies", or "app/x/web/poetry.lock (requests 2.31.0)"
    constraint: str


@dataclass(frozen=True)
class Move:
    """A project whose lock goes from one version of the package to the target."""

    project: str
    locked: str


@dataclass(frozen=True)
class UpgradePlan:
    """What `upgrade` does: the package, the version, who moves, who has it, who is blocked."""

    package: str
    version: str
    moves: tuple[Move, ...]
    current: tuple[str, ...]
    blocked: tuple[Blocked, ...]


def _holders(workspace: Workspace, projects: Iterable[str], package: str) -> dict[str, tuple[str, dict[str, object]]]:
    """The selected projects whose poetry.lock holds `package` from an index: name -> (version, lock)."""
    found = {}
    for name in projects:
        path = workspace.folder(name) / "poetry.lock"
        if not path.is_file():
            continue
        try:
            locked = read_lock(path)
        except UnreadableLock as error:
            raise MonoError(f"{workspace.projects[name].path}/poetry.lock cannot be read: {error}") from error
        version = locked_version(locked, package)
        if version is not None:
            found[name] = (version, locked)
    return found


def _target(package: str, releases: tuple[Release, ...], wanted: str | None, pythons: Iterable[str | None]) -> str:
    """VERSION when the index has it; else the newest release that fits every project's Python."""
    if wanted is not None:
        if parse_version(wanted) is None:
            raise MonoError(f"--to {wanted!r} is not a version", "for example --to 2.2.3")
        match = next((item.version for item in releases if same_version(item.version, wanted)), None)
        if match is None:
            raise MonoError(
                f"{package} {wanted} is not released on the package index", "./mono outdated lists versions"
            )
        return match
    kept = tuple(pythons)
    found = newest(releases, allows=lambda version: all(_fits(releases, version, python) for python in kept))
    if found is None:
        raise MonoError(f"no release of {package} fits the Python of every project that locks it")
    return found


def _fits(releases: tuple[Release, ...], version: str, python: str | None) -> bool:
    return any(item.fits(python) for item in releases if item.version == version)


def _blocking(
    workspace: Workspace, name: str, package: str, lock_data: dict[str, object], version: str
) -> list[tuple[str, str]]:
    """The constraints of the project on `package` that leave `version` out: (where, constraint)."""
    project = workspace.projects[name]
    pyproject = PyProject.read(workspace.folder(name) / "pyproject.toml", project.pyproject_shown)
    written = [(f"{project.pyproject_shown} {where}", spec) for where, spec in pyproject.constraints_on(package)]
    lock_shown = "poetry.lock" if project.path == "." else f"{project.path}/poetry.lock"
    required = [(f"{lock_shown} ({who})", spec) for who, spec in constraints_in_lock(lock_data, package)]
    return [(where, spec) for where, spec in written + required if constraint_allows(spec, version) is False]


def plan_upgrade(
    workspace: Workspace,
    projects: Iterable[str],
    package: str,
    wanted: str | None,
    releases_of: Callable[[Iterable[str]], Mapping[str, tuple[Release, ...]]] | None = None,
) -> UpgradePlan:
    """Which of `projects` move `package` to which version, and which are blocked; bad requests
    (an internal project, a package no selected lock holds, a version the index lacks, --to a
    version some project's constraints leave out) raise MonoError (exit 2)."""
    name = normalize_name(package)
    if name in workspace.projects:
        raise MonoError(
            f"{name} is a project of this repository", f"./mono version {name} PART bumps an internal library"
        )
    holders = _holders(workspace, projects, name)
    if not holders:
        raise MonoError(f"no selected project locks {name}", "./mono outdated shows what the locks hold")
    pythons = [PyProject.read(workspace.folder(each) / "pyproject.toml", "").requires_python for each in holders]
    version = _target(name, tuple((releases_of or fetch_releases)([name]).get(name, ())), wanted, pythons)
    moves, current, blocked = [], [], []
    for each, (locked, lock_data) in holders.items():
        if same_version(locked, version):
            current.append(each)
            continue
        reasons = _blocking(workspace, each, name, lock_data, version)
        blocked += [Blocked(each, locked, where, spec) for where, spec in reasons]
        if not reasons:
            moves.append(Move(each, locked))
    if wanted is not None and blocked:
        said = "; ".join(f"{item.project} ({item.where}: {item.constraint!r})" for item in blocked)
        raise MonoError(
            f"{name} {version} is left out by the constraints of {said}",
            "relax those constraints, or name only the other projects",
        )
    return UpgradePlan(name, version, tuple(moves), tuple(current), tuple(blocked))


def _move(workspace: Workspace, graph: Graph, plan: UpgradePlan, name: str) -> None:
    """Lock the project with the package pinned, then with its pyproject.toml as it was."""
    path = workspace.folder(name) / "pyproject.toml"
    original = path.read_text(encoding="utf-8")
    log = log_path(workspace.root, "upgrade", name)
    path.write_text(pin_requirement(original, plan.package, plan.version), encoding="utf-8")
    lock(workspace, graph, name, log, force=True)
    path.write_text(original, encoding="utf-8")
    lock(workspace, graph, name, log, force=True)
    now = locked_version(read_lock(workspace.folder(name) / "poetry.lock"), plan.package)
    if now is None or not same_version(now, plan.version):
        raise WorkFailed(
            f"{name}: Poetry kept {plan.package} at {now}, not {plan.version}; nothing was changed", log=log
        )


def upgrade(workspace: Workspace, graph: Graph, plan: UpgradePlan, on_wait: Callable[[str], None]) -> tuple[str, ...]:
    """Move every project of the plan, in dependency order, under the work lock; if one fails,
    every pyproject.toml and poetry.lock is put back. Returns the projects relocked."""
    names = graph.order(move.project for move in plan.moves)
    if not names:
        return ()
    with (
        exclusive(workspace.root, "mono upgrade", on_wait),
        all_or_nothing(workspace.root, {name: workspace.folder(name) for name in names}),
    ):
        for name in names:
            _move(workspace, graph, plan, name)
    return tuple(names)


def as_json(plan: UpgradePlan, relocked: Iterable[str]) -> dict[str, object]:
    """The plan and its outcome, for --json."""
    return {
        "package": plan.package,
        "version": plan.version,
        "moved": [{"project": move.project, "from": move.locked} for move in plan.moves],
        "relocked": list(relocked),
        "current": list(plan.current),
        "blocked": [
            {"project": item.project, "locked": item.locked, "where": item.where, "constraint": item.constraint}
            for item in plan.blocked
        ],
    }
