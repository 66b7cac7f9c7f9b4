"""`mono list`: the projects of the repository."""

from __future__ import annotations

from mono.model.project import Project, Workspace


def list_projects(workspace: Workspace) -> list[Project]:
    """Every project, by name."""
    return [workspace.projects[name] for name in sorted(workspace.projects)]
