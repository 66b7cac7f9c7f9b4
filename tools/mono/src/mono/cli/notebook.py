"""`notebook`: a project's `# %%` script paired with a Jupyter notebook."""

from __future__ import annotations

from pathlib import PurePosixPath

import click

from mono.cli.context import Repo


@click.command("notebook")
@click.argument("name", metavar="PROJECT")
@click.pass_obj
def notebook_command(repo: Repo, name: str) -> int:
    """Pair PROJECT's `# %%` script with a Jupyter notebook (jupytext); both stay in sync."""
    from mono.cli.progress import say_waiting
    from mono.commands.notebook import pair_notebook

    workspace, graph = repo.load()
    paired = pair_notebook(workspace, graph, name, repo.cwd, say_waiting)
    script = PurePosixPath(paired.script).name
    click.echo(f"notebook {paired.project}: {paired.notebook} is paired with {script} (jupytext)")
    click.echo("open it in Jupyter with the kernel of the same name (./mono kernel); edits to either file sync")
    return 0
