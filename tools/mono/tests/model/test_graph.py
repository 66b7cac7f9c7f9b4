from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from mono.cli.graph import RENDERERS
from mono.commands.graph import graph_view
from mono.errors import DependencyCycle
from mono.model.graph import Graph, build_graph
from mono.model.project import Workspace
from mono.repo.discovery import load_workspace
from tests.helpers import pep621, write_tree


def render_graph(workspace: Workspace, graph: Graph, fmt: str) -> str:
    return RENDERERS[fmt](graph_view(workspace, graph))


def graph_of(repo: Path) -> Graph:
    return build_graph(load_workspace(repo))


def test_order_puts_dependencies_first(repo: Path) -> None:
    order = graph_of(repo).order()
    assert order.index("core") < order.index("util") < order.index("web")
    assert order.index("core") < order.index("study")
    assert sorted(order) == sorted(["core", "util", "web", "study", "lonely", "helper"])


def test_transitive_dependents_and_dependencies(repo: Path) -> None:
    graph = graph_of(repo)
    assert graph.with_dependents({"core"}) == {"core", "util", "web", "study"}
    assert graph.with_dependents({"util"}) == {"util", "web"}
    assert graph.with_dependencies({"web"}) == {"web", "util", "core"}
    assert graph.dependents()["core"] == ("study", "util")


def test_cycle_is_reported_with_its_members(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "lib/a/pyproject.toml": pep621("a", {"b": "../b"}),
            "lib/b/pyproject.toml": pep621("b", {"c": "../c"}),
            "lib/c/pyproject.toml": pep621("c", {"a": "../a"}),
        },
    )
    with pytest.raises(DependencyCycle) as raised:
        graph_of(tmp_path)
    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"} and len(cycle) == 4
    # Each arrow reads "depends on": check every consecutive pair is a real edge.
    edges = {("a", "b"), ("b", "c"), ("c", "a")}
    assert all((left, right) in edges for left, right in itertools.pairwise(cycle))


def test_formats(repo: Path) -> None:
    workspace = load_workspace(repo)
    graph = build_graph(workspace)
    text = render_graph(workspace, graph, "text")
    assert "web -> util" in text.splitlines()
    data = json.loads(render_graph(workspace, graph, "json"))
    assert {"from": "web", "to": "util", "by": "path"} in data["edges"]
    assert {p["name"] for p in data["projects"]} == set(workspace.projects)
    assert '"web" -> "util";' in render_graph(workspace, graph, "dot")
    mermaid = render_graph(workspace, graph, "mermaid")
    assert mermaid.startswith("flowchart LR") and '["web"]' in mermaid and "-->" in mermaid


def test_a_dependency_by_version_on_an_internal_library_is_an_edge_marked_as_such(repo: Path) -> None:
    pyproject = repo / "app/shop/web/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('dependencies = ["util"]', 'dependencies = ["util", "lonely>=0.1,<0.2"]')
    )
    workspace = load_workspace(repo)
    graph = build_graph(workspace)
    assert workspace.projects["web"].version_dependencies == ("lonely",)
    assert "lonely" in graph.depends_on["web"] and "web" in graph.with_dependents({"lonely"})
    assert "web -> lonely (by version), util" in render_graph(workspace, graph, "text")
    edges = json.loads(render_graph(workspace, graph, "json"))["edges"]
    assert {"from": "web", "to": "lonely", "by": "version"} in edges
    assert '"web" -> "lonely" [style=dashed, label=version];' in render_graph(workspace, graph, "dot")
