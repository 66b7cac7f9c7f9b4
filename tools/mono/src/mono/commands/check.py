"""`mono check`: every health check over the repository, findings sorted per project."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from mono.engine.health import (
    Finding,
    Repository,
    build_systems,
    cycles,
    deployments,
    dockerfiles,
    load_repository,
    names,
    path_dependencies,
    python_fit,
)
from mono.engine.health_imports import imports
from mono.engine.health_locks import locked_versions, stale_locks
from mono.engine.health_templates import template_commits

Check = Callable[[Repository], Iterable[Finding]]

CHECKS: dict[str, Check] = {
    "names": names,
    "cycles": cycles,
    "path-dependencies": path_dependencies,
    "imports": imports,
    "requires-python": python_fit,
    "versions": locked_versions,
    "locks": stale_locks,
    "dockerfiles": dockerfiles,
    "build-system": build_systems,
    "deployments": deployments,
    "templates": template_commits,
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
