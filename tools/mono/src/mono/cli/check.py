"""`check`: the problems that keep a repository of many projects healthy, per project."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo
from mono.cli.render import emit_json, escaped
from mono.errors import EXIT_FAILED, EXIT_OK
from mono.model.names import shown_name

if TYPE_CHECKING:
    from mono.commands.check import Report

# The checks are imported where they are used: `list`, `graph` and `affected` must start fast.


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render_report(report: Report) -> str:
    """The findings grouped per project, one line each, then a line with the totals."""
    lines: list[str] = []
    shown: tuple[str, str] | None = None
    for finding in report.findings:
        if (finding.project, finding.path) != shown:
            shown = (finding.project, finding.path)
            lines.append(escaped(f"{shown_name(finding.project)} ({finding.path})"))
        # One line per finding, whatever name or value from a file its message holds.
        lines.append(escaped(f"  {finding.severity:<7}  {finding.check}: {finding.message}"))
    if lines:
        lines.append("")
    totals = f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
    lines.append(f"check: {totals} in {_count(report.projects, 'project')}")
    return "\n".join(lines)


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output: a list of findings.")
@click.option("--strict", is_flag=True, help="Count warnings (one package locked at several versions) as errors.")
@click.pass_obj
def check_command(repo: Repo, as_json: bool, strict: bool) -> int:
    """Report cycles, bad path dependencies, undeclared or unused libraries, drift, stale locks; exit 1 on errors."""
    from mono.commands.check import check_repository

    report = check_repository(repo.root, strict=strict)
    if as_json:
        emit_json([finding.as_json() for finding in report.findings])
    else:
        click.echo(render_report(report))
    return EXIT_FAILED if report.errors else EXIT_OK
