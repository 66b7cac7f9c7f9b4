from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from mono.cli.progress import LiveProgress, PlainProgress
from mono.cli.render import columns, summary
from mono.engine.runner import RunSummary, TaskResult


def result(project: str, status: str, tmp_path: Path, detail: str = "") -> TaskResult:
    return TaskResult(project, status, 1.25, tmp_path / ".mono/logs/test" / f"{project}.log", detail)  # type: ignore[arg-type]


def test_summary_table_lists_each_project_and_failure_tails(tmp_path: Path) -> None:
    run = RunSummary("test", (result("core", "passed", tmp_path), result("web", "failed", tmp_path, "E   boom")))
    text = summary(run, tmp_path)
    rows = [line.split() for line in text.splitlines() if line.strip()]
    assert ["project", "result", "seconds"] in rows
    assert ["core", "passed", "1.2"] in rows and ["web", "failed", "1.2"] in rows
    assert "--- web failed; log: .mono/logs/test/web.log" in text
    assert "E   boom" in text
    assert text.rstrip().endswith("test: 1 passed, 1 failed")


def test_plain_progress_prints_one_line_per_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    PlainProgress("lock", tmp_path).finished(result("core", "ok", tmp_path), 1, 3)
    assert capsys.readouterr().out == "[1/3] lock core: ok (1.2s)\n"


def test_live_progress_on_a_terminal_shows_running_and_finished_projects(tmp_path: Path) -> None:
    screen = io.StringIO()
    with LiveProgress("test", 2, Console(file=screen, force_terminal=True, width=100)) as live:
        live.started("core")
        live.started("web")
        assert "running: core, web" in str(live._view().text)
        live.finished(result("core", "passed", tmp_path), 1, 2)
        assert "1/2 done, 0 failed; running: web" in str(live._view().text)
        live.finished(result("web", "failed", tmp_path), 2, 2)
    output = screen.getvalue()
    assert "passed" in output and "core" in output and "failed" in output


def test_columns_align() -> None:
    assert columns([("a", "bb"), ("ccc", "d")], ("x", "y")).splitlines() == ["x    y", "a    bb", "ccc  d"]
