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
    outgoing: dict[str, tuple[Edge, ...]]  # project -> its edges, in the order of its dependencies

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, in the order of `projects`."""
        return tuple(edge for project in self.projects for edge in self.outgoing[project.name])

    def edges_from(self, name: str) -> tuple[Edge, ...]:
        """The edges that start at project `name`."""
        return self.outgoing[name]


def graph_view(workspace: Workspace, graph: Graph) -> GraphView:
    """The graph of the workspace, ready to render."""
    order = graph.order()

    def by(name: str, dependency: str) -> EdgeKind:
        return "version" if dependency in workspace.projects[name].version_dependencies else "path"

    outgoing = {name: tuple(Edge(name, dep, by(name, dep)) for dep in graph.depends_on[name]) for name in order}
    return GraphView(tuple(workspace.projects[name] for name in order), outgoing)
