"""Commands that do work on a selection of projects: lock, install, test."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo, jobs_option, request_from, selected, selection_options
from mono.errors import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from mono import tasks
    from mono.graph import Graph
    from mono.runner import RunSummary, Task
    from mono.workspace import Workspace

# The runner, the tasks and rich are imported where they are used: `list`, `graph` and
# `affected` must start fast (docs/benchmarks.md).


def execute(
    command: str,
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    task: Task,
    jobs: int | None,
    exclusive_lock: bool = True,
) -> RunSummary:
    """Run `task` over `projects` with progress output; the caller prints the summary."""
    from mono.cli.progress import LiveProgress, PlainProgress, is_terminal
    from mono.runner import default_workers, run_tasks
    from mono.state import exclusive

    workers = jobs or default_workers(workspace.config.workers)
    root = workspace.root
    # Read-only work (lock --check) runs beside anything; work that writes waits its turn.
    guard = exclusive(root, f"mono {command}", say_waiting) if exclusive_lock else contextlib.nullcontext()
    with guard:
        if is_terminal():
            with LiveProgress(command, len(projects)) as live:
                run = run_tasks(command, projects, graph, task, root, workers, live)
        else:
            run = run_tasks(command, projects, graph, task, root, workers, PlainProgress(command, root))
    return run


def finish(run: RunSummary, root: Path) -> int:
    """Print the end-of-run summary; the exit code: 1 when anything failed."""
    from mono.cli.render import summary

    click.echo(summary(run, root))
    return EXIT_FAILED if run.failed else EXIT_OK


def say_waiting(holder: str) -> None:
    click.echo(f"mono: waiting for {holder} to finish (it holds .mono/lock)", err=True)


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
    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))

    def task(name: str, log: Path) -> tasks.Outcome:
        from mono import tasks

        if check:
            return tasks.check_lock(workspace, graph, name, log)
        return tasks.lock(workspace, graph, name, log, force=force)

    return finish(execute("lock", workspace, graph, projects, task, jobs, exclusive_lock=not check), workspace.root)


@click.command("install")
@selection_options
@jobs_option
@click.pass_obj
def install_command(
    repo: Repo, targets: tuple[str, ...], all_: bool, affected: bool, since: str | None, jobs: int | None
) -> int:
    """Install the selected projects into their in-project .venv, exactly as locked (skipped when up to date)."""
    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))

    def task(name: str, log: Path) -> tasks.Outcome:
        from mono import tasks

        return tasks.install_if_needed(workspace, graph, name, log)

    return finish(execute("install", workspace, graph, projects, task, jobs), workspace.root)


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
    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))

    def task(name: str, log: Path) -> tasks.Outcome:
        from mono import tasks

        return tasks.test(workspace, graph, name, log, use_cache=not no_cache)

    return finish(execute("test", workspace, graph, projects, task, jobs), workspace.root)
