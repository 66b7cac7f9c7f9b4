from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mono.engine import locking as tasks
from mono.errors import CommandFailed
from mono.external.poetry import Locked
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace


def _half_write_then(error: BaseException) -> Any:
    def fake_worker(root: Path, folders: Sequence[Path], on_locked: Callable[[Locked], None], **options: Any) -> None:
        for folder in folders:
            (folder / "poetry.lock").write_text("# half a lock, as if Poetry stopped mid-write\n[[package]\nname =")
            if isinstance(error, CommandFailed):  # the worker reports a project it could not lock
                on_locked(Locked(folder, False, error.tail))
            else:
                raise error

    return fake_worker


@pytest.mark.parametrize(
    "error", [KeyboardInterrupt(), CommandFailed(["poetry", "lock"], 1, "resolver failed")], ids=["ctrl-c", "failure"]
)
def test_an_interrupted_or_failed_lock_puts_the_old_lock_back(
    repo: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    lock_file = repo / "lib/core/poetry.lock"
    lock_file.write_text("# the committed lock\n")
    monkeypatch.setattr(tasks, "lock_in_one_process", _half_write_then(error))
    with pytest.raises(type(error)):
        workspace = load_workspace(repo)
        tasks.lock(workspace, build_graph(workspace), "core", repo / "lock.log", force=True)
    assert lock_file.read_text() == "# the committed lock\n"


def test_an_interrupted_first_lock_leaves_no_lock(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "lock_in_one_process", _half_write_then(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        workspace = load_workspace(repo)
        tasks.lock(workspace, build_graph(workspace), "core", repo / "lock.log", force=True)
    assert not (repo / "lib/core/poetry.lock").exists()
