from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, REPO_ROOT, build_repo

EXAMPLES = ("lib/helloworld", "app/demo/flask-app-1")
IGNORED = shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache", "dist")


def mono(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """Run the real launcher, as a user would."""
    return subprocess.run(
        ["sh", str(LAUNCHER), *args],
        cwd=cwd or REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_examples(target: Path, templates: bool = False) -> Path:
    """A new git repository holding copies of the example app and library (no venvs), and with
    `templates` the project templates of `mono new` (copier.yml and tools/templates)."""
    for example in EXAMPLES:
        shutil.copytree(REPO_ROOT / example, target / example, ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    if templates:
        shutil.copy2(REPO_ROOT / "copier.yml", target / "copier.yml")
        shutil.copytree(REPO_ROOT / "tools/templates", target / "tools/templates", ignore=IGNORED)
    return build_repo(target, {".gitignore": ".venv/\n.mono/\n__pycache__/\n"})


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("examples") / "repo")


BASE_IMAGE = os.environ.get("MONO_BASE_IMAGE", "python:3.11-slim-bookworm")


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=600)


def docker_problem() -> str:
    """Why images cannot be built here ('' when they can)."""
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    if docker("info", check=False).returncode != 0:
        return "no Docker engine answers (start dockerd)"
    if docker("image", "inspect", BASE_IMAGE, check=False).returncode != 0:
        return f"base image {BASE_IMAGE} is missing (tools/build/base-image.sh makes one; set MONO_BASE_IMAGE)"
    return ""


@pytest.fixture(scope="module")
def engine() -> None:
    """A Docker engine and the base image; in CI their absence is a failure, never a skip."""
    problem = docker_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Docker tests cannot run in CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def can_build() -> bool:
    """True when images can be built; False on a machine without Docker (never in CI: there a
    missing engine or base image is a failure). For tests whose other checks do not need it."""
    problem = docker_problem()
    if problem and os.environ.get("CI") == "true":
        pytest.fail(f"Docker tests cannot run in CI: {problem}")
    return not problem


@pytest.fixture
def stalling_index() -> Iterator[str]:
    """A package index that accepts connections and never answers: Poetry waits on it forever."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/simple/"
    server.close()
    for connection in held:
        connection.close()


def free_port() -> int:
    """A TCP port nothing listens on right now (on 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
