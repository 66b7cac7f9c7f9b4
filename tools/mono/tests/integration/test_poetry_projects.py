"""Real Poetry on the example projects: lock checks, installs that match the lock, test runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker

from mono.model.names import normalize_name
from tests.helpers import REPO_ROOT
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration


def locked_versions(project: Path) -> dict[str, str]:
    """Third-party packages of a poetry.lock that apply to this machine (path dependencies left out)."""
    lock = tomllib.loads((project / "poetry.lock").read_text())
    applicable = {}
    for package in lock["package"]:
        markers = package.get("markers")
        if isinstance(markers, dict):  # per group: applies if it applies in any group
            markers = " or ".join(f"({marker})" for marker in markers.values())
        if "source" not in package and (not markers or Marker(markers).evaluate()):
            applicable[package["name"]] = package["version"]
    return applicable


def assert_venv_matches_lock(app: Path) -> None:
    """The venv holds exactly the locked set: nothing missing, nothing extra, no other version."""
    installed = installed_versions(app)
    third_party = {name: version for name, version in installed.items() if name not in {"pip", "helloworld"}}
    assert third_party == locked_versions(app)
    assert "helloworld" in installed


def installed_versions(project: Path) -> dict[str, str]:
    """Every distribution in a project's venv."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    python = str(project / ".venv/bin/python")
    output = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return {normalize_name(name): version for name, version in json.loads(output).items()}


def test_the_fixtures_committed_locks_are_fresh(examples: Path) -> None:
    # (The repository's own locks are checked by .ci/run: `./mono lock --check --all`.)
    result = mono("-C", str(examples), "lock", "--check", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("helloworld", "flask-app-1"):
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
    assert {"flask", "gunicorn", "werkzeug", "jinja2", "pytest"} <= set(installed_versions(app))
    assert "colorama" not in installed_versions(app)  # locked for Windows only
    assert_venv_matches_lock(app)
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


def test_launcher_works_from_a_project_folder(examples: Path) -> None:
    result = mono("list", "--json", cwd=examples / "lib" / "helloworld")
    assert result.returncode == 0, result.stderr
    assert '"path": "app/demo/flask-app-1"' in result.stdout


def test_an_extra_package_is_removed_and_poetrys_installer_is_a_setting(examples: Path) -> None:
    app = examples / "app/demo/flask-app-1"
    venv_python = str(app / ".venv/bin/python")
    uv = REPO_ROOT / ".mono/venv/bin/uv"
    subprocess.run([str(uv), "pip", "install", "-q", "--python", venv_python, "six"], check=True)
    assert "six" in installed_versions(app)
    # install skips a venv whose inputs did not change; without its stamp it syncs again.
    (examples / ".mono/state/installed/flask-app-1").unlink()
    assert mono("-C", str(examples), "install", "flask-app-1").returncode == 0
    assert_venv_matches_lock(app)
    root = examples / "pyproject.toml"
    original = root.read_text()
    root.write_text(original.replace("[tool.mono]", '[tool.mono]\ninstaller = "poetry"', 1))
    try:
        switched = mono("-C", str(examples), "install", "flask-app-1")
        assert switched.returncode == 0, switched.stdout + switched.stderr
        assert "install flask-app-1: ok" in switched.stdout  # a new installer is a new input
        log = (examples / ".mono/logs/install/flask-app-1.log").read_text()
        assert "poetry --no-ansi sync" in log and "uv pip sync" not in log
        assert_venv_matches_lock(app)
    finally:
        root.write_text(original)


def test_lock_relocks_only_what_a_library_change_reaches(examples: Path) -> None:
    first = mono("-C", str(examples), "lock")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "lock helloworld: up to date" in first.stdout and "lock flask-app-1: up to date" in first.stdout
    library = examples / "lib/helloworld/pyproject.toml"
    app_lock = examples / "app/demo/flask-app-1/poetry.lock"
    original, app_lock_before = library.read_text(), app_lock.read_bytes()
    library.write_text(original.replace("dependencies = []", 'dependencies = ["six>=1.16"]'))
    try:
        check = mono("-C", str(examples), "lock", "--check")
        assert check.returncode == 1
        assert "helloworld: failed" in check.stdout and "flask-app-1: failed" in check.stdout
        assert "poetry.lock is stale" in check.stdout
        assert app_lock.read_bytes() == app_lock_before  # --check changes nothing
        relock = mono("-C", str(examples), "lock")
        assert relock.returncode == 0, relock.stdout + relock.stderr
        assert "lock helloworld: ok" in relock.stdout and "lock flask-app-1: ok" in relock.stdout
        assert "six" in {package["name"] for package in tomllib.loads(app_lock.read_text())["package"]}
        again = mono("-C", str(examples), "lock")
        assert "lock helloworld: up to date" in again.stdout and "lock flask-app-1: up to date" in again.stdout
    finally:
        library.write_text(original)
    back = mono("-C", str(examples), "lock")
    assert back.returncode == 0 and "lock flask-app-1: ok" in back.stdout
    assert "six" not in {package["name"] for package in tomllib.loads(app_lock.read_text())["package"]}


def test_a_damaged_state_file_is_discarded_with_a_warning(examples: Path) -> None:
    stamp = examples / ".mono/state/tested/helloworld"
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_bytes(b"\x00\xff garbage \x00")
    result = mono("-C", str(examples), "test", "helloworld")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mono: warning: discarded a damaged state file" in result.stderr
    assert "test helloworld: passed" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_broken_lock_fails_its_install_with_the_log_tail_while_the_others_finish(examples: Path) -> None:
    lock = examples / "app/demo/flask-app-1/poetry.lock"
    original = lock.read_bytes()
    lock.write_text("[[package]]\nname = 'flask'\nversion = \n")  # not TOML any more
    try:
        result = mono("-C", str(examples), "install", "--all")
    finally:
        lock.write_bytes(original)
    assert result.returncode == 1
    assert "install helloworld: up to date" in result.stdout or "install helloworld: ok" in result.stdout
    assert "--- flask-app-1 failed; log: .mono/logs/install/flask-app-1.log" in result.stdout
    assert "install: 1 passed, 1 failed" in result.stdout
    log = (examples / ".mono/logs/install/flask-app-1.log").read_text()
    failure = result.stdout.split("--- flask-app-1 failed", 1)[1]
    assert log.strip().splitlines()[-2] in failure  # the tail of the log is shown
    again = mono("-C", str(examples), "install", "--all")  # with the lock back, it installs
    assert again.returncode == 0, again.stdout + again.stderr
