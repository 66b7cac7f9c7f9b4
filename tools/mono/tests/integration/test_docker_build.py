"""`./mono build` against a real Docker engine: the image serves, runs as non-root, holds only
what it should, follows library changes, and reuses the right layers."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, REPO_ROOT, build_repo, git, pep621
from tests.integration.conftest import (
    BASE_IMAGE,
    IMAGE_LABEL,
    SESSION,
    copy_examples,
    copy_fixtures,
    docker,
    free_port,
    image,
    mono,
    users_own_image,
)

pytestmark = pytest.mark.integration

APP = image("flask-app-1")  # where this session's images of the example app go


@pytest.fixture(scope="module")
def repo(engine: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("docker") / "repo")


@pytest.fixture(scope="module")
def tag() -> str:
    """An extra tag unique to this test run, so parallel runs and older images never mix."""
    return f"test-{uuid.uuid4().hex[:10]}"


def build(repo: Path, tag: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return mono("-C", str(repo), "build", "flask-app-1", "--tag", tag, "--base-image", BASE_IMAGE, *extra, env=env)


def layers(image: str) -> list[str]:
    return docker("image", "inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", image).stdout.split()


def tree_digest(root: Path) -> dict[str, str]:
    """Every file of the repository outside .git and .mono, with a hash of its content."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in {".git", ".mono"}:
            found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def serve(engine: None) -> Iterator[object]:
    """Start an image with --network host on a free port; yields a function returning (id, port)."""
    started: list[str] = []

    def start(image: str) -> tuple[str, int]:
        port = free_port()
        container = docker("run", "-d", "--network", "host", "-e", f"PORT={port}", image).stdout.strip()
        started.append(container)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return container, port
            except OSError:
                time.sleep(0.2)
        logs = docker("logs", container, check=False)
        raise AssertionError(f"the container did not serve on {port}:\n{logs.stdout}{logs.stderr}")

    yield start
    for container in started:
        docker("rm", "-f", container, check=False)


def page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
        return str(answer.read().decode())


def test_the_image_serves_the_library_greeting_as_non_root_and_holds_no_poetry_or_sources(
    repo: Path, tag: str, serve: object
) -> None:
    before = tree_digest(repo)
    with users_own_image("flask-app-1:0.1.0") as users:  # a test never re-points a user's tag
        result = build(repo, tag, "--label", "org.example.team=shop")
        assert docker("image", "inspect", "--format", "{{.Id}}", "flask-app-1:0.1.0").stdout.strip() == users
    assert result.returncode == 0, result.stdout + result.stderr
    sha = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    assert f"flask-app-1: {APP}:0.1.0 {APP}:git-{sha} {APP}:{tag}" in result.stdout
    assert tree_digest(repo) == before  # no file of the repository changed, none was added
    built = f"{APP}:{tag}"
    assert callable(serve)
    container, port = serve(built)
    assert "Hello world christopher" in page(port)
    logs = docker("logs", container)
    assert "[ERROR]" not in logs.stdout + logs.stderr, logs.stdout + logs.stderr  # e.g. no home for its socket
    # The server (PID 1, gunicorn's master) is not root.
    assert docker("exec", container, "stat", "-c", "%u", "/proc/1").stdout.strip() == "10001"
    assert docker("exec", container, "id", "-u").stdout.strip() == "10001"
    # What this build added to the base image: the app's files, a venv without pip, the library
    # installed from its wheel; no Poetry, no pyproject.toml, no tests, no library source tree.
    added = docker(
        "run", "--rm", "--entrypoint", "sh", built, "-c",
        "find /app /opt \\( -name pyproject.toml -o -iname 'poetry*' -o -name tests -o -name 'pip*' "
        "-o -name lib -path '/app/*' \\) -print",
    ).stdout.split()  # fmt: skip
    assert added == []
    assert docker("run", "--rm", "--entrypoint", "ls", built, "/app").stdout.split() == ["app.py", "templates"]
    where = docker(
        "run", "--rm", "--entrypoint", "python3", built, "-c", "import helloworld; print(helloworld.__file__)"
    )
    assert where.stdout.strip() == "/opt/internal/helloworld/__init__.py"
    no_poetry = docker("run", "--rm", "--entrypoint", "python3", built, "-c", "import poetry", check=False)
    assert no_poetry.returncode != 0
    # What `docker run -p 5000:5000 IMAGE` relies on: port 5000 by default, declared; a health check.
    config = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", built).stdout)
    assert "PORT=5000" in config["Env"] and "5000/tcp" in config["ExposedPorts"]
    assert config["User"] == "app" and "/healthz" in " ".join(config["Healthcheck"]["Test"])
    # Labels: the tool's, this session's (MONO_IMAGE_LABELS, which removes it at the end), --label.
    assert config["Labels"]["org.opencontainers.image.version"] == "0.1.0"
    assert config["Labels"][IMAGE_LABEL] == SESSION and config["Labels"]["org.example.team"] == "shop"


