"""The apps' pages in a real browser (headless Chromium): what a person would see."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, LAUNCHER, start_process, stop_process
from tests.integration.conftest import IGNORED, copy_examples, free_port

pytestmark = pytest.mark.integration

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADLESS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--window-size=900,500",
]  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium; in CI its absence is a failure, never a skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the apps and their libraries: `./mono run` installs, which must not wait for the
    work lock that `./mono test` holds on this repository."""
    root = tmp_path_factory.mktemp("site") / "repo"
    for folder in ("app/demo/iris-explorer", "lib/iris-data"):
        shutil.copytree(FIXTURES / folder, root / folder, ignore=IGNORED)
    return copy_examples(root)


@pytest.fixture
def served(site: Path) -> Iterator[object]:
    """`./mono run APP` on a free port; yields a function that starts one and returns its URL."""
    running: list[subprocess.Popen[bytes]] = []

    def start(app: str) -> str:
        port = free_port()
        env = {**os.environ, "PORT": str(port)}
        env.pop("MONO_ROOT", None)
        process = start_process(
            ["sh", str(LAUNCHER), "-C", str(site), "run", app],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            own_group=True,
        )
        running.append(process)
        url = f"http://127.0.0.1:{port}/"
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "healthz", timeout=1).close()
                return url
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{app} did not start on {url}")

    yield start
    for process in running:
        stop_process(process, signal.SIGINT)


def browse(chromium: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium, *HEADLESS, *args], capture_output=True, text=True, timeout=120, check=False)


def test_the_iris_explorer_page_renders_the_shared_datasets_summary(
    chromium: str, served: object, tmp_path: Path
) -> None:
    assert callable(served)
    url = served("iris-explorer")
    dom = browse(chromium, "--dump-dom", url).stdout
    assert "<h1>Iris explorer</h1>" in dom
    for species in ("setosa", "versicolor", "virginica"):
        assert f"<td>{species}</td><td>50</td>" in dom
    shot = tmp_path / "iris-explorer.png"
    browse(chromium, f"--screenshot={shot}", url)
    picture = shot.read_bytes()
    assert picture.startswith(PNG_SIGNATURE) and len(picture) > 10_000  # a blank page is about 3 KB


def test_the_first_app_shows_the_librarys_greeting(chromium: str, served: object) -> None:
    assert callable(served)
    dom = browse(chromium, "--dump-dom", served("flask-app-1")).stdout
    assert "<h1>Hello world christopher</h1>" in dom
