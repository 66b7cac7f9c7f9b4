"""A command that must write to a repository it cannot write says so in one line, exit 2.

Root writes anywhere on a writable file system, so the refusal is staged here; the real one (a
read-only mount) is in tests/integration/test_read_only.py.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mono.engine import runner
from tests.conftest import CliRunner

Refusal = Callable[[Path, int], None]


@pytest.fixture
def refuse(monkeypatch: pytest.MonkeyPatch) -> Refusal:
    """Make taking the work lock fail as the operating system would, on `path` with `code`."""

    def install(path: Path, code: int) -> None:
        def refused(*args: object) -> None:
            raise OSError(code, os.strerror(code), str(path))

        monkeypatch.setattr(runner, "exclusive", refused)

    return install


def _only_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("command", ["lock", "install", "test"])
def test_a_read_only_file_system_is_named_as_such(repo: Path, cli: CliRunner, refuse: Refusal, command: str) -> None:
    refuse(repo / ".mono", errno.EROFS)
    result = cli(repo, command, "core")
    assert result.code == 2
    assert _only_line(result.err) == (
        f"mono: error: the repository at {repo} is read-only (read-only file system: .mono), and 'mono {command}'"
        " writes to it (hint: list, graph, affected, check and lock --check work here; run the others in a"
        " writable clone)"
    )


def test_a_folder_the_user_may_read_but_not_write(
    repo: Path, cli: CliRunner, refuse: Refusal, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse(repo / ".mono" / "lock", errno.EACCES)
    real = os.access
    # Root may write anything; an ordinary user may not write this repository.
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK and real(path, mode))
    result = cli(repo, "lock", "core")
    assert result.code == 2
    assert "is read-only (permission denied: .mono/lock), and 'mono lock' writes to it" in _only_line(result.err)


def test_a_file_that_cannot_be_read_is_not_called_read_only(
    repo: Path, cli: CliRunner, refuse: Refusal, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreadable = repo / "lib" / "core" / "pyproject.toml"
    refuse(unreadable, errno.EACCES)
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != unreadable and real(path, mode))
    result = cli(repo, "lock", "core")
    assert result.code == 1
    assert _only_line(result.err) == f"mono: error: [Errno 13] Permission denied: '{unreadable}'"


def test_a_refusal_outside_the_repository_is_not_blamed_on_it(
    repo: Path, cli: CliRunner, refuse: Refusal, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "cache" / "x"
    refuse(elsewhere, errno.EROFS)
    result = cli(repo, "lock", "core")
    assert result.code == 1
    assert _only_line(result.err) == f"mono: error: [Errno 30] Read-only file system: '{elsewhere}'"
