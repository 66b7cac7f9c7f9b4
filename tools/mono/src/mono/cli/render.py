"""Turning results into text: tables, JSON, live progress on a terminal, plain lines elsewhere."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mono.errors import EXIT_FAILED, EXIT_OK
from mono.model.names import shown_name

if TYPE_CHECKING:
    from mono.engine.runner import RunSummary


def escaped(text: str) -> str:
    """`text` with each character that is not printable (a newline, a NUL, an escape sequence)
    written as its escape: what a hostile file puts in a message can neither split its line
    nor drive the terminal."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def emit_json(value: Any) -> None:
    """Print `value` as indented JSON on stdout."""
    click.echo(json.dumps(value, indent=2))


def columns(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Rows as left-aligned columns under a header."""
    table = [list(header), *[list(row) for row in rows]]
    widths = [max(len(row[index]) for row in table) for index in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table
    )


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def summary(run: RunSummary, root: Path) -> str:
    """The end-of-run table (project, result, seconds) and, for failures, the log tail."""
    rows = [(shown_name(result.project), result.status, f"{result.seconds:.1f}") for result in run.results]
    lines = ["", columns(rows, ("project", "result", "seconds"))]
    for result in run.results:
        if result.status == "skipped":
            lines += ["", f"--- {shown_name(result.project)} skipped: {result.detail}"]
    for result in run.failed:
        lines += [
            "",
            f"--- {shown_name(result.project)} failed; log: {_shown(result.log, root)}",
            result.detail.rstrip(),
        ]
    skipped = sum(result.status == "skipped" for result in run.results)
    passed = len(run.results) - len(run.failed) - skipped
    counts = (
        f"{passed} passed, {skipped} skipped, {len(run.failed)} failed"
        if skipped
        else f"{passed} passed, {len(run.failed)} failed"
    )
    lines += ["", f"{run.command}: {counts}", *_test_counts(run)]
    return "\n".join(lines)


def _test_counts(run: RunSummary) -> list[str]:
    """The tests that ran, counted one by one (not by project), and why any were skipped."""
    counted = [result.tests for result in run.results if result.tests is not None]
    if not counted:
        return []
    total = sum(counted[1:], counted[0])
    lines = [f"tests: {total.passed} passed, {total.failed} failed, {total.skipped} skipped"]
    shown = 5
    lines += [f"  {count} skipped: {escaped(reason)}" for reason, count in total.skip_reasons[:shown]]
    if len(total.skip_reasons) > shown:
        lines.append(f"  ... and {len(total.skip_reasons) - shown} other reasons (see the logs)")
    return lines


def finish(run: RunSummary, root: Path) -> int:
    """Print the end-of-run summary; the exit code: 1 when anything failed."""
    click.echo(summary(run, root))
    return EXIT_FAILED if run.failed else EXIT_OK
