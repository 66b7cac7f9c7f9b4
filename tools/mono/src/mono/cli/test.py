"""`test`: the test suites of the selected projects."""

from __future__ import annotations

import functools

import click

from mono.cli.context import Repo, jobs_option, request_from, selected, selection_options


@click.command("test")
@selection_options
@click.option("--no-cache", is_flag=True, help="Run every selected suite, even those that passed with the same inputs.")
@jobs_option
@click.pass_obj
def test_command(
    repo: Repo,
    targets: tuple[str, ...],
    all_: bool,
    affected: bool,
    since: str | None,
    no_cache: bool,
    jobs: int | None,
) -> int:
    """Run the test suites of the selected projects (installing them first when needed)."""
    from mono.cli.progress import progress_for, say_waiting
    from mono.cli.render import finish
    from mono.commands.test import run_tests

    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))
    progress = functools.partial(progress_for, "test", len(projects), workspace.root)
    run = run_tests(
        workspace, graph, projects, use_cache=not no_cache, workers=jobs, progress=progress, on_wait=say_waiting
    )
    return finish(run, workspace.root)