def test_an_app_change_rebuilds_only_the_app_layers_and_a_library_change_keeps_third_party(
    repo: Path, tag: str, serve: object
) -> None:
    base = len(layers(BASE_IMAGE))
    first = layers(f"{APP}:{tag}")
    # Layers after the base image: user, third-party venv, internal libraries, /app, app files.
    third_party, internal = base + 1, base + 2
    app = repo / "app/demo/flask-app-1/app.py"
    app.write_text(app.read_text() + "\n# an app-only change\n")
    git(repo, "commit", "-qam", "app change")
    started = time.monotonic()
    assert build(repo, tag).returncode == 0
    app_seconds = time.monotonic() - started
    after_app = layers(f"{APP}:{tag}")
    assert after_app[: internal + 1] == first[: internal + 1]  # base, user, third-party, libraries
    assert after_app != first
    log = (repo / ".mono/logs/build/flask-app-1.log").read_text()
    assert "Building wheel" not in log  # the library's wheel came from the cache

    library = repo / "lib/helloworld/helloworld/__init__.py"
    library.write_text(library.read_text().replace('"Hello world', '"Howdy world'))
    git(repo, "commit", "-qam", "library change")
    result = build(repo, tag)
    assert result.returncode == 0, result.stdout + result.stderr
    after_library = layers(f"{APP}:{tag}")
    assert after_library[: third_party + 1] == first[: third_party + 1]  # third-party layer reused
    assert after_library[internal] != after_app[internal]
    assert callable(serve)
    _, port = serve(f"{APP}:{tag}")
    assert "Howdy world christopher" in page(port)
    print(f"rebuild after an app change: {app_seconds:.1f} s")


def test_a_stale_lock_fails_the_build_with_the_tools_own_advice(repo: Path, tag: str) -> None:
    pyproject = repo / "app/demo/flask-app-1/pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(original.replace('"gunicorn>=23.0",', '"gunicorn>=23.0",\n    "six>=1.16",', 1))
    try:
        result = build(repo, tag)
    finally:
        pyproject.write_text(original)
    assert result.returncode == 1
    assert "Run `./mono lock flask-app-1` to fix the lock file" in result.stdout, result.stdout
    assert "poetry lock`" not in result.stdout


def test_a_broken_dockerfile_fails_with_the_tail_of_the_build_log(repo: Path, tag: str) -> None:
    dockerfile = repo / "app/demo/flask-app-1/Dockerfile"
    original = dockerfile.read_text()
    dockerfile.write_text(original.replace("USER app", "RUN exit 3 # deliberately broken\nUSER app"))
    try:
        result = build(repo, tag)
    finally:
        dockerfile.write_text(original)
    assert result.returncode == 1
    assert "--- flask-app-1 failed; log: .mono/logs/build/flask-app-1.log" in result.stdout
    assert "deliberately broken" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "no-such-app"), "mono: error: no project named or at 'no-such-app'"),
        (("build", "helloworld"), "mono: error: helloworld is of kind lib: only apps and models have images"),
        (("build", "flask-app-1", "--push"), "mono: error: --push needs a registry"),
        (("build", "flask-app-1", "--tag", "bad tag"), "mono: error: --tag 'bad tag' is not a valid image tag"),
        (
            ("build", "flask-app-1", "--base-image", "mono-test/no-such-image:1"),
            "mono: error: base image mono-test/no-such-image:1 is not on this machine and cannot be pulled",
        ),
    ],
)
def test_bad_build_requests_are_one_line_and_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = mono("-C", str(repo), *args, env={"MONO_DOCKER_REGISTRY": ""})  # no registry but the settings
    assert result.returncode == 2
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1


