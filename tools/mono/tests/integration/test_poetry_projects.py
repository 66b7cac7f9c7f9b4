"""Real Poetry on the example projects: lock checks, installs that match the lock, test runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from mono.workspace import normalize_name
from tests.helpers import REPO_ROOT
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration


def locked_versions(project: Path) -> dict[str, str]:
    """Third-party packages of a poetry.lock (path dependencies left out)."""
    lock = tomllib.loads((project / "poetry.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"] if "source" not in package}


def installed_versions(project: Path) -> dict[str, str]:
    """Every distribution in a project's venv."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    python = str(project / ".venv/bin/python")
    output = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return {normalize_name(name): version for name, version in json.loads(output).items()}


def test_committed_locks_of_the_repository_are_fresh() -> None:
    result = mono("lock", "--check", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("helloworld", "flask-app-1", "eda-project-1", "mono"):
        assert f"lock {name}: up to date" in result.stdout


def test_stale_lock_is_reported_and_nothing_changes(examples: Path) -> None:
    pyproject = examples / "lib/helloworld/pyproject.toml"
    lock = examples / "lib/helloworld/poetry.lock"
    original, lock_before = pyproject.read_text(), lock.read_bytes()
    pyproject.write_text(original.replace("dependencies = []", 'dependencies = ["six>=1.16"]'))
    try:
        result = mono("-C", str(examples), "lock", "--check", "helloworld")
        assert result.returncode == 1
        assert "helloworld: failed" in result.stdout and "poetry.lock is stale" in result.stdout
        assert lock.read_bytes() == lock_before
    finally:
        pyproject.write_text(original)


def test_test_installs_exactly_the_locked_versions_then_passes(examples: Path) -> None:
    result = mono("-C", str(examples), "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test helloworld: passed" in result.stdout and "test flask-app-1: passed" in result.stdout
    assert "test: 2 passed, 0 failed" in result.stdout
    app = examples / "app/demo/flask-app-1"
    installed = installed_versions(app)
    locked = locked_versions(app)
    assert {"flask", "gunicorn", "werkzeug", "jinja2", "pytest"} <= set(installed)
    # Everything installed is locked, at the locked version (pip itself and the internal lib aside).
    third_party = {name: version for name, version in installed.items() if name not in {"pip", "helloworld"}}
    assert {name: locked.get(name) for name in third_party} == third_party
    assert (examples / ".mono/logs/test/flask-app-1.log").is_file()
    # The library is an editable install: the app's venv imports it from the repository.
    where = subprocess.run(
        [str(app / ".venv/bin/python"), "-c", "import helloworld; print(helloworld.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).resolve() == (examples / "lib/helloworld/helloworld/__init__.py").resolve()


def test_unchanged_suites_are_cached_and_a_change_reruns_what_it_affects(examples: Path) -> None:
    warm = mono("-C", str(examples), "test")
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "test helloworld: cached" in warm.stdout and "test flask-app-1: cached" in warm.stdout
    forced = mono("-C", str(examples), "test", "--no-cache", "helloworld")
    assert "test helloworld: passed" in forced.stdout
    app = examples / "app/demo/flask-app-1/app.py"
    app.write_text(app.read_text() + "\n# a change to the app only\n")
    only_app = mono("-C", str(examples), "test")
    assert "test helloworld: cached" in only_app.stdout and "test flask-app-1: passed" in only_app.stdout
    library = examples / "lib/helloworld/helloworld/__init__.py"
    library.write_text(library.read_text() + "\n# a change to the library\n")
    both = mono("-C", str(examples), "test")
    assert "test helloworld: passed" in both.stdout and "test flask-app-1: passed" in both.stdout


def test_install_skips_what_is_up_to_date_and_rebuilds_a_deleted_venv(examples: Path) -> None:
    again = mono("-C", str(examples), "install")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "install helloworld: up to date" in again.stdout and "install flask-app-1: up to date" in again.stdout
    venv = examples / "app/demo/flask-app-1/.venv"
    shutil.rmtree(venv)
    rebuilt = mono("-C", str(examples), "install")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "install flask-app-1: ok" in rebuilt.stdout and "install helloworld: up to date" in rebuilt.stdout
    assert (venv / "bin/python").exists()


def test_a_failing_suite_fails_the_run_and_the_others_finish(examples: Path) -> None:
    test_file = examples / "lib/helloworld/tests/test_helloworld.py"
    original = test_file.read_text()
    test_file.write_text(original + "\n\ndef test_broken() -> None:\n    assert 1 + 1 == 3, 'deliberately broken'\n")
    try:
        result = mono("-C", str(examples), "test", "--all")
        assert result.returncode == 1
        assert "test flask-app-1: passed" in result.stdout
        assert "--- helloworld failed; log: .mono/logs/test/helloworld.log" in result.stdout
        assert "deliberately broken" in result.stdout
        assert "test: 1 passed, 1 failed" in result.stdout
    finally:
        test_file.write_text(original)
    # A failure is never cached: with the test file back, the suite runs again.
    rerun = mono("-C", str(examples), "test", "helloworld")
    assert "test helloworld: passed" in rerun.stdout


def test_launcher_works_from_a_project_folder() -> None:
    result = mono("list", "--json", cwd=REPO_ROOT / "lib" / "helloworld")
    assert result.returncode == 0, result.stderr
    assert '"path": "app/demo/flask-app-1"' in result.stdout
