"""Publishing internal libraries to a real package index (pypiserver on 127.0.0.1), and a
project that consumes a published version instead of a path."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO_ROOT, build_repo, git, start_process, stop_process
from tests.integration.conftest import IGNORED, mono

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A pypiserver that accepts uploads without authentication; yields its base URL."""
    server = Path(sys.executable).parent / "pypi-server"
    if not server.exists():
        pytest.fail("pypiserver is a dev dependency of tools/mono and must be installed")
    packages = tmp_path_factory.mktemp("packages")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = start_process(
        [str(server), "run", "-i", "127.0.0.1", "-p", str(port), "-a", ".", "-P", ".", str(packages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "simple/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        stop_process(process, timeout=10)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """helloworld, a library `shout` that uses it by path, and an app."""
    root = tmp_path_factory.mktemp("publish") / "repo"
    for folder in ("lib/helloworld", "app/demo/flask-app-1"):
        shutil.copytree(FIXTURES / folder, root / folder, ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    shout = (
        '[project]\nname = "shout"\nversion = "1.0.0"\nrequires-python = ">=3.11,<4.0"\n'
        'dependencies = ["helloworld"]\n\n[tool.poetry]\npackages = [{ include = "shout" }]\n\n'
        '[tool.poetry.dependencies]\nhelloworld = { path = "../helloworld", develop = true }\n\n'
        '[build-system]\nrequires = ["poetry-core>=2.0,<3.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    files = {
        ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
        "lib/shout/pyproject.toml": shout,
        "lib/shout/shout/__init__.py": "from helloworld import helloworld\n\n\ndef shout(name: str) -> str:\n"
        "    return helloworld(name).upper()\n",
    }
    return build_repo(root, files)


def env_for(index: str) -> dict[str, str]:
    return {"POETRY_REPOSITORIES_INTERNAL_URL": index}


def simple_page(index: str, name: str) -> str:
    with urllib.request.urlopen(f"{index}simple/{name}/", timeout=5) as answer:
        return str(answer.read().decode())


def test_a_library_with_unpublished_internal_dependencies_is_refused(repo: Path, index: str) -> None:
    result = mono("-C", str(repo), "publish", "shout", env=env_for(index))
    assert result.returncode == 2
    assert "shout needs internal libraries that 'internal' does not have: helloworld 0.1.0" in result.stderr


def test_publish_uploads_metadata_without_paths_and_refuses_the_same_version_twice(repo: Path, index: str) -> None:
    first = mono("-C", str(repo), "publish", "helloworld", env=env_for(index))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "helloworld-0.1.0-py3-none-any.whl" in simple_page(index, "helloworld")
    shout = mono("-C", str(repo), "publish", "shout", env=env_for(index))
    assert shout.returncode == 0, shout.stdout + shout.stderr
    assert "requires helloworld>=0.1.0,<0.2.0" in shout.stdout
    # The wheel's metadata names helloworld by version, never by path.
    with urllib.request.urlopen(f"{index}packages/shout-1.0.0-py3-none-any.whl", timeout=5) as answer:
        downloaded = repo.parent / "shout.whl"
        downloaded.write_bytes(answer.read())
    with zipfile.ZipFile(downloaded) as archive:
        metadata = archive.read("shout-1.0.0.dist-info/METADATA").decode()
    assert "Requires-Dist: helloworld (>=0.1.0,<0.2.0)" in metadata
    assert "file://" not in metadata and "../" not in metadata
    again = mono("-C", str(repo), "publish", "helloworld", env=env_for(index))
    assert again.returncode == 2 and "helloworld 0.1.0 is published on 'internal' already" in again.stderr


def test_a_project_locks_and_installs_the_published_version_and_the_graph_keeps_the_edge(
    repo: Path, index: str
) -> None:
    # Switch the app from helloworld's path to its published version.
    pyproject = repo / "app/demo/flask-app-1/pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('    "helloworld",\n', "").replace(
        'helloworld = { path = "../../../lib/helloworld", develop = true }\n', ""
    )
    pyproject.write_text(text)
    git(repo, "commit", "-qam", "flask-app-1 without helloworld")
    added = mono("-C", str(repo), "add", "helloworld", "--to", "flask-app-1", "--published", env=env_for(index))
    assert added.returncode == 0, added.stdout + added.stderr
    assert "now uses helloworld 0.1.0 from 'internal' (by version)" in added.stdout
    data = tomllib.loads(pyproject.read_text())
    assert "helloworld>=0.1.0,<0.2.0" in data["project"]["dependencies"]
    assert data["tool"]["poetry"]["source"][0]["priority"] == "explicit"
    lock = tomllib.loads((pyproject.parent / "poetry.lock").read_text())
    locked = next(package for package in lock["package"] if package["name"] == "helloworld")
    assert locked["version"] == "0.1.0" and locked["source"]["reference"] == "internal"
    installed = mono("-C", str(repo), "install", "flask-app-1", env=env_for(index))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    where = subprocess.run(
        [str(pyproject.parent / ".venv/bin/python"), "-c", "import helloworld; print(helloworld.__file__)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "site-packages" in where and "lib/helloworld" not in where  # from the index, not the path
    graph = mono("-C", str(repo), "graph")
    assert "flask-app-1 -> helloworld (by version)" in graph.stdout
    (repo / "lib/helloworld/helloworld/__init__.py").write_text("# changed\n", encoding="utf-8")
    affected = mono("-C", str(repo), "affected")
    assert "flask-app-1" in affected.stdout.split()


def test_version_bumps_the_library_and_moves_its_by_version_users(repo: Path, index: str) -> None:
    subprocess.run(["git", "checkout", "-q", "--", "lib/helloworld"], cwd=repo, check=True)
    bumped = mono("-C", str(repo), "version", "helloworld", "minor", env=env_for(index))
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    assert "helloworld 0.1.0 -> 0.2.0" in bumped.stdout
    assert 'version = "0.2.0"' in (repo / "lib/helloworld/pyproject.toml").read_text()
    assert "flask-app-1 now requires helloworld ^0.2.0" in bumped.stdout
    app = tomllib.loads((repo / "app/demo/flask-app-1/pyproject.toml").read_text())
    assert "helloworld>=0.2.0,<0.3.0" in app["project"]["dependencies"]
    published = mono("-C", str(repo), "publish", "helloworld", env=env_for(index))
    assert published.returncode == 0, published.stdout + published.stderr
    assert "publish: relocked flask-app-1, which uses helloworld by version" in published.stdout
    lock = tomllib.loads((repo / "app/demo/flask-app-1/poetry.lock").read_text())
    assert next(p for p in lock["package"] if p["name"] == "helloworld")["version"] == "0.2.0"
    bad = mono("-C", str(repo), "version", "helloworld", "0.1.5")
    assert bad.returncode == 2 and "not newer" in bad.stderr


def test_an_untracked_file_stays_out_of_the_published_wheel_and_sdist(tmp_path: Path, index: str) -> None:
    pyproject = (
        '[project]\nname = "leaky"\nversion = "1.0.0"\nrequires-python = ">=3.11,<4.0"\n\n'
        '[tool.poetry]\npackages = [{ include = "leaky" }]\n\n'
        '[build-system]\nrequires = ["poetry-core>=2.0,<3.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    repo = build_repo(
        tmp_path / "repo",
        {".gitignore": ".venv/\n.mono/\n", "lib/leaky/pyproject.toml": pyproject, "lib/leaky/leaky/__init__.py": ""},
    )
    (repo / "lib/leaky/leaky/secret.py").write_text("TOKEN = 'not for packages'\n")
    published = mono("-C", str(repo), "publish", "leaky", env=env_for(index))
    assert published.returncode == 0, published.stdout + published.stderr
    warning = "mono: warning: left out 1 untracked file of leaky (leaky/secret.py): git add it to ship it"
    assert warning in published.stderr.splitlines()
    with urllib.request.urlopen(f"{index}packages/leaky-1.0.0-py3-none-any.whl", timeout=5) as answer:
        (tmp_path / "leaky.whl").write_bytes(answer.read())
    with urllib.request.urlopen(f"{index}packages/leaky-1.0.0.tar.gz", timeout=5) as answer:
        (tmp_path / "leaky.tar.gz").write_bytes(answer.read())
    with zipfile.ZipFile(tmp_path / "leaky.whl") as wheel:
        assert "leaky/__init__.py" in wheel.namelist() and "leaky/secret.py" not in wheel.namelist()
    with tarfile.open(tmp_path / "leaky.tar.gz") as sdist:
        names = sdist.getnames()
    assert "leaky-1.0.0/leaky/__init__.py" in names and not any(name.endswith("secret.py") for name in names)
