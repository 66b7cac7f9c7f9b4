"""A test run leaves nothing behind, however it ends: the servers its tests start stop, the
images they build and the containers of those go, and no tag of the user's is re-pointed. Each
case runs a small pytest session of its own (with the integration tests' conftest), ends it
and looks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO_ROOT, build_repo, pep621, start_process, stop_process
from tests.integration.conftest import IMAGE_LABEL, docker, free_port, remove_test_images, users_own_image

pytestmark = pytest.mark.integration

TOOL = REPO_ROOT / "tools/mono"

# The inner session's one test: two servers (one in pytest's process group, one in a group of
# its own, as the tests of `./mono run` start theirs), an image of an app `dashboard` and a
# container of it; then it ends, or waits to be interrupted.
INNER = """
import json, os, socket, subprocess, sys, time
from pathlib import Path

from tests.helpers import start_process
from tests.integration.conftest import BASE_IMAGE, IMAGE_LABEL, IMAGE_PREFIX, SESSION, docker, mono


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_waits_to_be_interrupted():
    ports = [int(port) for port in os.environ["INNER_PORTS"].split()]
    servers = [
        start_process(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
            own_group=own, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for port, own in zip(ports, (False, True))
    ]
    deadline = time.monotonic() + 30
    while not all(listening(port) for port in ports):
        assert time.monotonic() < deadline, "the servers did not start"
        time.sleep(0.1)
    told = {"pids": [server.pid for server in servers], "session": SESSION}
    built = mono("-C", os.environ["INNER_REPO"], "build", "dashboard", "--base-image", BASE_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    image = IMAGE_PREFIX + "/dashboard:0.1.0"
    told["image"] = docker("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()
    labels = json.loads(docker("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout)
    told["label"] = labels[IMAGE_LABEL]
    sleeper = ["--entrypoint", "python3", image, "-c", "import time; time.sleep(600)"]
    told["container"] = docker("run", "-d", "--network", "none", *sleeper).stdout.strip()
    Path(os.environ["INNER_OUT"]).write_text(json.dumps(told))
    if os.environ.get("INNER_WAIT"):
        time.sleep(600)
"""

CASES: dict[str, tuple[signal.Signals | None, bool]] = {
    # the test passes and the session ends as usual
    "passes": (None, False),
    # a terminal's Ctrl-C: SIGINT to pytest's whole process group
    "ctrl-c": (signal.SIGINT, True),
    # `./mono test` stopped, a cancelled CI job: SIGTERM to pytest alone
    "sigterm": (signal.SIGTERM, False),
    # pytest killed: no teardown runs at all (the parent-death signal and the reaper act)
    "sigkill": (signal.SIGKILL, False),
}


def is_running(pid: int) -> bool:
    """True while `pid` is a live process (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def labelled(session: str) -> list[str]:
    """The IDs of the images labelled as built in test session `session`."""
    return docker("image", "ls", "--no-trunc", "-q", "--filter", f"label={IMAGE_LABEL}={session}").stdout.split()


def exists(container: str) -> bool:
    return docker("container", "inspect", container, check=False).returncode == 0


def identity(image: str) -> str:
    return docker("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


def dashboard_repo(root: Path) -> Path:
    """An app `dashboard` 0.1.0 whose Dockerfile is built from the repository's root (no wheels)."""
    return build_repo(
        root,
        {
            "pyproject.toml": '[tool.mono.docker]\ncontext = "repo"\n',
            "app/sales/dashboard/pyproject.toml": pep621("dashboard"),
            "app/sales/dashboard/Dockerfile": 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCMD ["python3", "-c", "print(1)"]\n',
        },
    )


@pytest.mark.parametrize("case", list(CASES))
def test_a_run_leaves_no_server_and_no_image_however_it_ends(engine: None, tmp_path: Path, case: str) -> None:
    number, to_group = CASES[case]
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pytest.ini").write_text("[pytest]\n")
    (inner / "test_inner.py").write_text(INNER)
    out = tmp_path / "told.json"
    ports = [free_port(), free_port()]
    env = {**os.environ, "INNER_PORTS": " ".join(map(str, ports)), "INNER_OUT": str(out)}
    if number is not None:
        env["INNER_WAIT"] = "1"
    env["INNER_REPO"] = str(dashboard_repo(tmp_path / "repo"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.integration.conftest"]
    with users_own_image("dashboard:0.1.0") as users:
        running = start_process(
            [*command, "--rootdir", str(inner), str(inner / "test_inner.py")],
            cwd=TOOL, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, own_group=True,
        )  # fmt: skip
        told: dict[str, Any] = {}
        try:
            if not wait_until(lambda: out.is_file() or running.poll() is not None, 300) or not out.is_file():
                stop_process(running, signal.SIGKILL)
                raise AssertionError(f"the inner session did not get going:\n{running.communicate()[0]}")
            told = json.loads(out.read_text())
            pids, session = [int(pid) for pid in told["pids"]], str(told["session"])
            if number is not None:
                assert all(is_running(pid) for pid in pids) and all(listening(port) for port in ports)
            # Built under the session's own name, with its label.
            assert told["image"] != users and told["label"] == session
            assert identity("dashboard:0.1.0") == users, "the build re-pointed the user's tag"
            if number is not None and to_group:
                os.killpg(running.pid, number)
            elif number is not None:
                running.send_signal(number)
            output, _ = running.communicate(timeout=120)
            # What the run left (the reaper of a killed run takes a few seconds), before the
            # safety net below removes it.
            wait_until(lambda: not labelled(session) and not exists(told["container"]), 60)
            left = labelled(session) + [told["container"]] * exists(told["container"])
        finally:
            stop_process(running, signal.SIGKILL)
            if told:
                remove_test_images(str(told["session"]))  # whatever the inner session left (SIGKILL)
        # The user's dashboard:0.1.0 is the image it was: the build tagged only its own names.
        assert identity("dashboard:0.1.0") == users
    if number is None:
        assert running.returncode == pytest.ExitCode.OK, output
    if number in {signal.SIGINT, signal.SIGTERM}:
        assert running.returncode == pytest.ExitCode.INTERRUPTED, output  # it tore down, not died
    assert left == [], output
    assert wait_until(lambda: not any(is_running(pid) for pid in pids), 10), f"servers left running: {pids}"
    assert not any(listening(port) for port in ports)
