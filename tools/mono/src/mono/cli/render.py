"""Turning results into text: tables, JSON, live progress on a terminal, plain lines elsewhere."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mono.runner import Progress, RunSummary, TaskResult

if TYPE_CHECKING:
    from rich.console import Console


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


def is_terminal() -> bool:
    """True when stdout is an interactive terminal (not CI, not a pipe)."""
    return sys.stdout.isatty()


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class PlainProgress(Progress):
    """One line per finished project: readable in CI logs."""

    def __init__(self, command: str, root: Path) -> None:
        self.command = command
        self.root = root

    def finished(self, result: TaskResult, done: int, total: int) -> None:
        click.echo(f"[{done}/{total}] {self.command} {result.project}: {result.status} ({result.seconds:.1f}s)")


class LiveProgress(Progress):
    """A live display of running projects on a terminal."""

    def __init__(self, command: str, total: int, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self.command = command
        self.total = total
        self.done = 0
        self.failed = 0
        self.running: list[str] = []
        self.lock = threading.Lock()
        self.console = console or Console()
        self.live = Live(self._view(), console=self.console, refresh_per_second=8, transient=True)

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def _view(self) -> Any:
        from rich.spinner import Spinner

        running = ", ".join(self.running) or "-"
        text = f"{self.command}: {self.done}/{self.total} done, {self.failed} failed; running: {running}"
        return Spinner("dots", text=text)

    def started(self, project: str) -> None:
        with self.lock:
            self.running.append(project)
            self.live.update(self._view())

    def finished(self, result: TaskResult, done: int, total: int) -> None:
        with self.lock:
            self.running.remove(result.project)
            self.done = done
            self.failed += result.failed
            style = "red" if result.failed else "green"
            self.console.print(
                f"[{style}]{result.status:>10}[/] {result.project} ({result.seconds:.1f}s)", highlight=False
            )
            self.live.update(self._view())


def summary(run: RunSummary, root: Path) -> str:
    """The end-of-run table (project, result, seconds) and, for failures, the log tail."""
    rows = [(result.project, result.status, f"{result.seconds:.1f}") for result in run.results]
    lines = ["", columns(rows, ("project", "result", "seconds"))]
    for result in run.failed:
        lines += ["", f"--- {result.project} failed; log: {_shown(result.log, root)}", result.detail.rstrip()]
    passed = len(run.results) - len(run.failed)
    lines += ["", f"{run.command}: {passed} passed, {len(run.failed)} failed"]
    return "\n".join(lines)
