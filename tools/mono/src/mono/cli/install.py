"""`install`: make each selected project's .venv match its lock."""

from __future__ import annotations

import functools

import click

from mono.cli.context import Repo, jobs_option, request_from, selected, selection_options


@click.command("install")
@selection_options
@jobs_option
@click.pass_obj
def install_command(
    repo: Repo, targets: tuple[str, ...], all_: bool, affected: bool, since: str | None, jobs: int | None
) -> int:
    """Install the selected projects into their in-project .venv, exactly as locked (skipped when up to date)."""
    from mono.cli.progress import progress_for, say_waiting
    from mono.cli.render import finish
    from mono.commands.install import install_projects

    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))
    progress = functools.partial(progress_for, "install", len(projects), workspace.root)
    run = install_projects(workspace, graph, projects, workers=jobs, progress=progress, on_wait=say_waiting)
    return finish(run, workspace.root)