def test_a_dockerfile_that_hard_codes_a_missing_base_is_refused_before_building(repo: Path) -> None:
    dockerfile = repo / "app/demo/flask-app-1/Dockerfile"
    original = dockerfile.read_text()
    dockerfile.write_text(original.replace("FROM ${BASE_IMAGE} AS deps", "FROM mono-test/hard-coded:9 AS deps"))
    log = repo / ".mono/logs/build/flask-app-1.log"
    log.unlink(missing_ok=True)  # other tests of this module built the app
    try:
        result = mono("-C", str(repo), "build", "flask-app-1")
    finally:
        dockerfile.write_text(original)
    assert result.returncode == 2
    expected = "mono: error: app/demo/flask-app-1/Dockerfile starts FROM mono-test/hard-coded:9, which is not on"
    assert result.stderr.startswith(expected) and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert (
        not (repo / ".mono/logs/build/flask-app-1.log").exists()
        or "docker build" not in (repo / ".mono/logs/build/flask-app-1.log").read_text()
    )


def test_push_pushes_every_tag_to_the_registry_and_a_failed_push_fails(repo: Path, tag: str) -> None:
    root = repo / "pyproject.toml"
    original = root.read_text()
    registry = f"127.0.0.1:{free_port()}"  # nothing listens there: the push must be tried and fail
    root.write_text(original + f'\n[tool.mono.docker]\nregistry = "{registry}"\n')
    try:
        result = build(repo, tag, "--push", env={"MONO_DOCKER_REGISTRY": ""})  # the setting's registry
    finally:
        root.write_text(original)
    assert result.returncode == 1
    log = (repo / ".mono/logs/build/flask-app-1.log").read_text()
    assert f"push {registry}/flask-app-1:0.1.0" in log
    assert "--- flask-app-1 failed" in result.stdout
    assert docker("image", "inspect", f"{registry}/flask-app-1:{tag}", check=False).returncode == 0


