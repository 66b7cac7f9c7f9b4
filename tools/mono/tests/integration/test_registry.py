"""Images and registries, for real: `./mono build --push` to a container registry on 127.0.0.1
(the CNCF distribution registry), pulled back and run; and an app that uses an internal library
by version, built from a package index that wants a password which nothing of the build keeps."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, build_repo, git, start_process, stop_process
from tests.integration.conftest import BASE_IMAGE, IMAGE_PREFIX, copy_examples, docker, free_port, image, mono

pytestmark = pytest.mark.integration

REGISTRY_SERVER = "/usr/bin/docker-registry"  # Debian's docker-registry package (.ci/prepare-registry)


def _answers(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}/v2/", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _start_registry(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A registry of this test module's own, on a free port, storing under `folder`."""
    address = f"127.0.0.1:{free_port()}"
    config = folder / "config.yml"
    config.write_text(
        f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {folder / 'data'}\n"
        f"  delete:\n    enabled: true\nhttp:\n  addr: {address}\n",
        encoding="utf-8",
    )
    process = start_process(
        [REGISTRY_SERVER, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        if _answers(address):
            break
        time.sleep(0.1)
    return process, address


@pytest.fixture(scope="module")
def registry(engine: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real registry: MONO_TEST_REGISTRY (.ci/run starts one), else one started here from
    Debian's docker-registry; without either a skip, and under CI=true a failure."""
    address = os.environ.get("MONO_TEST_REGISTRY", "")
    process = None
    if not address and Path(REGISTRY_SERVER).exists():
        process, address = _start_registry(tmp_path_factory.mktemp("registry"))
    try:
        if not address or not _answers(address):
            problem = f"no registry answers at {address}" if address else "no MONO_TEST_REGISTRY and no docker-registry"
            hint = " (bash .ci/prepare-registry starts one and prints its address)"
            if os.environ.get("CI") == "true":
                pytest.fail(f"registry tests cannot run in CI: {problem}{hint}")
            pytest.skip(problem + hint)
        yield address
    finally:
        if process is not None:
            stop_process(process)


def registry_list(address: str, path: str, key: str) -> list[str]:
    """One list of the registry API's answer at /v2/PATH (repositories, tags)."""
    with urllib.request.urlopen(f"http://{address}/v2/{path}", timeout=10) as answer:
        return [str(item) for item in json.loads(answer.read()).get(key) or []]


def delete_from_registry(address: str, repository: str) -> None:
    """Remove every tag of `repository` from the registry (its manifests, by digest)."""
    with contextlib.suppress(OSError, ValueError):
        for tag in registry_list(address, f"{repository}/tags/list", "tags"):
            url = f"http://{address}/v2/{repository}/manifests/{tag}"
            accept = "application/vnd.docker.distribution.manifest.v2+json"
            head = urllib.request.Request(url, method="HEAD", headers={"Accept": accept})
            with urllib.request.urlopen(head, timeout=10) as answer:
                digest = answer.headers["Docker-Content-Digest"]
            delete = urllib.request.Request(f"http://{address}/v2/{repository}/manifests/{digest}", method="DELETE")
            urllib.request.urlopen(delete, timeout=10).close()


def serves(port: int, deadline: float = 30) -> str:
    """The page at / of a server on 127.0.0.1:`port`, waited for (up to `deadline` seconds)."""
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                return str(answer.read().decode())
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_push_sends_every_tag_to_a_real_registry_and_the_pulled_image_serves(registry: str, tmp_path: Path) -> None:
    repo = copy_examples(tmp_path / "repo")
    prefix = f"{registry}/{IMAGE_PREFIX}"  # unique to this session, as every test image
    tag = f"test-{uuid.uuid4().hex[:10]}"
    env = {"MONO_DOCKER_REGISTRY": prefix}
    repository = f"{IMAGE_PREFIX}/flask-app-1"
    try:
        built = mono(
            "-C", str(repo), "build", "flask-app-1", "--push", "--tag", tag, "--base-image", BASE_IMAGE, env=env
        )
        assert built.returncode == 0, built.stdout + built.stderr
        sha = git(repo, "rev-parse", "--short=12", "HEAD").strip()
        references = [f"{prefix}/flask-app-1:{name}" for name in ("0.1.0", f"git-{sha}", tag)]
        assert f"flask-app-1: {' '.join(references)}" in built.stdout
        assert f"images, pushed to {prefix}:" in built.stdout
        # The registry has the repository and every tag of it.
        assert repository in registry_list(registry, "_catalog", "repositories")
        tags = registry_list(registry, f"{repository}/tags/list", "tags")
        assert sorted(tags) == sorted(["0.1.0", f"git-{sha}", tag])
        # Gone from this machine, then pulled back from the registry, it runs and serves.
        docker("rmi", *references)
        assert docker("image", "inspect", references[2], check=False).returncode != 0
        pulled = docker("pull", references[2])
        assert "Downloaded newer image" in pulled.stdout, pulled.stdout
        port = free_port()
        container = docker("run", "-d", "--network", "host", "-e", f"PORT={port}", references[2]).stdout.strip()
        try:
            assert "Hello world christopher" in serves(port)
        finally:
            docker("rm", "-f", container, check=False)
    finally:
        docker("rmi", *(f"{prefix}/flask-app-1:{name}" for name in ("0.1.0", tag)), check=False)
        delete_from_registry(registry, repository)


# --- an internal library by version, from an index that wants a password -----------------------

USER, PASSWORD = "builder", f"pw-{uuid.uuid4().hex}"  # a password no file or log has by chance
# Poetry caches what a source named 'internal' had, by package and version, across runs: a
# version of this run's own keeps a greet 1.0.0 of an earlier run (other hashes) out of the lock.
GREET_VERSION = f"1.{uuid.uuid4().int % 10**9}.0"

_PRIVATE_INDEX = """
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
import pypiserver
packages, port, user, password = sys.argv[1:5]
app = pypiserver.app(roots=[packages], authenticate=["download", "list", "update"],
                     auther=lambda name, secret: (name, secret) == (user, password))
class Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass
make_server("127.0.0.1", int(port), app, handler_class=Quiet).serve_forever()
"""


def _wait_for(url: str, status: int) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            if status == 200:
                return
        except urllib.error.HTTPError as error:
            if error.code == status:
                return
        except OSError:
            pass
        time.sleep(0.1)


@pytest.fixture(scope="module")
def private_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real pypiserver folder behind two servers: one that takes uploads without a password
    (where `./mono publish` puts the library) and one that answers only with USER:PASSWORD (the
    index the app's lock names); yields their base URLs."""
    server = Path(sys.executable).parent / "pypi-server"
    if not server.exists():
        pytest.fail("pypiserver is a dev dependency of tools/mono and must be installed")
    packages = tmp_path_factory.mktemp("private-packages")
    upload_port, read_port = free_port(), free_port()
    uploads = start_process(
        [str(server), "run", "-i", "127.0.0.1", "-p", str(upload_port), "-a", ".", "-P", ".", str(packages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reads = start_process(
        [sys.executable, "-c", _PRIVATE_INDEX, str(packages), str(read_port), USER, PASSWORD],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{upload_port}/simple/", 200)
        _wait_for(f"http://127.0.0.1:{read_port}/simple/", 401)
        yield f"http://127.0.0.1:{upload_port}/", f"http://127.0.0.1:{read_port}/"
    finally:
        stop_process(uploads, timeout=10)
        stop_process(reads, timeout=10)


def _library_and_app(root: Path, read_url: str) -> Path:
    """A repository with a library `greet` and an app `web` that uses it by version from the
    source 'internal' (and `six` from the default index); its Dockerfile copies the whole
    context into the image, so that the image shows all the context held."""
    library = (
        f'[project]\nname = "greet"\nversion = "{GREET_VERSION}"\nrequires-python = ">=3.11,<4.0"\n\n'
        '[tool.poetry]\npackages = [{ include = "greet" }]\n\n'
        '[build-system]\nrequires = ["poetry-core>=2.0,<3.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    app = (
        '[project]\nname = "web"\nversion = "0.1.0"\nrequires-python = ">=3.11,<4.0"\n'
        'dependencies = ["greet>=1.0,<2.0", "six>=1.16"]\n\n[tool.poetry]\npackage-mode = false\n\n'
        '[tool.poetry.dependencies]\ngreet = { source = "internal" }\n\n'
        f'[[tool.poetry.source]]\nname = "internal"\nurl = "{read_url}simple/"\npriority = "explicit"\n'
    )
    dockerfile = (
        "ARG BASE_IMAGE=python:3.11-slim-bookworm\nFROM ${BASE_IMAGE}\nCOPY . /context/\n"
        "RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-index --find-links /context/.mono/wheelhouse"
        " --require-hashes --only-binary=:all: -r /context/.mono/requirements.txt\n"
        'CMD ["/opt/venv/bin/python3", "-c", "import greet, six; print(greet.greet(\'image\'))"]\n'
    )
    files = {
        ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
        "lib/greet/pyproject.toml": library,
        "lib/greet/greet/__init__.py": "def greet(name: str) -> str:\n    return f'hello from greet, {name}'\n",
    }
    repo = build_repo(root, files)
    shutil.copy2(REPO_ROOT / "pyproject.toml", repo / "pyproject.toml")
    (repo / "app/team/web").mkdir(parents=True)
    (repo / "app/team/web/pyproject.toml").write_text(app, encoding="utf-8")
    (repo / "app/team/web/Dockerfile").write_text(dockerfile, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the app")
    return repo


def _everything_said(repo: Path, *results: subprocess.CompletedProcess[str]) -> str:
    logs = [path.read_text(errors="replace") for path in (repo / ".mono/logs").rglob("*") if path.is_file()]
    return "\n".join([*logs, *(result.stdout + result.stderr for result in results)])


def test_an_app_using_a_library_by_version_builds_from_a_private_index_whose_password_stays_out(
    engine: None, private_index: tuple[str, str], tmp_path: Path
) -> None:
    upload_url, read_url = private_index
    repo = _library_and_app(tmp_path / "repo", read_url)
    secret = {"POETRY_HTTP_BASIC_INTERNAL_USERNAME": USER, "POETRY_HTTP_BASIC_INTERNAL_PASSWORD": PASSWORD}
    published = mono(
        "-C", str(repo), "publish", "greet", env={**secret, "POETRY_REPOSITORIES_INTERNAL_URL": upload_url}
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert "relocked web, which uses greet by version" in published.stdout  # from the private index
    git(repo, "add", "app/team/web/poetry.lock")
    git(repo, "commit", "-qm", "lock")
    # The index wants the password: with a wrong one the download fails, and says neither.
    wrong = f"wrong-{uuid.uuid4().hex}"
    refused = mono("-C", str(repo), "build", "web", "--base-image", BASE_IMAGE,
                   env={**secret, "POETRY_HTTP_BASIC_INTERNAL_PASSWORD": wrong})  # fmt: skip
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"No matching distribution found for greet=={GREET_VERSION}" in refused.stdout
    assert f"****@{read_url.removeprefix('http://').rstrip('/')}/simple" in refused.stdout  # asked, redacted
    assert wrong not in _everything_said(repo, refused)
    built = mono("-C", str(repo), "build", "web", "--base-image", BASE_IMAGE, env=secret)
    assert built.returncode == 0, built.stdout + built.stderr
    reference = f"{image('web')}:0.1.0"
    assert docker("run", "--rm", "--network", "none", reference).stdout.strip() == "hello from greet, image"
    shipped = docker("run", "--rm", "--entrypoint", "ls", reference, "/context/.mono/wheelhouse").stdout.split()
    assert f"greet-{GREET_VERSION}-py3-none-any.whl" in shipped
    # Not in the context (all of which the image holds), its layers or config, nor any log line.
    with subprocess.Popen(["docker", "save", reference], stdout=subprocess.PIPE) as saved:
        assert saved.stdout is not None
        archive = saved.stdout.read()
    assert len(archive) > 1_000_000 and PASSWORD.encode() not in archive
    assert PASSWORD not in _everything_said(repo, built, published)
