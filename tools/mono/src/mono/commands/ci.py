"""CI fan-out: the projects a change affects, as a GitHub Actions matrix of one job per project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mono.model import paths
from mono.model.graph import Graph
from mono.model.kinds import Kind, rules
from mono.model.project import Project, Workspace
from mono.repo.changes import Base, find_affected


@dataclass(frozen=True)
class MatrixEntry:
    """One CI job: a project and what its runner has to do and have."""

    project: str
    path: str  # repo-relative, forward slashes: the job's cache keys hash PATH/poetry.lock
    kind: Kind
    build: bool  # build its image(s) after the tests: apps and models
    needs_docker: bool  # the runner needs a Docker engine and the base image
    depends_on: tuple[str, ...]  # internal projects it depends on directly

    def as_json(self) -> dict[str, Any]:
        """One element of the matrix's `include` list."""
        return {
            "project": self.project,
            "path": self.path,
            "kind": self.kind,
            "build": self.build,
            "needs_docker": self.needs_docker,
            "depends_on": list(self.depends_on),
        }


@dataclass(frozen=True)
class Matrix:
    """The jobs of one CI run, in dependency order, and the commit they were measured from."""

    entries: tuple[MatrixEntry, ...]
    base: Base | None  # None when every project was asked for

    def as_json(self) -> dict[str, Any]:
        """The value of `strategy.matrix`; `{"include": []}` when nothing is affected."""
        return {"include": [entry.as_json() for entry in self.entries]}


def entry_for(project: Project) -> MatrixEntry:
    """The job of one project."""
    kind = rules(project.kind)
    return MatrixEntry(
        project=project.name,
        path=project.path,
        kind=project.kind,
        build=kind.buildable,
        needs_docker=kind.buildable or kind.tests_need_docker,
        depends_on=project.depends_on,
    )


def reads_a_change(project: Project, files: tuple[str, ...]) -> bool:
    """Whether one of `files` lies within the project's test-inputs (its tests read it)."""
    return any(paths.is_within(path, folder) for folder in project.test_inputs for path in files)


def ci_matrix(workspace: Workspace, graph: Graph, since: str | None = None, everything: bool = False) -> Matrix:
    """Every project (`everything`), else the affected ones and those whose tests read a change.

    "Affected" is what `mono affected` computes (changed projects and their dependents, since
    `since` or the default base); a project declaring `test-inputs` joins when a changed file
    lies within them, as a change there would also void its cached test pass.
    """
    if everything:
        return Matrix(tuple(entry_for(workspace.projects[name]) for name in graph.order()), None)
    affected = find_affected(workspace, graph, since)
    readers = {name for name, project in workspace.projects.items() if reads_a_change(project, affected.changed_files)}
    chosen = graph.order({*affected.projects, *readers})
    return Matrix(tuple(entry_for(workspace.projects[name]) for name in chosen), affected.base)
