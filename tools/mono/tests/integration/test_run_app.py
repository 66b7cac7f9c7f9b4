"""`mono run` serves the example app for real, on 127.0.0.1 and $PORT, and stops on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, start_process, stop_process
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration


def wait_for_page(url: str, process: subprocess.Popen[str], seconds: float = 300) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds}s")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    stderr: str = ""


@contextlib.contextmanager
def serving(repo: Path, app: str, port: int, sigint_ignored: bool = False) -> Iterator[Served]:
    """`./mono -C REPO run APP` in its own process group; Ctrl-C (SIGINT) to the group on exit.

    `sigint_ignored` starts it the way `./mono run APP &` in a script does: SIGINT ignored.
    """

    process = start_process(
        ["sh", str(LAUNCHER), "-C", str(repo), "run", app],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        own_group=True,
        ignore_sigint=sigint_ignored,
    )
    served = Served(process, f"http://127.0.0.1:{port}/")
    try:
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        try:
            _, served.stderr = process.communicate(timeout=30)
        finally:
            stop_process(process, signal.SIGKILL)


def assert_port_closed(port: int) -> None:
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_run_installs_serves_the_library_greeting_and_stops_on_ctrl_c(examples: Path) -> None:
    port = free_port()
    with serving(examples, "flask-app-1", port) as served:
        assert "<h1>Hello world christopher</h1>" in wait_for_page(served.url, served.process)
    assert served.process.returncode is not None
    assert f"serving flask-app-1 on http://127.0.0.1:{port}/" in served.stderr
    assert_port_closed(port)

    # The library is an editable install: a change shows after a restart, with no reinstall;
    # and started from a script in the background (SIGINT ignored), SIGINT still stops it.
    library = examples / "lib/helloworld/helloworld/__init__.py"
    original = library.read_text()
    library.write_text(original.replace('f"Hello world {name}"', 'f"Hello monorepo {name}"'))
    try:
        with serving(examples, "app/demo/flask-app-1", port, sigint_ignored=True) as served:
            assert "<h1>Hello monorepo christopher</h1>" in wait_for_page(served.url, served.process)
        assert "installing" not in served.stderr
    finally:
        library.write_text(original)
    assert_port_closed(port)


def test_run_refuses_a_library_with_nothing_to_run(examples: Path) -> None:
    result = subprocess.run(
        ["sh", str(LAUNCHER), "-C", str(examples), "run", "helloworld"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mono: error: helloworld has nothing to run: lib/helloworld/pyproject.toml has no [project.scripts] entry "
        'and no [tool.mono] run (hint: add one, e.g. [tool.mono] run = "python -m PACKAGE.main"; see "run" in '
        "docs/mono.md)"
    ]
