"""`lock`: relock the selected projects whose dependencies changed, or check their locks."""

from __future__ import annotations

import functools

import click

from mono.cli.context import Repo, jobs_option, request_from, selected, selection_options

# The engine, the runner and rich are imported where they are used: `list`, `graph` and
# `affected` must start fast (docs/benchmarks.md).


@click.command("lock")
@selection_options
@click.option("--check", is_flag=True, help="Change nothing; exit 1 listing the locks that are missing or stale.")
@click.option("--force", is_flag=True, help="Run poetry lock even where the lock is up to date.")
@jobs_option
@click.pass_obj
def lock_command(
    repo: Repo,
    targets: tuple[str, ...],
    all_: bool,
    affected: bool,
    since: str | None,
    check: bool,
    force: bool,
    jobs: int | None,
) -> int:
    """Lock the selected projects whose pyproject.toml or libraries changed (poetry lock), or check them."""
    from mono.cli.progress import progress_for, say_waiting
    from mono.cli.render import finish
    from mono.commands.lock import lock_projects

    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))
    progress = functools.partial(progress_for, "lock", len(projects), workspace.root)
    run = lock_projects(
        workspace, graph, projects, check=check, force=force, workers=jobs, progress=progress, on_wait=say_waiting
    )
    return finish(run, workspace.root)
