"""Read-only checkouts (issue 13): `list`, `graph`, `affected`, `check` and `lock --check` work on a
repository nothing may be written to, and write nothing; a command that must write says in one
line, exit 2, that the repository is read-only.

Root ignores file permissions, so `chmod -R a-w` would prove nothing here (tests and CI run as
root). Each command runs instead in a mount namespace of its own, where the repository is
bind-mounted read-only over itself: every write fails with EROFS, as on a read-only volume, and
the mount vanishes with the command, whatever becomes of the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, build_repo, git, pep621
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

# `sh -c SCRIPT REPO COMMAND...`: REPO read-only for COMMAND and what it starts, nobody else.
MOUNT_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
PRIVATE_MOUNTS = ["unshare", "--mount", "--propagation", "private", "sh", "-c", MOUNT_READ_ONLY]

BUILD_SYSTEM = '\n[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
FILES = {
    ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
    "pyproject.toml": "[tool.mono]\n",
    "lib/core/pyproject.toml": pep621("core", extra=BUILD_SYSTEM),
    "lib/core/core/__init__.py": "ANSWER = 42\n",
    "app/shop/web/pyproject.toml": pep621("web", {"core": "../../../lib/core"}, extra=BUILD_SYSTEM),
    "app/shop/web/web/__init__.py": "from core import ANSWER\n",
    "app/shop/web/Dockerfile": "FROM python:3.11-slim\n",
}

READ_ONLY_COMMANDS = [
    ["--version"],
    ["--help"],
    ["list"],
    ["list", "--json"],
    ["graph"],
    ["graph", "--format", "mermaid"],
    ["affected"],
    ["affected", "--json"],
    ["check"],
    ["check", "--json"],
    ["lock", "--check"],
    ["lock", "--check", "--all"],
]
WRITING_COMMANDS = [["lock"], ["lock", "web"], ["install"], ["install", "core"]]


def _read_only_problem(probe: Path) -> str:
    """Why a folder cannot be mounted read-only for one command here ('' when it can)."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare and mount (util-linux) are not on PATH"
    probe.mkdir()
    tried = subprocess.run(
        [*PRIVATE_MOUNTS, str(probe), "sh", "-c", 'touch "$0/written"', str(probe)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if tried.returncode == 0 or (probe / "written").exists():
        return "a read-only bind mount did not stop a write"
    if "Read-only file system" not in tried.stderr:
        return f"cannot mount a folder read-only in a mount namespace: {tried.stderr.strip()}"
    return ""


@pytest.fixture(scope="module")
def read_only_mounts(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Read-only mounts work here; in CI their absence is a failure, never a skip."""
    problem = _read_only_problem(tmp_path_factory.mktemp("probe") / "folder")
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"read-only checkout tests cannot run in CI: {problem}")
        pytest.skip(problem)


def read_only(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ./mono -C REPO ARGS as a user would, with REPO mounted read-only."""
    return subprocess.run(
        [*PRIVATE_MOUNTS, str(repo), "sh", str(LAUNCHER), "-C", str(repo), *args],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every entry under `root`, git's own folder included: its mode and its bytes (a link's target)."""
    entries: dict[str, tuple[int, bytes]] = {}
    for path in sorted(root.rglob("*")):
        status = path.lstat()
        if path.is_symlink():
            content = os.fsencode(os.readlink(path))
        elif path.is_file():
            content = path.read_bytes()
        else:
            content = b""
        entries[path.relative_to(root).as_posix()] = (status.st_mode, content)
    return entries


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory, read_only_mounts: None) -> Path:
    """A lib and an app, both locked by real Poetry and committed; .mono/ as locking left it."""
    repo = build_repo(tmp_path_factory.mktemp("locked") / "repo", FILES)
    result = mono("-C", str(repo), "lock", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "locks")
    assert (repo / ".mono/state/locked/web").is_file()
    return repo


@pytest.fixture(params=["with-state", "fresh-clone"])
def checkout(request: pytest.FixtureRequest, locked: Path, tmp_path: Path) -> Path:
    """The locked repository with the .mono/ a working copy has, or none (a fresh clone)."""
    repo = tmp_path / "repo"
    shutil.copytree(locked, repo, symlinks=True)
    if request.param == "fresh-clone":
        shutil.rmtree(repo / ".mono")
    return repo


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The user's cache folder, where the read-only commands' logs go."""
    folder = tmp_path / "cache"
    folder.mkdir()
    yield {"XDG_CACHE_HOME": str(folder)}


def _assert_clean(result: subprocess.CompletedProcess[str], command: list[str]) -> None:
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "Errno" not in said, (command, said)


def test_read_only_commands_work_and_write_nothing(checkout: Path, cache: dict[str, str]) -> None:
    before = snapshot(checkout)
    for command in READ_ONLY_COMMANDS:
        result = read_only(checkout, *command, env=cache)
        assert result.returncode == 0, (command, result.stdout + result.stderr)
        _assert_clean(result, command)
    assert "lock: 2 passed, 0 failed" in result.stdout
    assert snapshot(checkout) == before
    if not (checkout / ".mono").exists():
        # Without records Poetry checked each lock; its output went to the user's cache folder.
        logs = Path(cache["XDG_CACHE_HOME"]).rglob("logs/lock/*.log")
        assert sorted(log.name for log in logs) == ["core.log", "web.log"]


def test_a_stale_lock_is_reported_not_fixed(checkout: Path, cache: dict[str, str]) -> None:
    pyproject = checkout / "app/shop/web/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dependencies = ["core"]', 'dependencies = ["core", "six"]'))
    before = snapshot(checkout)
    checked = read_only(checkout, "lock", "--check", "web", env=cache)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "poetry.lock is stale" in checked.stdout and "(run ./mono lock web)" in checked.stdout
    _assert_clean(checked, ["lock", "--check"])
    health = read_only(checkout, "check", env=cache)
    assert health.returncode == 1, health.stdout + health.stderr
    assert "locks: poetry.lock is stale" in health.stdout
    _assert_clean(health, ["check"])
    assert snapshot(checkout) == before


def test_writing_commands_say_the_repository_is_read_only(checkout: Path, cache: dict[str, str]) -> None:
    before = snapshot(checkout)
    for command in WRITING_COMMANDS:
        result = read_only(checkout, *command, env=cache)
        assert result.returncode == 2, (command, result.stdout + result.stderr)
        assert result.stdout == ""
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"mono: error: the repository at {checkout} is read-only (read-only file system: .mono")
        assert f"and 'mono {command[0]}' writes to it (hint: " in line
    assert snapshot(checkout) == before


def test_logs_go_to_a_temporary_folder_when_the_cache_cannot_be_written(checkout: Path, tmp_path: Path) -> None:
    # A read-only home, or HOME=/nonexistent (the nobody user's): no cache folder can be made.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {"XDG_CACHE_HOME": str(checkout / "cache"), "TMPDIR": str(temporary)}
    before = snapshot(checkout)
    for command in (["lock", "--check"], ["check"]):
        result = read_only(checkout, *command, env=env)
        assert result.returncode == 0, (command, result.stdout + result.stderr)
        _assert_clean(result, command)
    assert snapshot(checkout) == before
    assert list(temporary.iterdir()) == []  # nothing failed, so no log was worth keeping


def test_a_checkout_another_user_owns(locked: Path, tmp_path: Path, cache: dict[str, str]) -> None:
    # A shared checkout: git reads no repository another user owns until told to trust it.
    repo = tmp_path / "shared"
    shutil.copytree(locked, repo, symlinks=True)
    shutil.rmtree(repo / ".mono")
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 65534, 65534)
    for command in (["list"], ["check"], ["lock", "--check"]):
        result = read_only(repo, *command, env=cache)
        assert result.returncode == 0, (command, result.stdout + result.stderr)
    refused = read_only(repo, "affected", env=cache)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"mono: error: git refuses to read {repo}: the repository belongs to another user"
        f" (hint: if you trust it, run: git config --global --add safe.directory {repo})"
    )
