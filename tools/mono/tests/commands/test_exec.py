"""What `exec` and `poetry` start: the program, its folder and its environment."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from mono.commands.exec_ import plan_exec, venv_environment
from mono.commands.poetry import plan_poetry
from mono.errors import MonoError
from mono.external.index import index_url
from mono.repo.discovery import load_workspace
from tests.helpers import write_tree


def _venv(folder: Path, *programs: str) -> None:
    """A venv as venv_is_whole sees one, with executable `programs` in its bin."""
    write_tree(
        folder / ".venv",
        {"pyvenv.cfg": "home = /usr/bin\n", **{f"bin/{name}": "#!/bin/sh\n" for name in ("python", *programs)}},
    )
    for program in (folder / ".venv/bin").iterdir():
        program.chmod(0o755)


def test_a_command_runs_in_the_projects_folder_with_its_venv_first(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = repo / "app/shop/web"
    _venv(folder, "flask")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/else")
    launch = plan_exec(load_workspace(repo), "web", ["flask", "--app", "app", "run"])
    assert launch.argv == (str(folder / ".venv/bin/flask"), "--app", "app", "run") and launch.cwd == folder
    assert launch.env["VIRTUAL_ENV"] == str(folder / ".venv")
    assert launch.env["PATH"].split(os.pathsep)[0] == str(folder / ".venv/bin")
    # Not in the venv: found on PATH, as an activated venv would.
    assert plan_exec(load_workspace(repo), "web", ["sh", "-c", "true"]).argv[0] == shutil.which("sh")


def test_a_missing_command_or_venv_is_one_line(repo: Path) -> None:
    with pytest.raises(MonoError, match=r"^core has no venv of its own: a library used by path"):
        plan_exec(load_workspace(repo), "core", ["python"])
    _venv(repo / "app/shop/web")
    for command, said in [
        ([], "no command to run in web (hint: put it after --: ./mono exec web -- python -V)"),
        (["no-such-program"], "cannot run 'no-such-program' in web's venv: not found (hint: add it to web"),
        (["bin/absent.sh"], "cannot run 'bin/absent.sh' in web's venv: not found"),
    ]:
        with pytest.raises(MonoError) as raised:
            plan_exec(load_workspace(repo), "web", command)
        assert str(raised.value).startswith(said)


def test_the_venv_environment_leaves_no_other_venv_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHOME", "/elsewhere")
    env = venv_environment(tmp_path)
    assert "PYTHONHOME" not in env and env["VIRTUAL_ENV"] == str(tmp_path / ".venv")


def test_poetry_runs_in_the_project_with_the_index_setting(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POETRY_PYPI_MIRROR_URL", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", "https://index.example.invalid/simple/")
    index_url.cache_clear()  # read once a process: an earlier test may have read the real one
    try:
        launch = plan_poetry(load_workspace(repo), "web", ["add", "--group", "dev", "six"])
    finally:
        index_url.cache_clear()  # and later tests read theirs, not this one
    assert Path(launch.argv[0]).name == "poetry" and launch.argv[1:] == ("add", "--group", "dev", "six")
    assert launch.cwd == repo / "app/shop/web"
    assert launch.env["POETRY_PYPI_MIRROR_URL"] == "https://index.example.invalid/simple/"
    assert launch.env["POETRY_VIRTUALENVS_IN_PROJECT"] == "true"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_poetry_may_ask_only_at_a_terminal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # a pipe, CI: a prompt would wait forever
    assert plan_poetry(load_workspace(repo), "web", ["remove", "six"]).env["POETRY_NO_INTERACTION"] == "1"
    monkeypatch.setattr(sys, "stdin", _Terminal())
    assert "POETRY_NO_INTERACTION" not in plan_poetry(load_workspace(repo), "web", ["remove", "six"]).env
