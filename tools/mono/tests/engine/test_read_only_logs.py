"""Where a read-only command keeps its logs when the user's cache folder cannot be written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from mono.engine.runner import Outcome, run_tasks
from mono.errors import NoLogFolder
from mono.model.graph import Graph

GRAPH = Graph({"core": (), "web": ("core",)})


class Logging:
    """A task that writes its log and remembers where it was."""

    def __init__(self, fail: frozenset[str] = frozenset()) -> None:
        self.fail = fail
        self.logs: dict[str, Path] = {}

    def __call__(self, name: str, log: Path) -> Outcome:
        log.write_text(f"output of {name}\n", encoding="utf-8")
        self.logs[name] = log
        return Outcome("failed") if name in self.fail else Outcome("up to date")


@pytest.fixture
def unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder setting that names a file (as a read-only home does, no folder can be made
    there), and a temporary folder of the test's own; returns the latter."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return temporary


def test_logs_go_to_a_temporary_folder_that_goes_away_after_success(tmp_path: Path, unwritable_cache: Path) -> None:
    task = Logging()
    root = tmp_path / "repo"
    summary = run_tasks("lock", ["core", "web"], GRAPH, task, root, workers=2, read_only=True)
    assert [result.status for result in summary.results] == ["up to date", "up to date"]
    assert all(log.parent.parent == unwritable_cache for log in task.logs.values()), task.logs
    assert list(unwritable_cache.iterdir()) == []
    assert not root.exists()


def test_a_failure_keeps_the_temporary_log_it_names(tmp_path: Path, unwritable_cache: Path) -> None:
    summary = run_tasks(
        "check", ["core", "web"], GRAPH, Logging(frozenset({"web"})), tmp_path / "repo", 2, read_only=True
    )
    [failed] = summary.failed
    assert failed.log.is_relative_to(unwritable_cache)
    assert failed.log.read_text(encoding="utf-8") == "output of web\n"


def test_no_writable_folder_at_all_is_one_clear_error(tmp_path: Path, unwritable_cache: Path) -> None:
    unwritable_cache.rmdir()  # mkdtemp fails as it does where the temporary folder is read-only
    with pytest.raises(NoLogFolder, match=r"no folder to keep the logs in: .* cannot be written") as raised:
        run_tasks("lock", ["core"], GRAPH, Logging(), tmp_path / "repo", workers=1, read_only=True)
    assert "XDG_CACHE_HOME" in str(raised.value)


def test_writing_commands_keep_their_logs_in_the_repository(tmp_path: Path, unwritable_cache: Path) -> None:
    task = Logging()
    run_tasks("lock", ["core"], GRAPH, task, tmp_path, workers=1)
    assert task.logs["core"] == tmp_path / ".mono" / "logs" / "lock" / "core.log"
