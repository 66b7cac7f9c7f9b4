"""`kernel`: a Jupyter kernel that runs a project's own venv."""

from __future__ import annotations

import click

from mono.cli.context import Repo


@click.command("kernel")
@click.argument("name", metavar="PROJECT")
@click.option("--remove", is_flag=True, help="Remove the kernel instead.")
@click.pass_obj
def kernel_command(repo: Repo, name: str, remove: bool) -> int:
    """Register a Jupyter kernel named after PROJECT that runs the project's own venv (idempotent).

    Jupyter, VS Code and PyCharm then offer it; `--remove` takes it away again.
    """
    from mono.cli.progress import say_waiting
    from mono.commands.kernel import register_kernel, remove_kernel

    workspace, graph = repo.load()
    if remove:
        change = remove_kernel(workspace, graph, name, repo.cwd)
    else:
        change = register_kernel(workspace, graph, name, repo.cwd, say_waiting)
    if change.action == "registered":
        click.echo(f"kernel {change.project}: registered in {change.where}; it runs {change.python}")
    elif change.action == "removed":
        click.echo(f"kernel {change.project}: removed")
    else:
        click.echo(f"kernel {change.project}: not registered; nothing to remove")
    return 0
