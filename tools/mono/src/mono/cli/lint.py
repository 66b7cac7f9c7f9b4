"""`mono lint`: ruff (lint and format check) over the selected projects, or the whole repository."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo, request_from, selected, selection_options
from mono.errors import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from mono.commands.lint import LintResult


@click.command("lint")
@selection_options
@click.option("--fix", is_flag=True, help="Fix what ruff can (ruff check --fix, then ruff format).")
@click.pass_obj
def lint_command(repo: Repo, targets: tuple[str, ...], all_: bool, affected: bool, since: str | None, fix: bool) -> int:
    """Run ruff (check, and format --check) over the selected projects; with none named, the whole repository."""
    from mono.commands.lint import lint

    request = request_from(targets, all_, affected, since)
    if request.is_empty or request.all:
        folders = ["."]  # every project, and the Python outside them (bench/, scripts)
    else:
        workspace, _, names = selected(repo, request)
        folders = [workspace.projects[name].path for name in names]
    result = lint(repo.root, folders, fix=fix)
    click.echo(render(result))
    return EXIT_OK if result.ok else EXIT_FAILED


def render(result: LintResult) -> str:
    """Ruff's own output, then one line that sums it up."""
    if not result.steps:
        return "lint: nothing to lint (no project selected)"
    where = "the whole repository" if result.paths == (".",) else ", ".join(result.paths)
    lines = [step.output.rstrip() for step in result.steps if step.output.strip()]
    if result.ok:
        done = "clean after fixing" if result.fix else "clean"
        return "\n".join([*lines, f"lint: {done}: {where}"])
    problems = []
    if result.lint is not None and not result.lint.ok:
        problems.append("ruff check found problems it cannot fix" if result.fix else "ruff check found problems")
    if result.format is not None and not result.format.ok:
        problems.append("ruff format could not format some files" if result.fix else "some files need formatting")
    hint = "" if result.fix else " (hint: './mono lint --fix' fixes what ruff can)"
    return "\n".join([*lines, f"lint: failed in {where}: {', '.join(problems)}{hint}"])
