"""`code`: a multi-root VS Code workspace with one folder per project, each on its own .venv."""

from __future__ import annotations

import functools
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo, request_from, selected, selection_options
from mono.cli.render import escaped

if TYPE_CHECKING:
    from mono.commands.code import CodeWorkspace


def shown_path(path: Path, cwd: Path) -> str:
    """`path` as the user types it from `cwd`: relative below it, else absolute."""
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def report(result: CodeWorkspace, cwd: Path) -> list[str]:
    """The lines that say what was written and what is left to do before opening it."""
    lines = [f"wrote {shown_path(result.path, cwd)}: {len(result.interpreters)} folders, each on its own .venv"]
    unlocked = [i.project for i in result.missing if not i.has_lock]
    uninstalled = [i.project for i in result.missing if i.has_lock]
    if uninstalled:
        lines.append(
            f"interpreters missing: {', '.join(uninstalled)} (hint: ./mono code --install, or ./mono install NAME)"
        )
    if unlocked:
        lines.append(
            f"no venv and no poetry.lock: {', '.join(unlocked)} (hint: ./mono lock NAME, then ./mono code --install)"
        )
    for kernel in result.kernels:
        if kernel.status == "registered":
            now = " now" if kernel.project in result.kernels_registered else ""
            lines.append(f"kernel {kernel.project}: registered{now}; it runs the folder's .venv")
        elif kernel.status == "not registered":
            lines.append(f"kernel {kernel.project}: not registered (hint: ./mono kernel {kernel.project})")
        elif kernel.status == "registered for another venv":
            lines.append(f"kernel {kernel.project}: runs {kernel.python} (hint: ./mono kernel {kernel.project})")
    lines.append(f"next: code {shlex.quote(shown_path(result.path, cwd))}")
    return lines


@click.command("code")
@selection_options
@click.option("-o", "--output", metavar="PATH", help="Write here (a .code-workspace file inside the repository).")
@click.option("--install", is_flag=True, help="Install the missing venvs and register the missing kernels first.")
@click.pass_obj
def code_command(
    repo: Repo,
    targets: tuple[str, ...],
    all_: bool,
    affected: bool,
    since: str | None,
    output: str | None,
    install: bool,
) -> int:
    """Write a VS Code workspace (.mono/mono.code-workspace) with one folder per project.

    Each folder's interpreter is its own .venv, and each project has a launch configuration on
    it; the kernels of projects with ipykernel are checked. Open it with `code PATH`.
    """
    from mono.cli.progress import progress_for, say_waiting
    from mono.cli.render import summary
    from mono.commands.code import make_code_workspace, output_path

    workspace, graph, names = selected(repo, request_from(targets, all_, affected, since))
    location = output_path(workspace.root, repo.cwd, output)
    progress = functools.partial(progress_for, "install", len(names), workspace.root)
    result = make_code_workspace(workspace, graph, names, location, install, progress, say_waiting)
    if result.install is not None:
        click.echo(summary(result.install, workspace.root))
    for line in report(result, Path(os.path.abspath(repo.cwd))):
        click.echo(escaped(line))
    return 1 if result.install is not None and result.install.failed else 0
