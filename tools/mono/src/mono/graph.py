"""The internal dependency graph: cycles, dependency order, transitive dependents."""

from __future__ import annotations

import graphlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mono.errors import DependencyCycle
from mono.workspace import Workspace

GraphFormat = Literal["text", "json", "dot", "mermaid"]


@dataclass(frozen=True)
class Graph:
    """Which internal project depends on which: name -> names it depends on directly."""

    depends_on: dict[str, tuple[str, ...]]

    def dependents(self) -> dict[str, tuple[str, ...]]:
        """The reverse edges: name -> names that depend on it directly."""
        reverse: dict[str, list[str]] = {name: [] for name in self.depends_on}
        for name, dependencies in self.depends_on.items():
            for dependency in dependencies:
                reverse[dependency].append(name)
        return {name: tuple(sorted(users)) for name, users in reverse.items()}

    def order(self, names: Iterable[str] | None = None) -> list[str]:
        """`names` (default: all) with dependencies before dependents; ties broken by name."""
        wanted = set(self.depends_on) if names is None else set(names)
        sorter = graphlib.TopologicalSorter({name: self.depends_on[name] for name in wanted})
        sorter.prepare()
        ordered: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            ordered += [name for name in ready if name in wanted]
            sorter.done(*ready)
        return ordered

    def with_dependents(self, names: Iterable[str]) -> set[str]:
        """`names` plus every project that depends on one of them, directly or not."""
        return _closure(names, self.dependents())

    def with_dependencies(self, names: Iterable[str]) -> set[str]:
        """`names` plus every project they depend on, directly or not."""
        return _closure(names, self.depends_on)


def _closure(start: Iterable[str], edges: dict[str, tuple[str, ...]]) -> set[str]:
    seen = set(start)
    pending = list(seen)
    while pending:
        for neighbour in edges[pending.pop()]:
            if neighbour not in seen:
                seen.add(neighbour)
                pending.append(neighbour)
    return seen


def build_graph(workspace: Workspace) -> Graph:
    """The graph of a workspace; raises DependencyCycle naming the cycle if there is one."""
    graph = Graph({name: project.depends_on for name, project in sorted(workspace.projects.items())})
    try:
        graphlib.TopologicalSorter(graph.depends_on).prepare()
    except graphlib.CycleError as error:
        # graphlib lists each node before the node that depends on it; print "depends on" arrows.
        cycle: list[str] = list(reversed(error.args[1]))
        raise DependencyCycle(cycle) from error
    return graph


def render_graph(workspace: Workspace, graph: Graph, fmt: GraphFormat) -> str:
    """The graph as text, JSON, Graphviz dot or a Mermaid flowchart."""
    order = graph.order()

    def by_version(name: str, dep: str) -> bool:
        project = workspace.projects.get(name)
        return project is not None and dep in project.version_dependencies

    if fmt == "json":
        nodes = [workspace.projects[name].as_json() for name in order]
        edges = [
            {"from": name, "to": dep, "by": "version" if by_version(name, dep) else "path"}
            for name in order
            for dep in graph.depends_on[name]
        ]
        return json.dumps({"projects": nodes, "edges": edges}, indent=2)
    if fmt == "dot":
        lines = ["digraph mono {", "  rankdir=LR;"]
        lines += [f'  "{name}" [label="{name}\\n{workspace.projects[name].kind}"];' for name in order]
        lines += [
            f'  "{name}" -> "{dep}"{" [style=dashed, label=version]" if by_version(name, dep) else ""};'
            for name in order
            for dep in graph.depends_on[name]
        ]
        return "\n".join([*lines, "}"])
    if fmt == "mermaid":
        ids = {name: f"n{index}" for index, name in enumerate(order)}
        lines = ["flowchart LR"]
        lines += [f'  {ids[name]}["{name}"]' for name in order]
        lines += [
            f"  {ids[name]} {'-. version .->' if by_version(name, dep) else '-->'} {ids[dep]}"
            for name in order
            for dep in graph.depends_on[name]
        ]
        return "\n".join(lines)
    lines = []
    for name in order:
        shown = [f"{dep} (by version)" if by_version(name, dep) else dep for dep in graph.depends_on[name]]
        lines.append(f"{name} -> {', '.join(shown)}" if shown else name)
    return "\n".join(lines)
