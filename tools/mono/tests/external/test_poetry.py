"""How Poetry is called: commands that write to its shared cache take turns, the rest do not."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from mono.external import poetry
from mono.external.proc import Completed


class OverlapMeter:
    """A fake `run` that measures how many calls were inside it at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, command: Sequence[str], **_: Any) -> Completed:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.2)
        with self.lock:
            self.inside -= 1
        return Completed(tuple(command), 0, "")


def most_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]) -> int:
    meter = OverlapMeter()
    monkeypatch.setattr(poetry, "run", meter)
    monkeypatch.setattr(poetry, "poetry_executable", lambda: "poetry")
    monkeypatch.setattr(poetry, "index_url", lambda: "http://index.invalid/simple/")
    threads = [threading.Thread(target=poetry.poetry, args=(args, tmp_path, tmp_path, None)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return meter.most


@pytest.mark.parametrize("command", ["lock", "sync"])
def test_poetry_commands_that_write_its_cache_take_turns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    assert most_at_once(monkeypatch, tmp_path, [command]) == 1


@pytest.mark.parametrize("command", ["export", "check"])
def test_read_only_poetry_commands_run_side_by_side(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    assert most_at_once(monkeypatch, tmp_path, [command, "--lock"]) > 1


def test_poetry_gets_in_project_venvs_and_the_derived_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(poetry, "index_url", lambda: "http://index.invalid/simple/")
    monkeypatch.delenv("POETRY_PYPI_MIRROR_URL", raising=False)
    env: Mapping[str, str] = poetry.poetry_environment(tmp_path)
    assert env["POETRY_VIRTUALENVS_IN_PROJECT"] == "true"
    assert env["POETRY_PYPI_MIRROR_URL"] == "http://index.invalid/simple/"
    assert "VIRTUAL_ENV" not in env


def test_lock_check_and_export_never_create_a_venv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def record(command: Sequence[str], **options: Any) -> Completed:
        seen[command[2]] = options["env"].get("POETRY_VIRTUALENVS_CREATE", "")
        return Completed(tuple(command), 0, "")

    monkeypatch.setattr(poetry, "run", record)
    monkeypatch.setattr(poetry, "poetry_executable", lambda: "poetry")
    monkeypatch.setattr(poetry, "index_url", lambda: "http://index.invalid/simple/")
    monkeypatch.delenv("POETRY_VIRTUALENVS_CREATE", raising=False)
    for command in ("lock", "check", "export", "build", "sync"):
        poetry.poetry([command], tmp_path, tmp_path, None)
    assert seen == {"lock": "false", "check": "false", "export": "false", "build": "false", "sync": ""}