def test_without_an_engine_one_line_says_so(repo: Path) -> None:
    result = mono("-C", str(repo), "build", "flask-app-1", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 2
    assert result.stderr.startswith("mono: error: no Docker engine is reachable")
    assert len(result.stderr.strip().splitlines()) == 1


def test_build_sh_still_works_from_any_folder(engine: None, tag: str, tmp_path: Path) -> None:
    # The original entry point builds its repository's app, whatever the current folder. In the
    # copy, ./mono hands over to the real launcher for that repository.
    repo = copy_examples(tmp_path / "repo")
    script = repo / "tools/build/build.sh"
    script.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / "tools/build/build.sh", script)
    (repo / "mono").write_text(f'#!/bin/sh\nexec sh "{LAUNCHER}" -C "$(dirname "$0")" "$@"\n')
    (repo / "mono").chmod(0o755)
    command = ["sh", str(script), "flask-app-1", "--tag", f"{tag}-sh", "--base-image", BASE_IMAGE]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert docker("image", "inspect", f"{APP}:{tag}-sh", check=False).returncode == 0
    usage = subprocess.run(["sh", str(script)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "usage: tools/build/build.sh APP" in usage.stderr


def test_the_iris_model_trains_in_its_image_and_its_predict_image_serves_the_artifact(
    engine: None, tag: str, tmp_path: Path, serve: object
) -> None:
    model = copy_fixtures(tmp_path / "repo", ("model/demo/iris-classifier", "lib/iris-data"))
    result = mono("-C", str(model), "build", "iris-classifier", "--tag", tag, "--base-image", BASE_IMAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    artifacts.chmod(0o777)  # the images run as a non-root user
    trained = docker(
        "run", "--rm", "--network", "none", "-v", f"{artifacts}:/artifacts", f"{image('iris-classifier-train')}:{tag}"
    )
    assert "holdout accuracy" in trained.stdout
    model = json.loads((artifacts / "model-1.json").read_text())
    assert model["version"] == "1" and model["trained_on"] == 150
    port = free_port()
    container = docker(
        "run", "-d", "--network", "host", "-e", f"PORT={port}", "-v", f"{artifacts}:/artifacts",
        f"{image('iris-classifier-predict')}:{tag}",
    ).stdout.strip()  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)

        def post(body: bytes) -> tuple[int, dict[str, object]]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/predict", data=body, headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as refused:
                return refused.code, json.loads(refused.read())

        setosa = b'{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
        assert post(setosa) == (200, {"species": "setosa", "version": "1"})
        status, answer = post(b'{"sepal_length": "long"}')
        assert status == 400 and "not a number" in str(answer["error"])
    finally:
        docker("rm", "-f", container, check=False)


@pytest.mark.parametrize("setting", ["root", "project"])
def test_a_dockerfile_written_for_the_repository_root_builds_from_it(
    engine: None, tmp_path: Path, tag: str, setting: str
) -> None:
    # A Dockerfile of another team's repository: it COPYs from the root, and no file is edited
    # for it but one setting (the repository's or the project's).
    name = f"web-{tag}-{setting}"
    root_settings = '[tool.mono.docker]\ncontext = "repo"\n' if setting == "root" else "[tool.mono]\n"
    project_settings = '\n[tool.mono]\ndocker-context = "repo"\n' if setting == "project" else ""
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": "*.env\n",
            "pyproject.toml": root_settings,
            "libs/core/pyproject.toml": pep621("core"),
            "libs/core/core/__init__.py": 'GREETING = "hello from core"\n',
            "services/web/pyproject.toml": pep621(name, {"core": "../../libs/core"}, project_settings),
            "services/web/main.py": "import os, sys\nsys.path.insert(0, '/srv')\nfrom core import GREETING\n"
            "print(GREETING, sorted(os.listdir('/srv/web')))\n",
            "services/web/Dockerfile": "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY libs/core/core /srv/core\n"
            'COPY services/web /srv/web\nCMD ["python3", "/srv/web/main.py"]\n',
        },
    )
    (repo / "services/web/local.env").write_text("TOKEN=not-for-images\n")  # git ignores it
    built = mono("-C", str(repo), "build", name, "--tag", tag, "--base-image", BASE_IMAGE)
    try:
        assert built.returncode == 0, built.stdout + built.stderr
        ran = docker("run", "--rm", "--network", "none", f"{image(name)}:{tag}")
        assert ran.stdout.strip() == "hello from core ['Dockerfile', 'main.py', 'pyproject.toml']"
    finally:
        made = docker("images", "--format", "{{.Repository}}:{{.Tag}}", image(name)).stdout.split()
        docker("rmi", "-f", *made, check=False)


def test_a_dockerfile_with_its_own_base_builds_without_the_base_image(engine: None, tmp_path: Path, tag: str) -> None:
    # Another team's Dockerfile names its own base (here: one this machine has under its name);
    # the tool's base image is not needed, so its absence must not stop the build.
    own_base = f"mono-test/own-base-{tag}:1"
    docker("tag", BASE_IMAGE, own_base)
    name = f"fixed-{tag}"
    repo = build_repo(
        tmp_path / "repo",
        {
            "apps/web/pyproject.toml": pep621(name),
            f"apps/web/{name.replace('-', '_')}/__init__.py": "",
            "apps/web/Dockerfile": f'FROM {own_base}\nCMD ["python3", "-c", "print(\'own base\')"]\n',
        },
    )
    assert mono("-C", str(repo), "lock", name).returncode == 0
    try:
        built = mono("-C", str(repo), "build", name, "--tag", tag, "--base-image", f"mono-test/absent-{tag}:0")
        assert built.returncode == 0, built.stdout + built.stderr
        assert (
            f"{name}'s Dockerfile starts a stage FROM {own_base}: --base-image does not choose that one" in built.stderr
        )
        assert docker("run", "--rm", "--network", "none", f"{image(name)}:{tag}").stdout.strip() == "own base"
    finally:
        made = docker("images", "--format", "{{.Repository}}:{{.Tag}}", image(name)).stdout.split()
        docker("rmi", "-f", *made, own_base, check=False)


