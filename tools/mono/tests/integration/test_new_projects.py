"""`mono new` and `mono add` for real: copier, Poetry, uv, pytest and (apps, models) Docker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from mono.repo.infra import APPS_FILE, read_apps_map
from tests.helpers import LAUNCHER, REPO_ROOT, git, start_process, stop_process
from tests.integration.conftest import BASE_IMAGE, copy_examples, docker, image, mono
from tests.integration.test_interrupts import processes_working_in, wait_for
from tests.repo.test_infra_apps import terraform_formatted

pytestmark = pytest.mark.integration

KINDS = [
    ("lib", "geo", ()),
    ("eng", "etl/clean-sales", ("geo",)),
    ("eda", "sales/q3-study", ("helloworld",)),
    ("app", "sales/dashboard", ("helloworld", "geo")),
    ("model", "sales/forecast", ("geo",)),
]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_examples(tmp_path_factory.mktemp("new") / "repo", templates=True)
    shutil.copytree(REPO_ROOT / "infra", repo / "infra")  # `new app` deploys the app there
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the infrastructure")
    return repo


def visible_state(repo: Path) -> str:
    """What git sees in the working tree (ignored files aside) and every folder outside .git/.mono."""
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    folders = sorted(
        path.relative_to(repo).as_posix()
        for path in repo.rglob("*")
        if path.is_dir() and not {".git", ".mono", ".venv"} & set(path.relative_to(repo).parts)
    )
    return status + "\n".join(folders)


@pytest.mark.parametrize(("kind", "target", "libs"), KINDS, ids=[kind for kind, _, _ in KINDS])
def test_every_kind_is_made_locked_installed_tested_and_built(
    workshop: Path, can_build: bool, kind: str, target: str, libs: tuple[str, ...]
) -> None:
    # Without Docker (never in CI) the projects are still made, without their images, so the
    # tests below that use them still run.
    name = target.split("/")[-1]
    args = ["new", kind, target, *(part for lib in libs for part in ("--lib", lib))]
    args += [] if can_build else ["--no-build"]
    result = mono("-C", str(workshop), *args, env={"MONO_BASE_IMAGE": BASE_IMAGE})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"new {name}: locked" in result.stdout and f"new {name}: tests passed" in result.stdout
    folder = workshop / (f"{kind}/{target}" if kind != "lib" else f"lib/{target}")
    assert (folder / "poetry.lock").is_file() and (folder / ".venv/bin/python").exists()
    # Marked with `git add -N`: tracked (so its image has its files), but nothing is staged.
    status = git(workshop, "status", "--porcelain", "--untracked-files=all", "--", str(folder)).splitlines()
    assert status and all(line.startswith(" A ") for line in status), status
    assert git(workshop, "diff", "--cached", "--name-only") == ""
    answers = (folder / ".copier-answers.yml").read_text()
    assert f"kind: {kind}" in answers and "_src_path: ../" in answers and "_commit:" in answers
    assert str(workshop) not in answers  # no absolute path of this machine
    declared = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["dependencies"]
    assert set(libs) <= set(declared)
    if kind in {"app", "model"} and can_build:
        images = [name] if kind == "app" else [f"{name}-predict", f"{name}-train"]
        for made in images:
            assert f"{image(made)}:0.1.0" in result.stdout
            assert docker("image", "inspect", f"{image(made)}:0.1.0", check=False).returncode == 0
    linted = mono("-C", str(workshop), "lint", name)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    git(workshop, "add", "-A")
    git(workshop, "commit", "-qm", f"new {kind}")


def test_the_new_model_trains_in_its_image_and_serves_predictions(workshop: Path, engine: None, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    artifacts.chmod(0o777)  # the image runs as a non-root user
    docker("run", "--rm", "--network", "none", "-v", f"{artifacts}:/artifacts", f"{image('forecast-train')}:0.1.0")
    assert (artifacts / "model-1.json").is_file()
    port = 5000 + os.getpid() % 1000
    container = docker(
        "run", "-d", "--network", "host", "-e", f"PORT={port}", "-v", f"{artifacts}:/artifacts",
        f"{image('forecast-predict')}:0.1.0",
    ).stdout.strip()  # fmt: skip
    try:
        answer: dict[str, object] = {}
        for _ in range(100):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/predict", data=b'{"x": 6}', headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    answer = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.2)
        assert answer.get("version") == "1" and 11.5 < float(str(answer.get("y"))) < 12.5, answer
    finally:
        docker("rm", "-f", container, check=False)


def test_a_failed_new_leaves_the_repository_as_it_was(workshop: Path) -> None:
    before = visible_state(workshop)
    unreachable = {"POETRY_PYPI_MIRROR_URL": "http://127.0.0.1:9/simple/"}  # nothing listens on port 9
    result = mono("-C", str(workshop), "new", "app", "fresh-program/doomed", env=unreachable)
    assert result.returncode == 1
    assert "mono: error:" in result.stderr and "poetry" in result.stderr
    assert visible_state(workshop) == before
    assert not (workshop / "app/fresh-program").exists()  # the program folder it made is gone too


def test_an_interrupted_new_leaves_the_repository_as_it_was(workshop: Path, stalling_index: str) -> None:
    before = visible_state(workshop)
    env = {**os.environ, "POETRY_PYPI_MIRROR_URL": stalling_index}
    env.pop("MONO_ROOT", None)
    running = start_process(
        ["sh", str(LAUNCHER), "-C", str(workshop), "new", "eng", "other/halted"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, own_group=True,
    )  # fmt: skip
    try:
        log = workshop / ".mono/logs/new/halted.log"
        wait_for(lambda: log.is_file() and "poetry --no-ansi lock" in log.read_text(), "the lock to start")
        time.sleep(0.5)
        running.send_signal(signal.SIGINT)
        _, err = running.communicate(timeout=60)
    finally:
        stop_process(running, signal.SIGKILL)
    assert running.returncode == 130, err
    assert visible_state(workshop) == before
    assert processes_working_in(workshop / "eng") == []


def test_add_wires_a_library_in_keeps_the_file_and_relocks(workshop: Path) -> None:
    pyproject = workshop / "app/demo/flask-app-1/pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(original.replace('"gunicorn>=23.0",', '"gunicorn>=23.0",  # the server in images'))
    git(workshop, "commit", "-qam", "a comment")
    result = mono("-C", str(workshop), "add", "geo", "--to", "flask-app-1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "add: flask-app-1 now declares geo; relocked" in result.stdout
    text = pyproject.read_text()
    assert '"gunicorn>=23.0",  # the server in images' in text
    assert 'geo = { path = "../../../lib/geo", develop = true }' in text
    locked = {package["name"] for package in tomllib.loads((pyproject.parent / "poetry.lock").read_text())["package"]}
    assert "geo" in locked
    again = mono("-C", str(workshop), "add", "geo", "--to", "flask-app-1")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    not_a_library = mono("-C", str(workshop), "add", "flask-app-1", "--to", "geo")
    assert not_a_library.returncode == 2 and "not a library" in not_a_library.stderr


def test_copier_update_rolls_a_template_change_into_a_project(workshop: Path) -> None:
    git(workshop, "add", "-A")
    subprocess.run(["git", "commit", "-qm", "settle"], cwd=workshop, check=False, capture_output=True)
    template = workshop / "tools/templates/lib/CHANGELOG.md.jinja"
    template.write_text("# {{ name }}: changes\n")
    git(workshop, "add", "-A")
    git(workshop, "commit", "-qm", "templates: a changelog for libraries")
    copier = REPO_ROOT / ".mono/venv/bin/copier"
    project = workshop / "lib/geo"
    result = subprocess.run(
        [str(copier), "update", "--defaults", "--trust", "--skip-answered"],
        cwd=project, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "CHANGELOG.md").read_text() == "# geo: changes\n"
    assert "_src_path: ../.." in (project / ".copier-answers.yml").read_text()


def test_the_documented_actions_leave_the_repository_green(workshop: Path) -> None:
    # After what the docs suggest (new of every kind, add, version), check and test still pass:
    # the new app is deployed, formatted as terraform fmt wants; an unused library is a warning.
    apps = read_apps_map(workshop)
    assert apps is not None and {"dashboard", "flask-app-1"} <= apps.names()
    formatted = terraform_formatted((workshop / APPS_FILE).read_text())
    assert formatted == (workshop / APPS_FILE).read_text()
    bumped = mono("-C", str(workshop), "version", "helloworld", "patch")
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    checked = mono("-C", str(workshop), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "declares geo but never imports it" in checked.stdout  # flask-app-1, from `add` above
    tested = mono("-C", str(workshop), "test", "--all")
    assert tested.returncode == 0, tested.stdout + tested.stderr
