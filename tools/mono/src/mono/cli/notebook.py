"""`kernel` and `notebook`: Jupyter for a project, with the project's own venv."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo
from mono.cli.work import say_waiting

if TYPE_CHECKING:
    from mono.workspace import Project, Workspace


def _installed_project(repo: Repo, name: str, command: str) -> tuple[Workspace, Project, Path]:
    """The named project (one), installed if needed, and the log for `command`."""
    from mono import tasks
    from mono.runner import log_path
    from mono.selection import SelectionRequest, select

    workspace, graph = repo.load()
    (selected,) = select(workspace, graph, SelectionRequest(targets=(name,)), repo.cwd)
    log = log_path(workspace.root, command, selected)
    tasks.install_if_needed(workspace, graph, selected, log)
    return workspace, workspace.projects[selected], log


@click.command("kernel")
@click.argument("name", metavar="PROJECT")
@click.option("--remove", is_flag=True, help="Remove the kernel instead.")
@click.pass_obj
def kernel_command(repo: Repo, name: str, remove: bool) -> int:
    """Register a Jupyter kernel named after PROJECT that runs the project's own venv (idempotent).

    Jupyter, VS Code and PyCharm then offer it; `--remove` takes it away again.
    """
    from mono.notebooks import register_kernel, remove_kernel
    from mono.state import exclusive

    if remove:  # no install for a removal: the venv only needs jupyter_client, which ipykernel brought
        from mono.runner import log_path
        from mono.selection import SelectionRequest, select

        workspace, graph = repo.load()
        (selected,) = select(workspace, graph, SelectionRequest(targets=(name,)), repo.cwd)
        click.echo(remove_kernel(workspace, workspace.projects[selected], log_path(workspace.root, "kernel", selected)))
        return 0
    with exclusive(repo.root, "mono kernel", say_waiting):
        workspace, project, log = _installed_project(repo, name, "kernel")
        click.echo(register_kernel(workspace, project, log))
    return 0


@click.command("notebook")
@click.argument("name", metavar="PROJECT")
@click.pass_obj
def notebook_command(repo: Repo, name: str) -> int:
    """Pair PROJECT's `# %%` script with a Jupyter notebook (jupytext); both stay in sync."""
    from mono.notebooks import pair_notebook
    from mono.state import exclusive

    with exclusive(repo.root, "mono notebook", say_waiting):
        workspace, project, log = _installed_project(repo, name, "notebook")
        notebook = pair_notebook(workspace, project, log)
    shown = notebook.relative_to(workspace.root).as_posix()
    click.echo(f"notebook {project.name}: {shown} is paired with {notebook.with_suffix('.py').name} (jupytext)")
    click.echo("open it in Jupyter with the kernel of the same name (./mono kernel); edits to either file sync")
    return 0
