"""Live progress of a run: a spinner line on a terminal, one plain line per project elsewhere."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mono.engine.runner import Progress, TaskResult

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal() -> bool:
    """True when stdout is an interactive terminal (not CI, not a pipe)."""
    return sys.stdout.isatty()


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


@contextlib.contextmanager
def progress_for(command: str, total: int, root: Path) -> Iterator[Progress]:
    """Live progress on a terminal, one plain line per project elsewhere."""
    if is_terminal():
        with LiveProgress(command, total) as live:
            yield live
    else:
        yield PlainProgress(command, root)


def say_waiting(holder: str) -> None:
    """Tell the user whom this command waits for (another ./mono holds the work lock)."""
    click.echo(f"mono: waiting for {holder} to finish (it holds .mono/lock)", err=True)
