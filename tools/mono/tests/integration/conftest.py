"""What the integration tests share: real runs of the launcher, copies of the examples, the
Docker engine, and the rules that make a run leave nothing behind (servers, images)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

import pytest

from tests.helpers import (
    FIXTURES,
    LAUNCHER,
    REPO_ROOT,
    build_repo,
    dies_with_this_process,
    start_process,
    stop_process,
    stop_started_processes,
)

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
        preexec_fn=dies_with_this_process(),  # a killed test run does not leave it working
    )


def copy_fixtures(target: Path, folders: Sequence[str] = EXAMPLES, templates: bool = False) -> Path:
    """A new git repository holding copies of the test fixtures `folders` (no venvs) and the root
    settings, and with `templates` the project templates of `mono new` (copier.yml and
    tools/templates)."""
    for folder in folders:
        shutil.copytree(FIXTURES / folder, target / folder, ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    if templates:
        shutil.copy2(REPO_ROOT / "copier.yml", target / "copier.yml")
        shutil.copytree(REPO_ROOT / "tools/templates", target / "tools/templates", ignore=IGNORED)
    return build_repo(target, {".gitignore": ".venv/\n.mono/\n__pycache__/\n"})


def copy_examples(target: Path, templates: bool = False) -> Path:
    """copy_fixtures of the library helloworld and the app flask-app-1 that uses it."""
    return copy_fixtures(target, EXAMPLES, templates)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("examples") / "repo")


BASE_IMAGE = os.environ.get("MONO_BASE_IMAGE", "python:3.11-slim-bookworm")


def docker(*args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=timeout)


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


# --- a run leaves nothing behind ----------------------------------------------------------------


def _interrupt(number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def pytest_configure(config: pytest.Config) -> None:
    # `./mono test` and CI stop a run with SIGTERM, a closed terminal with SIGHUP: both take
    # the Ctrl-C path, so that fixtures tear down (servers stop, test images go) before the end.
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, _interrupt)


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_started_processes()  # what a fixture could not stop (the run was interrupted)


SESSION = uuid.uuid4().hex[:12]
IMAGE_LABEL = "mono.test"
# The registry prefix of every image a test builds: no tag of a user's (flask-app-1:0.1.0,
# dashboard:0.1.0) is ever re-pointed by a test.
IMAGE_PREFIX = f"mono-test-{SESSION}"


def image(name: str) -> str:
    """The repository an image of `name` built in this test session gets: PREFIX/NAME."""
    return f"{IMAGE_PREFIX}/{name}"


def remove_test_images(session: str = SESSION) -> None:
    """Remove the containers and images labelled mono.test=SESSION (containers carry the labels
    of their image); nothing else."""
    if shutil.which("docker") is None:
        return
    selected = f"label={IMAGE_LABEL}={session}"
    with contextlib.suppress(subprocess.TimeoutExpired):
        containers = docker("ps", "-aq", "--filter", selected, check=False, timeout=60).stdout.split()
        if containers:
            docker("rm", "-f", *containers, check=False, timeout=120)
        images = docker("image", "ls", "-q", "--filter", selected, check=False, timeout=60).stdout.split()
        if images:
            docker("rmi", "-f", *dict.fromkeys(images), check=False, timeout=120)


# Waits for the parent-death signal (SIGTERM) of a killed test run, then removes its images.
_REAPER = """
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
signal.sigwait({signal.SIGTERM})
from tests.integration.conftest import remove_test_images
remove_test_images(sys.argv[1])
"""


@pytest.fixture(scope="session", autouse=True)
def _test_images() -> Iterator[None]:
    """Every image built during the session (by `./mono build`, build.sh, `./mono new`) is named
    under IMAGE_PREFIX and labelled mono.test=SESSION; at the end, also after Ctrl-C or SIGTERM,
    they and their containers are removed; when pytest is killed, a reaper removes them."""
    reaper = None
    if shutil.which("docker") is not None:
        reaper = start_process(
            [sys.executable, "-c", _REAPER, SESSION],
            own_group=True,
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONO_DOCKER_REGISTRY", IMAGE_PREFIX)
        patch.setenv("MONO_IMAGE_LABELS", f"{IMAGE_LABEL}={SESSION}")
        try:
            yield
        finally:
            remove_test_images()
            if reaper is not None:
                stop_process(reaper, signal.SIGKILL)  # nothing left for it to do


@contextlib.contextmanager
def users_own_image(reference: str) -> Iterator[str]:
    """An image the user has under `reference` (one is made from the base image when there is
    none, and removed after); yields its ID, which a test's builds must leave as it is."""
    made = docker("image", "inspect", reference, check=False).returncode != 0
    if made:
        docker("tag", BASE_IMAGE, reference)
    try:
        yield docker("image", "inspect", "--format", "{{.Id}}", reference).stdout.strip()
    finally:
        if made:
            docker("rmi", reference, check=False)
