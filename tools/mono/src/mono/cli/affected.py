"""`affected`: the projects a change touches and their dependents."""

from __future__ import annotations

import click

from mono.cli.context import Repo
from mono.cli.render import emit_json
from mono.commands.affected import affected
from mono.model.names import shown_name


@click.command("affected")
@click.option("--since", metavar="REF", help="Compare with REF (default: merge-base with main, else HEAD).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def affected_command(repo: Repo, since: str | None, as_json: bool) -> int:
    """List projects changed since REF, plus every project that depends on them."""
    workspace, found = affected(repo.root, repo.load, since)
    if as_json:
        emit_json(
            {
                "base": found.base.commit,
                "base_described": found.base.described,
                "changed_files": list(found.changed_files),
                "changed_projects": list(found.changed_projects),
                "global_files": list(found.global_files),
                "projects": [workspace.projects[name].as_json() for name in found.projects],
            }
        )
    else:
        short = found.base.commit[:12] if found.base.commit else "nothing"
        click.echo(f"mono: compared with {short}: {found.base.described}", err=True)
        if found.projects:
            click.echo("\n".join(map(shown_name, found.projects)))
    return 0
