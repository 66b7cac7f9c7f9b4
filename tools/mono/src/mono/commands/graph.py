"""`mono graph`: the internal dependency graph as nodes and labelled edges, dependencies first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mono.model.graph import Graph
from mono.model.project import Project, Workspace

EdgeKind = Literal["path", "version"]


@dataclass(frozen=True)
class Edge:
    """`source` depends on `target`, by path or by a published version."""

    source: str
    target: str
    by: EdgeKind


@dataclass(frozen=True)
class GraphView:
    """What every rendering of the graph shows."""

    projects: tuple[Project, ...]  # dependencies before dependents
    edges: tuple[Edge, ...]  # in the order of `projects`, then of each one's dependencies

    def edges_from(self, name: str) -> tuple[Edge, ...]:
        """The edges that start at project `name`."""
        return tuple(edge for edge in self.edges if edge.source == name)


def graph_view(workspace: Workspace, graph: Graph) -> GraphView:
    """The graph of the workspace, ready to render."""
    order = graph.order()

    def by(name: str, dependency: str) -> EdgeKind:
        return "version" if dependency in workspace.projects[name].version_dependencies else "path"

    edges = tuple(Edge(name, dep, by(name, dep)) for name in order for dep in graph.depends_on[name])
    return GraphView(tuple(workspace.projects[name] for name in order), edges)
