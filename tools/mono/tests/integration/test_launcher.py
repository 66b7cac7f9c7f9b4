"""The ./mono launcher: bootstraps .mono/venv, reinstalls when pins change, explains a missing Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, processes_marked

pytestmark = pytest.mark.integration


def launcher_copy(target: Path) -> Path:
    """The launcher, the pins and the tool, copied: a repository with no projects yet."""
    target.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "mono", target / "mono")
    shutil.copy2(REPO_ROOT / "requirements.txt", target / "requirements.txt")
    shutil.copytree(
        REPO_ROOT / "tools/mono",
        target / "tools/mono",
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "tests"),
    )
    return target


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(repo / "mono"), *args],
        cwd=repo,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )


def test_first_use_sets_up_then_reuses_then_reinstalls_when_pins_change(tmp_path: Path) -> None:
    repo = launcher_copy(tmp_path / "repo")
    first = run(repo, "--version")
    assert first.returncode == 0, first.stderr
    assert "setting up .mono/venv" in first.stderr
    assert first.stdout.strip() == "mono, version 0.1.0"
    assert (repo / ".mono/venv/bin/poetry").is_file()
    second = run(repo, "--version")
    assert second.returncode == 0 and "setting up" not in second.stderr
    with (repo / "tools/mono/constraints.txt").open("a") as constraints:
        constraints.write("# a pin changed\n")
    third = run(repo, "list")
    assert third.returncode == 0, third.stderr
    assert "setting up .mono/venv" in third.stderr


def pins(requirements: Path) -> dict[str, str]:
    """name -> version of the `name==version` lines of a requirements file (names normalised)."""
    found: dict[str, str] = {}
    for line in requirements.read_text().splitlines():
        name, separator, version = line.split("#", 1)[0].strip().partition("==")
        if separator:
            found[name.lower().replace("_", "-")] = version.strip()
    return found


def frozen(repo: Path) -> dict[str, str]:
    """name -> version of what .mono/venv holds, as `uv pip freeze` lists it (the tool itself,
    an editable install of the repository's own folder, left out)."""
    uv = repo / ".mono/venv/bin/uv"
    listing = subprocess.run(
        [str(uv), "pip", "freeze", "--python", str(repo / ".mono/venv/bin/python")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, str] = {}
    for line in listing.splitlines():
        name, separator, version = line.partition("==")
        if separator:
            result[name.lower().replace("_", "-")] = version
    return result


def test_uv_sets_up_the_venv_with_the_pinned_versions_pip_installs_when_uv_cannot(tmp_path: Path) -> None:
    repo = launcher_copy(tmp_path / "uv")
    first = run(repo, "--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "mono, version 0.1.0"
    log = (repo / ".mono/bootstrap.log").read_text()
    uv_pin = pins(repo / "requirements.txt")["uv"]
    # pip installed uv alone, then uv the rest.
    assert f"mono: installing requirements.txt and tools/mono with uv=={uv_pin}" in log, log
    assert "Installed " in log.split("with uv==", 1)[1] and "could not" not in log, log
    wanted = pins(repo / "requirements.txt") | pins(repo / "tools/mono/constraints.txt")
    with_uv = frozen(repo)
    assert {name: with_uv.get(name) for name in wanted} == wanted
    # Where PYTHONDONTWRITEBYTECODE is set, the tool keeps the bytecode it compiles inside its
    # venv (so the next start compiles nothing), and none beside the sources.
    listed = run(repo, "list", env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert listed.returncode == 0, listed.stderr
    kept = repo / ".mono/venv/pycache"
    assert list(kept.rglob("mono/cli/app.*.pyc")) and list(kept.rglob("click/core.*.pyc")), "no bytecode kept"
    assert not list((repo / "tools/mono/src").rglob("__pycache__"))
    # Where uv cannot install (here: offline, with nothing in its cache), pip sets it all up.
    fallback = launcher_copy(tmp_path / "pip")
    offline = {**os.environ, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-uv-cache")}
    second = run(fallback, "--version", env=offline)
    assert second.returncode == 0, second.stderr
    assert "uv could not set up .mono/venv; setting it up with pip instead (slower)" in second.stderr
    assert "starting again with pip" in (fallback / ".mono/bootstrap.log").read_text()
    assert frozen(fallback) == with_uv


def without_python(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has the launcher's shell tools and a Python too old for it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "cat", "cksum", "dirname", "mkdir", "rm", "sleep", "readlink", "tail"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    old_python = bin_dir / "python3"
    old_python.write_text("#!/bin/sh\necho 'Python 3.9.18'\nexit 1\n")
    old_python.chmod(0o755)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path)}


def test_no_suitable_python_is_one_clear_line(tmp_path: Path) -> None:
    repo = launcher_copy(tmp_path / "repo")
    result = run(repo, "list", env=without_python(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mono: error: no Python >= 3.11"), result.stderr
    assert not (repo / ".mono/venv").exists()


def test_a_bootstrap_lock_left_without_a_pid_is_taken_over_at_once(tmp_path: Path) -> None:
    # A ./mono killed between taking the lock and writing its pid leaves an empty lock folder.
    repo = launcher_copy(tmp_path / "repo")
    (repo / ".mono/bootstrap.lock").mkdir(parents=True)
    started = time.monotonic()
    result = run(repo, "list", env=without_python(tmp_path))  # it then stops at the old Python
    assert time.monotonic() - started < 30, "waited for a lock nobody holds"
    assert result.returncode == 2 and "no Python >= 3.11" in result.stderr, result.stderr
    assert "waiting for another ./mono" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_a_bootstrap_killed_mid_install_stops_pip_and_the_next_run_sets_up_at_once(tmp_path: Path) -> None:
    repo = launcher_copy(tmp_path / "repo")
    killed = subprocess.Popen(
        ["sh", str(repo / "mono"), "--version"],
        env={**os.environ, "MONO_BOOTSTRAP_KILL_TEST": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = repo / ".mono/bootstrap.log"
    deadline = time.monotonic() + 300
    while not (log.is_file() and "Collecting" in log.read_text(errors="replace")):
        assert time.monotonic() < deadline and killed.poll() is None, "pip never started installing"
        time.sleep(0.1)
    killed.kill()  # SIGKILL of the launcher's shell, mid pip install
    killed.wait()
    deadline = time.monotonic() + 10
    while processes_marked("MONO_BOOTSTRAP_KILL_TEST", "1") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_marked("MONO_BOOTSTRAP_KILL_TEST", "1") == [], "pip went on installing after ./mono was killed"
    started = time.monotonic()
    again = run(repo, "--version")
    assert again.returncode == 0, again.stderr
    assert "waiting for another ./mono" not in again.stderr, "waited for a lock whose holders are gone"
    assert again.stdout.strip() == "mono, version 0.1.0" and time.monotonic() - started < 600


def test_a_state_folder_that_is_a_symlink_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    repo = launcher_copy(tmp_path / "repo")
    outside = tmp_path / "victim"
    outside.mkdir()
    (repo / ".mono").symlink_to(outside)
    result = run(repo, "list")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"mono: error: {repo}/.mono is a symlink, outside the tool's state folder "
        "(hint: the tool writes only under .mono/; remove the link)"
    ]
    assert list(outside.iterdir()) == []
