"""What the uv route installs: the groups Poetry would, the project itself when Poetry would."""

from __future__ import annotations

import logging
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from poetry.packages.locker import Locker

from mono.engine import editables, installing, testing
from mono.engine.installing import install_if_needed, install_state, python_for
from mono.engine.testing import run_suite
from mono.errors import NoMatchingPython, WorkFailed
from mono.external.proc import Completed
from mono.model.graph import build_graph
from mono.model.layout import record, requirements_file
from mono.model.project import Workspace
from mono.repo.discovery import load_workspace
from mono.repo.pyproject import PyProject
from tests.conftest import CliRunner
from tests.helpers import build_repo, pep621, write_tree


def read(data: dict[str, Any]) -> PyProject:
    return PyProject(data, "pyproject.toml")


def test_default_groups_are_the_ones_not_marked_optional() -> None:
    data = {"tool": {"poetry": {"group": {"dev": {}, "docs": {"optional": True}, "lint": {"optional": False}}}}}
    assert read(data).default_groups == ["dev", "lint"]
    assert read({}).default_groups == []


def test_only_package_mode_projects_install_themselves() -> None:
    assert read({"project": {"name": "lib"}}).installs_itself
    assert not read({"tool": {"poetry": {"package-mode": False}}}).installs_itself


def test_the_running_python_is_used_when_requires_python_allows_it() -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert python_for(read({"project": {"requires-python": f">={running}"}})) == sys.executable
    assert python_for(read({})) == sys.executable


def test_a_poetry_style_constraint_the_running_python_fits_uses_it() -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert python_for(read({"tool": {"poetry": {"dependencies": {"python": f"^{running}"}}}})) == sys.executable


def fake_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, versions: list[str]) -> None:
    """A pyenv root holding Pythons of `versions` (scripts that only need to exist), nothing on PATH."""
    for version in versions:
        python = tmp_path / "pyenv/versions" / version / "bin/python3"
        python.parent.mkdir(parents=True)
        python.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "uv"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def test_otherwise_the_newest_python_here_that_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_machine(tmp_path, monkeypatch, ["3.9.18", "3.99.1", "3.99.4", "4.0.0"])
    chosen = python_for(read({"project": {"requires-python": "~3.99"}}), "web", tmp_path)
    assert chosen == str(tmp_path / "pyenv/versions/3.99.4/bin/python3")


def test_no_python_that_fits_is_one_line_saying_what_is_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_machine(tmp_path, monkeypatch, ["3.9.18"])
    with pytest.raises(NoMatchingPython, match=r"web needs Python '\^3\.99' \(requires-python\).*found: 3\.9\.18"):
        python_for(read({"tool": {"poetry": {"dependencies": {"python": "^3.99"}}}}), "web", tmp_path)


def test_a_library_used_by_path_without_a_lock_is_skipped_and_others_are_refused(repo: Path, cli: CliRunner) -> None:
    # In the layered repository nothing is locked; util uses core by path, web uses util.
    for command in (["install"], ["test"], ["lock", "--check"]):
        result = cli(repo, *command, "core")
        assert result.code == 0, result.out + result.err
        assert "--- core skipped: a library used by path" in result.out
        assert result.out.rstrip().endswith(": 0 passed, 1 skipped, 0 failed")
    assert not (repo / "lib/core/.venv").exists() and not (repo / "lib/core/poetry.lock").exists()
    refused = cli(repo, "install", "web")
    assert refused.code == 1
    assert "web has no poetry.lock (app/shop/web/poetry.lock) (hint: run ./mono lock web first)" in refused.out


def test_an_editable_entry_uv_cannot_build_becomes_a_plain_one(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        'flask==3.1.0 \\\n    --hash=sha256:abc\n-e file:///repo/libs/old-core ; python_version >= "3.11"\n'
        "-e file:///repo/apps/web\n"
    )
    assert editables._plain_entry(requirements, "old-core", "file:///repo/libs/old-core")
    assert requirements.read_text().splitlines()[2:] == [
        'old-core @ file:///repo/libs/old-core ; python_version >= "3.11"',
        "-e file:///repo/apps/web",
    ]
    assert not editables._plain_entry(requirements, "old-core", "file:///repo/libs/old-core")  # nothing left to turn


