"""The health checks about locks: one package at many versions, and locks that are missing or stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mono.engine.health import Finding, Repository, error_finding
from mono.engine.locking import stale_reason
from mono.engine.runner import Outcome, default_workers, run_tasks
from mono.errors import MonoError
from mono.model.graph import Graph
from mono.model.versions import same_version
from mono.repo.lockfile import UnreadableLock, index_versions, lock_without_markers, old_lock_format, read_lock


def _locked(repo: Repository) -> tuple[dict[str, dict[str, tuple[str, ...]]], list[Finding]]:
    """Third-party package -> project -> the versions its poetry.lock holds; and unreadable locks."""
    locked: dict[str, dict[str, tuple[str, ...]]] = {}
    unreadable = []
    for project in repo.projects():
        if not project.has_lock:
            continue
        try:
            lock = read_lock(project.directory(repo.workspace.root) / "poetry.lock")
        except UnreadableLock as error:
            unreadable.append(error_finding(project, "versions", f"poetry.lock cannot be read: {error}"))
            continue
        for name, found in index_versions(lock).items():
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
                off = [version for version in holders[name] if not same_version(version, pin)]
                if off:
                    message = f"locks {package} {', '.join(off)} but the repository pins {pin} ([tool.mono] pins)"
                    yield error_finding(repo.workspace.projects[name], "versions", message)
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
    workspace = repo.workspace

    def task(name: str, log: Path) -> Outcome:
        try:
            reason = stale_reason(workspace, repo.graph, name, log)
        except MonoError as error:
            return Outcome("failed", f"could not check poetry.lock: {error}")
        return Outcome("failed", reason) if reason else Outcome("up to date")

    for project in repo.projects():
        if not project.has_lock and not workspace.lock_optional(project.name):
            yield error_finding(project, "locks", f"has no poetry.lock (run ./mono lock {project.name})")
        old = lock_without_markers(project.directory(workspace.root) / "poetry.lock") if project.has_lock else None
        if old:
            yield Finding(project.name, project.path, "locks", "warning", old_lock_format(project.name, old))
    names = [project.name for project in repo.projects() if project.has_lock]
    # Reading locks needs no dependency order, and this graph may hold cycles: run them unordered.
    unordered = Graph(dict.fromkeys(names, ()))
    workers = default_workers(workspace.config.workers)
    run = run_tasks("check", names, unordered, task, workspace.root, workers, read_only=True)
    for result in sorted(run.failed, key=lambda result: result.project):
        yield error_finding(workspace.projects[result.project], "locks", result.detail)
