"""What the uv route installs: the groups Poetry would, the project itself when Poetry would."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from mono.engine import editables
from mono.engine.installing import python_for
from mono.errors import NoMatchingPython
from mono.repo.pyproject import PyProject
from tests.conftest import CliRunner


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
