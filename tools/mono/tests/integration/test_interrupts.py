"""Ctrl-C during real work: every job stops, nothing is left half-written, a rerun picks up."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, start_process, stop_process
from tests.integration.conftest import copy_examples, mono

pytestmark = pytest.mark.integration


def processes_working_in(folder: Path) -> list[str]:
    """Command lines of the processes whose working directory is inside `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd == folder or folder in cwd.parents:
            found.append(f"{entry.name}: {command}")
    return found


def wait_for(condition: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_during_lock_stops_poetry_and_puts_every_lock_back(
    tmp_path: Path, stalling_index: str, number: signal.Signals
) -> None:
    repo = copy_examples(tmp_path / "repo")
    library = repo / "lib/helloworld"
    pyproject = library / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("dependencies = []", 'dependencies = ["six>=1.16"]'))
    locks = {path: path.read_bytes() for path in repo.rglob("poetry.lock")}
    log = repo / ".mono/logs/lock/helloworld.log"
    env = {**os.environ, "POETRY_PYPI_MIRROR_URL": stalling_index, "CI": "true"}
    env.pop("MONO_ROOT", None)
    running = start_process(
        ["sh", str(LAUNCHER), "-C", str(repo), "lock", "--all"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        own_group=True,  # the signal goes to ./mono alone, not to Poetry through the group
    )
    try:
        wait_for(lambda: log.is_file() and "one Poetry worker" in log.read_text(), "the Poetry worker to start")
        wait_for(lambda: any("poetry_worker" in p for p in processes_working_in(repo)), "poetry to be running")
        time.sleep(0.5)  # Poetry is now waiting on the index
        running.send_signal(number)
        out, err = running.communicate(timeout=60)
    finally:
        stop_process(running, signal.SIGKILL)
    assert running.returncode == 130, out + err
    assert "mono: interrupted" in err and "Traceback" not in err
    # Poetry was stopped, with the Pythons it had started, not left behind.
    wait_for(lambda: processes_working_in(repo) == [], "every process in the repository to end", timeout=2)
    assert {path: path.read_bytes() for path in repo.rglob("poetry.lock")} == locks
    assert not (repo / ".mono/state/locked/helloworld").exists()
    # A rerun with the real index locks what the interrupted run did not.
    rerun = mono("-C", str(repo), "lock", "--all")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "lock helloworld: ok" in rerun.stdout and "lock flask-app-1: ok" in rerun.stdout
    assert b"six" in (library / "poetry.lock").read_bytes()
