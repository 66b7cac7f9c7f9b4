from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mono.cli import main
from tests.helpers import build_repo, layered_repo


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]

# Copies of projects that tests put into the repositories they build: their own tests run there.
collect_ignore = ["fixtures"]


@pytest.fixture(autouse=True)
def _no_launcher_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests pick their repository with -C; the launcher's variable must not leak in.
    monkeypatch.delenv("MONO_ROOT", raising=False)


@pytest.fixture(autouse=True)
def _own_cache_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Read-only commands keep their logs in the user's cache folder; unit tests use one of their
    # own. Integration tests keep the real one, where Poetry's and uv's download caches are.
    if request.node.get_closest_marker("integration") is None:
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return build_repo(tmp_path / "repo", layered_repo())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Call the CLI in-process: cli(root, "list", "--json")."""

    def invoke(root: Path, *args: str) -> CliResult:
        code = main(["-C", str(root), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