def test_an_untracked_file_stays_out_of_the_image_and_the_build_names_it(engine: None, tmp_path: Path) -> None:
    repo = copy_examples(tmp_path / "repo")
    (repo / "app/demo/flask-app-1/templates/secret.txt").write_text("not for images\n")
    (repo / "app/demo/flask-app-1/templates/.env").write_text("TOKEN=ignored\n")  # ignored: never ships
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + ".env\n")
    git(repo, "commit", "-qam", "ignore .env")
    prefix = f"helper-untracked-{uuid.uuid4().hex[:10]}"  # images of this test alone
    built_image = f"{prefix}/flask-app-1:0.1.0"

    def build_and_list() -> tuple[subprocess.CompletedProcess[str], list[str]]:
        built = mono("-C", str(repo), "build", "flask-app-1", "--base-image", BASE_IMAGE,
                     env={"MONO_DOCKER_REGISTRY": prefix})  # fmt: skip
        assert built.returncode == 0, built.stdout + built.stderr
        listed = docker("run", "--rm", "--entrypoint", "ls", built_image, "-A", "/app", "/app/templates")
        return built, listed.stdout.split()

    try:
        built, listed = build_and_list()
        assert "secret.txt" not in listed and ".env" not in listed and "index.html" in listed
        warning = (
            "mono: warning: left out 1 untracked file of flask-app-1 (templates/secret.txt): git add it to ship it"
        )
        assert warning in built.stderr.splitlines()
        git(repo, "add", "app/demo/flask-app-1/templates/secret.txt")  # tracked now: it ships
        built, listed = build_and_list()
        assert "secret.txt" in listed and "left out" not in built.stderr
    finally:
        made = docker("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={prefix}/*").stdout
        docker("rmi", "-f", *made.split(), check=False)


@pytest.mark.parametrize(
    ("how", "options", "env", "setting"),
    [
        ("option", ("--base-image", "{missing}"), {}, ""),
        ("option=", ("--base-image={missing}",), {}, ""),
        ("variable", (), {"MONO_BASE_IMAGE": "{missing}"}, ""),
        ("setting", (), {"MONO_BASE_IMAGE": ""}, '\n[tool.mono.docker]\nbase-image = "{missing}"\n'),
    ],
)
def test_build_sh_says_a_base_image_is_missing_before_setting_anything_up(
    engine: None, tmp_path: Path, how: str, options: tuple[str, ...], env: dict[str, str], setting: str
) -> None:
    # A fresh clone: the launcher has not made .mono/venv yet (which takes it a minute or so).
    missing = f"mono-test-{SESSION}/no-such-base:{how.rstrip('=')}"
    repo = tmp_path / "clone"
    (repo / "tools/build").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "tools/build/build.sh", repo / "tools/build/build.sh")
    shutil.copy2(LAUNCHER, repo / "mono")
    (repo / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text() + setting.format(missing=missing))
    command = ["sh", str(repo / "tools/build/build.sh"), "flask-app-1", *(o.format(missing=missing) for o in options)]
    environment = {**os.environ, **{key: value.format(missing=missing) for key, value in env.items()}}
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"mono: error: base image {missing} is not on this machine and cannot be pulled (hint: make one from "
        "Debian packages with tools/build/base-image.sh, then use --base-image or MONO_BASE_IMAGE)"
    )
    assert not (repo / ".mono").exists()  # the launcher never started: nothing was installed
