"""The internal dependency graph: cycles, dependency order, transitive dependents."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from dataclasses import dataclass

from mono.errors import DependencyCycle
from mono.model.project import Workspace


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

    def has_cycle(self) -> bool:
        """True when some projects depend on each other in a circle."""
        try:
            graphlib.TopologicalSorter(self.depends_on).prepare()
        except graphlib.CycleError:
            return True
        return False

    def shortest_cycle(self, start: str) -> list[str]:
        """The shortest cycle from `start` back to it, as names (the first and the last are `start`)."""
        came_from: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for name in frontier:
                for dependency in self.depends_on[name]:
                    if dependency == start:
                        chain = [name]
                        while chain[-1] != start:
                            chain.append(came_from[chain[-1]])
                        return [*reversed(chain), start]
                    if dependency not in came_from:
                        came_from[dependency] = name
                        following.append(dependency)
            frontier = following
        return [start]

    def path(self, start: str, goal: str) -> list[str]:
        """A dependency path from `start` to `goal` (they are known to be connected)."""
        if start == goal:
            return [start]
        for step in self.depends_on[start]:
            if goal in self.with_dependencies({step}):
                return [start, *self.path(step, goal)]
        return [start, goal]


def _closure(start: Iterable[str], edges: dict[str, tuple[str, ...]]) -> set[str]:
    seen = set(start)
    pending = list(seen)
    while pending:
        for neighbour in edges[pending.pop()]:
            if neighbour not in seen:
                seen.add(neighbour)
                pending.append(neighbour)
    return seen


def graph_of(workspace: Workspace) -> Graph:
    """The edges of a workspace, cycles allowed (for `check`, which reports them)."""
    return Graph({name: project.depends_on for name, project in sorted(workspace.projects.items())})


def build_graph(workspace: Workspace) -> Graph:
    """The graph of a workspace; raises DependencyCycle naming the cycle if there is one."""
    graph = graph_of(workspace)
    try:
        graphlib.TopologicalSorter(graph.depends_on).prepare()
    except graphlib.CycleError as error:
        # graphlib lists each node before the node that depends on it; print "depends on" arrows.
        cycle: list[str] = list(reversed(error.args[1]))
        raise DependencyCycle(cycle) from error
    return graph
