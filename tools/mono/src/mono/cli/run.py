"""`mono run PROJECT [-- ARGS...]`: serve an app locally, or run a project's entry point."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from mono.cli.context import Repo
from mono.cli.render import escaped


@click.command("run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("target", metavar="PROJECT")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[-- ARGS...]")
@click.pass_obj
def run_command(repo: Repo, target: str, args: tuple[str, ...]) -> int:
    """Serve an app on http://127.0.0.1:5000 (PORT overrides), or run PROJECT's entry point (its one
    [project.scripts] entry, or [tool.mono] run) in its folder with ARGS; installing it first when needed."""
    from mono.cli.progress import say_waiting
    from mono.commands.exec_ import plan_exec, take_over
    from mono.commands.run import ServePlan, check_port_free, install_for_run, plan_run
    from mono.repo.selection import find_project

    workspace, graph = repo.load()
    name = find_project(workspace, target, repo.cwd)
    plan = plan_run(workspace, name, args[1:] if args[:1] == ("--",) else args)
    if isinstance(plan, ServePlan):
        check_port_free(plan, name)  # before a long install, and again after it

    def installing(log: Path) -> None:
        click.echo(f"mono: installing {name} (log: {log.relative_to(workspace.root)})", err=True)

    install_for_run(workspace, graph, name, installing, say_waiting)
    if isinstance(plan, ServePlan):
        check_port_free(plan, name)
        click.echo(f"mono: serving {name} on {plan.url} (Ctrl-C stops it)", err=True)
        take_over(plan.launch, workspace.root)  # the app takes over this process
        return 0  # not reached
    launch = plan_exec(workspace, name, plan.command)
    where = workspace.projects[name].path
    click.echo(escaped(f"mono: running {shlex.join(plan.command)} in {where}"), err=True)
    take_over(launch, workspace.root)
    return 0  # not reached
