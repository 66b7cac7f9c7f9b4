"""`list`: the projects, as a table or JSON."""

from __future__ import annotations

import click

from mono.cli.context import Repo
from mono.cli.render import columns, emit_json
from mono.commands.list import list_projects
from mono.model.names import shown_name


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_command(repo: Repo, as_json: bool) -> int:
    """List the projects: name, path, kind and internal dependencies."""
    workspace, _graph = repo.load()
    projects = list_projects(workspace)
    if as_json:
        emit_json([project.as_json() for project in projects])
    else:
        rows = [(shown_name(p.name), p.kind, p.path, ", ".join(map(shown_name, p.depends_on))) for p in projects]
        click.echo(columns(rows, ("name", "kind", "path", "depends on")))
    return 0
