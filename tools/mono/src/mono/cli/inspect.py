"""Commands that look without changing anything: list, graph, affected."""

from __future__ import annotations

from typing import get_args

import click

from mono.changes import find_affected
from mono.cli.context import Repo
from mono.cli.render import columns, emit_json
from mono.graph import GraphFormat, render_graph


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_command(repo: Repo, as_json: bool) -> int:
    """List the projects: name, path, kind and internal dependencies."""
    workspace, _graph = repo.load()
    projects = [workspace.projects[name] for name in sorted(workspace.projects)]
    if as_json:
        emit_json([project.as_json() for project in projects])
    else:
        rows = [(p.name, p.kind, p.path, ", ".join(p.depends_on)) for p in projects]
        click.echo(columns(rows, ("name", "kind", "path", "depends on")))
    return 0


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
    click.echo(render_graph(workspace, graph, fmt))
    return 0


@click.command("affected")
@click.option("--since", metavar="REF", help="Compare with REF (default: merge-base with main, else HEAD).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def affected_command(repo: Repo, since: str | None, as_json: bool) -> int:
    """List projects changed since REF, plus every project that depends on them."""
    workspace, graph = repo.load()
    affected = find_affected(workspace, graph, since)
    if as_json:
        emit_json(
            {
                "base": affected.base.commit,
                "base_described": affected.base.described,
                "changed_files": list(affected.changed_files),
                "changed_projects": list(affected.changed_projects),
                "global_files": list(affected.global_files),
                "projects": [workspace.projects[name].as_json() for name in affected.projects],
            }
        )
    else:
        short = affected.base.commit[:12] if affected.base.commit else "nothing"
        click.echo(f"mono: compared with {short}: {affected.base.described}", err=True)
        if affected.projects:
            click.echo("\n".join(affected.projects))
    return 0
