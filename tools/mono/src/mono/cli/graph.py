"""`graph`: the internal dependency graph as text, JSON, Graphviz dot or a Mermaid flowchart."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal, get_args

import click

from mono.cli.context import Repo
from mono.commands.graph import GraphView, graph_view
from mono.model.names import shown_name

GraphFormat = Literal["text", "json", "dot", "mermaid"]


def as_text(view: GraphView) -> str:
    """One line per project: NAME -> its dependencies (those by version marked so)."""
    lines = []
    for project in view.projects:
        edges = view.edges_from(project.name)
        shown = [f"{shown_name(e.target)} (by version)" if e.by == "version" else shown_name(e.target) for e in edges]
        lines.append(f"{shown_name(project.name)} -> {', '.join(shown)}" if shown else shown_name(project.name))
    return "\n".join(lines)


def as_json(view: GraphView) -> str:
    """`{"projects": [...], "edges": [{"from", "to", "by"}]}`."""
    nodes = [project.as_json() for project in view.projects]
    edges = [{"from": edge.source, "to": edge.target, "by": edge.by} for edge in view.edges]
    return json.dumps({"projects": nodes, "edges": edges}, indent=2)


def _dot_id(text: str) -> str:
    """`text` as one quoted DOT ID: a name Poetry 1 accepted may hold a '"' (discovery refuses
    a backslash, so escaping the quote is enough)."""
    return '"' + text.replace('"', '\\"') + '"'


def as_dot(view: GraphView) -> str:
    """A Graphviz digraph; edges by version dashed."""
    lines = ["digraph mono {", "  rankdir=LR;"]
    for project in view.projects:
        label = _dot_id(project.name + "\\n" + project.kind)  # DOT's \n: a line break in the label
        lines.append(f"  {_dot_id(project.name)} [label={label}];")
    dashed = " [style=dashed, label=version]"
    lines += [f"  {_dot_id(e.source)} -> {_dot_id(e.target)}{dashed if e.by == 'version' else ''};" for e in view.edges]
    return "\n".join([*lines, "}"])


def as_mermaid(view: GraphView) -> str:
    """A Mermaid flowchart; edges by version dotted and labelled."""
    ids = {project.name: f"n{index}" for index, project in enumerate(view.projects)}
    lines = ["flowchart LR"]
    for project in view.projects:
        label = project.name.replace('"', "#quot;")  # a '"' would end Mermaid's label; its entity does not
        lines.append(f'  {ids[project.name]}["{label}"]')
    for edge in view.edges:
        arrow = "-. version .->" if edge.by == "version" else "-->"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[GraphView], str]] = {
    "text": as_text,
    "json": as_json,
    "dot": as_dot,
    "mermaid": as_mermaid,
}


@click.command("graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(get_args(GraphFormat)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_obj
def graph_command(repo: Repo, fmt: GraphFormat) -> int:
    """Show the internal dependency graph (dependencies before dependents)."""
    workspace, graph = repo.load()
    click.echo(RENDERERS[fmt](graph_view(workspace, graph)))
    return 0