def wheel_with(path: Path, pth: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("core.pth", pth)
        archive.writestr("core-1.0.dist-info/METADATA", "Name: core\n")
    return path


def test_the_digest_of_an_editable_wheel_ignores_the_order_of_its_pth_lines(tmp_path: Path) -> None:
    # poetry-core collects a project's package folders in a set: their order varies by process.
    one = wheel_with(tmp_path / "one.whl", "/repo/lib/core/src\n/repo/lib/core\n")
    other = wheel_with(tmp_path / "other.whl", "/repo/lib/core\n/repo/lib/core/src\n")
    changed = wheel_with(tmp_path / "changed.whl", "/repo/lib/core\n")
    assert editables._digest(one) == editables._digest(other) != editables._digest(changed)


def test_only_an_editable_entry_is_replaced_by_a_wheel_built_here(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    # develop = false: a copy, as Poetry installs it; not to be made editable.
    requirements.write_text('-e file:///repo/lib/core ; python_version >= "3.11"\nold @ file:///repo/lib/old\n')
    assert editables._has_editable(requirements, "file:///repo/lib/core")
    assert not editables._has_editable(requirements, "file:///repo/lib/old")


SITE = "lib/python3.11/site-packages"
FLASK = {f"{SITE}/flask/__init__.py": "", f"{SITE}/flask-3.1.0.dist-info/RECORD": "flask/__init__.py,,\n"}


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, list[str]]:
    """A locked library whose installs put flask into a fake venv (no uv, no Poetry); the list
    grows by one name per install."""
    repo = build_repo(
        tmp_path / "repo", {"lib/solo/pyproject.toml": pep621("solo"), "lib/solo/poetry.lock": "# locked\n"}
    )
    venv = repo / "lib/solo/.venv"
    write_tree(venv, {"pyvenv.cfg": "home = /usr/bin\n", "bin/python": "#!/bin/sh\n"})
    (venv / "bin/python").chmod(0o755)
    synced: list[str] = []

    def fake_sync(workspace: Workspace, project: Any, installer: str, log: Path) -> tuple[str, ...]:
        write_tree(venv, FLASK)
        synced.append(project.name)
        return ()

    monkeypatch.setattr(installing, "sync_venv", fake_sync)
    return load_workspace(repo), synced


def test_a_venv_changed_since_its_install_is_installed_again_saying_why(
    installed: tuple[Workspace, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, synced = installed
    graph, log = build_graph(workspace), tmp_path / "install.log"
    assert install_if_needed(workspace, graph, "solo", log).status == "ok"
    assert install_if_needed(workspace, graph, "solo", log).status == "up to date"
    assert synced == ["solo"] and not caplog.records
    # As `pip uninstall -y flask` would: its dist-info and its package gone.
    site = workspace.folder("solo") / ".venv" / SITE
    shutil.rmtree(site / "flask")
    shutil.rmtree(site / "flask-3.1.0.dist-info")
    assert install_state(workspace, graph, "solo") == "venv changed"
    with caplog.at_level(logging.WARNING, logger="mono"):
        assert install_if_needed(workspace, graph, "solo", log).status == "ok"
    assert synced == ["solo", "solo"]
    assert [r.getMessage() for r in caplog.records] == [
        "solo: its .venv changed since it was installed (a package removed, added or reinstalled by hand); "
        "installing it again"
    ]
    assert install_if_needed(workspace, graph, "solo", log).status == "up to date"


def test_an_install_record_without_a_fingerprint_is_stale_without_a_warning(
    installed: tuple[Workspace, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, synced = installed
    graph, log = build_graph(workspace), tmp_path / "install.log"
    install_if_needed(workspace, graph, "solo", log)
    stamp = record(workspace.root, "installed", "solo")
    inputs, _, fingerprint = stamp.read_text().strip().partition(" venv:")
    assert len(fingerprint) == 16
    stamp.write_text(inputs + "\n")  # as a tool that did not fingerprint venvs wrote it
    assert install_state(workspace, graph, "solo") == "inputs changed"
    with caplog.at_level(logging.WARNING, logger="mono"):
        assert install_if_needed(workspace, graph, "solo", log).status == "ok"
    assert synced == ["solo", "solo"] and not caplog.records


def test_a_cached_test_run_runs_again_once_its_venv_changed(
    installed: tuple[Workspace, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, synced = installed
    graph, log = build_graph(workspace), tmp_path / "test.log"
    runs: list[Path] = []

    def fake_pytest(python: Path, args: list[str], cwd: Path, log: Path) -> Completed:
        runs.append(cwd)
        return Completed(("pytest",), 0, "")

    monkeypatch.setattr(testing, "run_python", fake_pytest)
    assert run_suite(workspace, graph, "solo", log).status == "passed"
    assert run_suite(workspace, graph, "solo", log).status == "cached"
    shutil.rmtree(workspace.folder("solo") / ".venv" / SITE / "flask")
    assert run_suite(workspace, graph, "solo", log).status == "passed"
    assert len(runs) == 2 and synced == ["solo", "solo"]


LOCKED = """\
# This file is automatically @generated by Poetry 2.5.1 and should not be changed by hand.

[[package]]
name = "six"
version = "1.17.0"
description = ""
optional = false
python-versions = ">=2.7"
groups = ["main"]
files = [{ file = "six-1.17.0.tar.gz", hash = "sha256:ff" }]
{source}
[metadata]
lock-version = "2.1"
python-versions = ">=3.11"
content-hash = "{hash}"
"""


@pytest.fixture
def uv_route(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, list[list[str]], list[str]]:
    """A project with a lock, where the uv route's programs are recorded, not run: the Poetry
    commands started and the requirements uv was given."""
    pyproject = pep621("solo", extra="[tool.poetry]\npackage-mode = false\n")
    repo = build_repo(tmp_path / "repo", {"lib/solo/pyproject.toml": pyproject})
    started: list[list[str]] = []
    synced: list[str] = []

    def fake_poetry(args: list[str], *rest: Any, **named: Any) -> None:
        started.append(args)
        if "--output" in args:
            Path(args[args.index("--output") + 1]).write_text("six==1.17.0\n")

    monkeypatch.setattr(installing, "poetry", fake_poetry)
    monkeypatch.setattr(installing, "_fresh_venv", lambda *args: None)
    monkeypatch.setattr(installing, "use_poetry_wheels", lambda *args: ())

    def fake_sync(name: str, python: Path, requirements: Path, folder: Path, log: Path) -> tuple[str, ...]:
        synced.append(requirements.read_text())
        return ()

    monkeypatch.setattr(installing, "sync_falling_back", fake_sync)
    return load_workspace(repo), started, synced


def write_lock(workspace: Workspace, source: str = "", hash_of: str | None = None) -> None:
    folder = workspace.folder("solo")
    data = tomllib.loads(hash_of or (folder / "pyproject.toml").read_text())
    recorded = Locker(folder / "poetry.lock", data)._get_content_hash()  # the hash Poetry would record
    text = LOCKED.replace("{source}", source).replace("{hash}", recorded)
    (folder / "poetry.lock").write_text(text)


def test_the_uv_route_reads_the_lock_in_process_and_starts_no_poetry(
    uv_route: tuple[Workspace, list[list[str]], list[str]], tmp_path: Path
) -> None:
    workspace, started, synced = uv_route
    write_lock(workspace)
    installing.sync_venv(workspace, workspace.projects["solo"], "uv", tmp_path / "install.log")
    assert started == []
    assert synced == ['six==1.17.0 ; python_version >= "3.11" \\\n    --hash=sha256:ff\n']
    assert "read from poetry.lock in-process" in (tmp_path / "install.log").read_text()


def test_a_stale_lock_is_refused_saying_to_run_mono_lock(
    uv_route: tuple[Workspace, list[list[str]], list[str]], tmp_path: Path
) -> None:
    workspace, started, synced = uv_route
    write_lock(workspace, hash_of=pep621("solo", {"core": "../core"}))
    with pytest.raises(WorkFailed, match=r"since poetry\.lock was last generated\. Run `\./mono lock solo` to fix"):
        installing.sync_venv(workspace, workspace.projects["solo"], "uv", tmp_path / "install.log")
    assert started == [] and synced == []


def test_a_lock_with_packages_from_another_index_is_exported_by_poetry(
    uv_route: tuple[Workspace, list[list[str]], list[str]], tmp_path: Path
) -> None:
    workspace, started, synced = uv_route
    write_lock(
        workspace, '\n[package.source]\ntype = "legacy"\nurl = "https://team.invalid/simple"\nreference = "team"\n'
    )
    requirements = requirements_file(workspace.root, "solo")
    installing.sync_venv(workspace, workspace.projects["solo"], "uv", tmp_path / "install.log")
    assert started == [["export", "--format", "requirements.txt", "--output", str(requirements)]]
    assert synced == ["six==1.17.0\n"]
    assert "exporting with Poetry: six comes from the source team" in (tmp_path / "install.log").read_text()


def test_uv_syncs_from_its_cache_first_and_asks_the_index_only_when_that_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mono.errors import CommandFailed
    from mono.external import uv

    calls: list[list[str]] = []

    def fake_run(command: list[str], **named: Any) -> Completed:
        calls.append(command)
        if "--offline" in command and len(calls) == 2:  # the second sync: its versions are not cached
            raise CommandFailed(command, 1, "no version of blinker==1.9.0")
        return Completed(tuple(command), 0, "")

    monkeypatch.setattr(uv, "run", fake_run)
    requirements = tmp_path / "requirements.txt"
    uv.pip_sync(Path("python"), requirements, tmp_path, tmp_path / "log")
    assert [call[-1] for call in calls] == ["--offline"]  # everything was in the cache: no index asked
    uv.pip_sync(Path("python"), requirements, tmp_path, tmp_path / "log")
    assert [call[-1] for call in calls[1:]] == ["--offline", str(requirements)]
