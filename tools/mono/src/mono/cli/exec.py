"""`mono exec PROJECT -- CMD...`: run a command in a project's venv."""

from __future__ import annotations

from pathlib import Path

import click

from mono.cli.context import Repo


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("target", metavar="PROJECT")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, metavar="-- CMD...")
@click.pass_obj
def exec_command(repo: Repo, target: str, command: tuple[str, ...]) -> int:
    """Run CMD in PROJECT's venv (its .venv/bin first on PATH, VIRTUAL_ENV set) and in its folder,
    installing it first when needed; CMD's exit code is this command's."""
    from mono.cli.progress import say_waiting
    from mono.commands.exec_ import check_command, plan_exec, take_over
    from mono.commands.run import install_for_run
    from mono.repo.selection import find_project

    workspace, graph = repo.load()
    name = find_project(workspace, target, repo.cwd)
    command = command[1:] if command[:1] == ("--",) else command
    check_command(name, command)

    def installing(log: Path) -> None:
        click.echo(f"mono: installing {name} (log: {log.relative_to(workspace.root)})", err=True)

    install_for_run(workspace, graph, name, installing, say_waiting)
    take_over(plan_exec(workspace, name, command), workspace.root)
    return 0  # not reached
