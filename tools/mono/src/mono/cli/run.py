"""`mono run APP`: serve an app locally."""

from __future__ import annotations

from pathlib import Path

import click

from mono.cli.context import Repo


@click.command("run")
@click.argument("app", metavar="APP")
@click.pass_obj
def run_command(repo: Repo, app: str) -> int:
    """Serve APP on http://127.0.0.1:5000 (PORT overrides), installing it first when needed."""
    from mono.cli.progress import say_waiting
    from mono.commands.run import install_for_run, plan_serve
    from mono.external.proc import replace_process
    from mono.repo.selection import find_project

    workspace, graph = repo.load()
    name = find_project(workspace, app, repo.cwd)
    plan = plan_serve(workspace, name)

    def installing(log: Path) -> None:
        click.echo(f"mono: installing {name} (log: {log.relative_to(workspace.root)})", err=True)

    install_for_run(workspace, graph, name, installing, say_waiting)
    click.echo(f"mono: serving {name} on {plan.url} (Ctrl-C stops it)", err=True)
    replace_process(plan.argv, plan.cwd, plan.env)  # the app takes over this process
    return 0  # not reached
