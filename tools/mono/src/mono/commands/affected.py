"""`mono affected`: the projects a change touches, and everything that depends on them."""

from __future__ import annotations

from mono.model.graph import Graph
from mono.model.project import Workspace
from mono.repo.changes import Affected, find_affected


def affected(workspace: Workspace, graph: Graph, since: str | None) -> Affected:
    """What changed since `since` (default: the merge-base with main), and which projects that affects."""
    return find_affected(workspace, graph, since)
