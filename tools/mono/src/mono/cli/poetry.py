"""`mono poetry PROJECT ARGS...`: run Poetry in a project, with the repository's index setting."""

from __future__ import annotations

import click

from mono.cli.context import Repo


@click.command("poetry", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("target", metavar="PROJECT")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="ARGS...")
@click.pass_obj
def poetry_command(repo: Repo, target: str, args: tuple[str, ...]) -> int:
    """Run the pinned Poetry with ARGS in PROJECT's folder (a name or a path), with the repository's
    package index setting (docs/package-index.md): `./mono poetry NAME add --group dev jupyterlab`."""
    from mono.commands.exec_ import take_over
    from mono.commands.poetry import plan_poetry
    from mono.repo.selection import find_project

    workspace, _ = repo.load()
    take_over(plan_poetry(workspace, find_project(workspace, target, repo.cwd), args), workspace.root)
    return 0  # not reached
