from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mono.engine import locking as tasks
from mono.errors import CommandFailed
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace


def _half_write_then(error: BaseException) -> Any:
    def fake_poetry(
        args: list[str], root: Path, folder: Path, log: Path | None, check: bool = True, **options: Any
    ) -> None:
        (folder / "poetry.lock").write_text("# half a lock, as if Poetry stopped mid-write\n[[package]\nname =")
        raise error

    return fake_poetry


@pytest.mark.parametrize(
    "error", [KeyboardInterrupt(), CommandFailed(["poetry", "lock"], 1, "resolver failed")], ids=["ctrl-c", "failure"]
)
def test_an_interrupted_or_failed_lock_puts_the_old_lock_back(
    repo: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    lock_file = repo / "lib/core/poetry.lock"
    lock_file.write_text("# the committed lock\n")
    monkeypatch.setattr(tasks, "poetry", _half_write_then(error))
    with pytest.raises(type(error)):
        workspace = load_workspace(repo)
        tasks.lock(workspace, build_graph(workspace), "core", repo / "lock.log", force=True)
    assert lock_file.read_text() == "# the committed lock\n"


def test_an_interrupted_first_lock_leaves_no_lock(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "poetry", _half_write_then(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        workspace = load_workspace(repo)
        tasks.lock(workspace, build_graph(workspace), "core", repo / "lock.log", force=True)
    assert not (repo / "lib/core/poetry.lock").exists()
