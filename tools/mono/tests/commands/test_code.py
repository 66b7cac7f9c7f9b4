"""`mono code`: the VS Code workspace document, where it may be written, what it reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mono.commands.code import VENV_PYTHON, workspace_document
from mono.repo.discovery import load_workspace
from tests.conftest import CliRunner
from tests.helpers import git

DEFAULT = Path(".mono/mono.code-workspace")


def read_back(path: Path) -> dict[str, Any]:
    """The file as VS Code reads it: strict JSON (no comments, no trailing commas)."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    document: dict[str, Any] = json.loads(text)
    return document


def resolved_interpreter(document: dict[str, Any], location: Path, folder: dict[str, str]) -> Path:
    """The interpreter the Python extension looks for in `folder`: the workspace setting, with
    `${workspaceFolder}` standing for that folder (resolved against the workspace file's folder)."""
    setting: str = document["settings"]["python.defaultInterpreterPath"]
    directory = Path(os.path.normpath(location.parent / folder["path"]))
    return Path(setting.replace("${workspaceFolder}", str(directory)))


def fake_venv(project: Path) -> None:
    """A real (empty) venv in the project's .venv: an interpreter that exists."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)


def test_one_folder_per_project_relative_to_the_file_in_path_order(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    result = cli(repo, "code")
    assert result.code == 0, result.err
    document = read_back(repo / DEFAULT)
    assert document["folders"] == [
        {"name": "web", "path": "../app/shop/web"},
        {"name": "study", "path": "../eda/shop/study"},
        {"name": "core", "path": "../lib/core"},
        {"name": "lonely", "path": "../lib/lonely"},
        {"name": "util", "path": "../lib/util"},
        {"name": "helper", "path": "../tools/helper"},
    ]
    for folder in document["folders"]:
        assert (repo / ".mono" / folder["path"] / "pyproject.toml").is_file()
    assert document["settings"] == {"python.defaultInterpreterPath": "${workspaceFolder}/.venv/bin/python"}
    assert result.out.splitlines()[0] == "wrote .mono/mono.code-workspace: 6 folders, each on its own .venv"
    assert result.out.splitlines()[-1] == "next: code .mono/mono.code-workspace"


def test_each_project_has_a_launch_configuration_on_its_own_interpreter(repo: Path) -> None:
    workspace = load_workspace(repo)
    location = repo / DEFAULT
    document = workspace_document(workspace, sorted(workspace.projects), location)
    configurations = document["launch"]["configurations"]
    assert [entry["name"] for entry in configurations] == [
        f"{folder['name']}: current file" for folder in document["folders"]
    ]
    web = configurations[0]
    assert web["type"] == "debugpy" and web["request"] == "launch"
    assert web["python"] == "${workspaceFolder:web}/.venv/bin/python"
    assert web["cwd"] == "${workspaceFolder:web}"
    assert "ms-python.python" in document["extensions"]["recommendations"]


def test_every_interpreter_path_resolves_into_its_own_project(repo: Path, cli: CliRunner) -> None:
    fake_venv(repo / "app/shop/web")
    fake_venv(repo / "lib/core")
    assert cli(repo, "code").code == 0
    document = read_back(repo / DEFAULT)
    found = {folder["name"]: resolved_interpreter(document, repo / DEFAULT, folder) for folder in document["folders"]}
    assert found["web"] == repo / "app/shop/web" / VENV_PYTHON
    assert {name for name, python in found.items() if python.exists()} == {"web", "core"}
    for configuration in document["launch"]["configurations"]:
        name = configuration["name"].split(":")[0]
        folder = next(folder for folder in document["folders"] if folder["name"] == name)
        directory = os.path.normpath(repo / ".mono" / folder["path"])
        assert Path(configuration["python"].replace(f"${{workspaceFolder:{name}}}", directory)) == found[name]


def test_missing_interpreters_are_named_with_what_makes_them(repo: Path, cli: CliRunner) -> None:
    fake_venv(repo / "app/shop/web")
    (repo / "lib/util/poetry.lock").write_text("# a lock\n")
    result = cli(repo, "code")
    assert result.code == 0
    assert "interpreters missing: util (hint: ./mono code --install, or ./mono install NAME)" in result.out
    assert "no venv and no poetry.lock: study, core, lonely, helper (hint: ./mono lock NAME" in result.out
    assert "web" not in result.out.split("next:")[0].split("folders")[1]


def test_the_repository_stays_clean(repo: Path, cli: CliRunner) -> None:
    assert cli(repo, "code").code == 0
    assert cli(repo, "code").code == 0  # again: replaced, not appended to
    assert git(repo, "status", "--porcelain") == ""
    assert [path.name for path in (repo / ".mono").glob("*.code-workspace")] == ["mono.code-workspace"]
    assert not list((repo / ".mono").glob(".mono.code-workspace.*"))  # no temporary file left


def test_a_selection_writes_only_those_folders(repo: Path, cli: CliRunner) -> None:
    assert cli(repo, "code", "web", "lib/core").code == 0
    names = [folder["name"] for folder in read_back(repo / DEFAULT)["folders"]]
    assert names == ["web", "core"]


def test_output_inside_the_repository_gets_paths_relative_to_it(repo: Path, cli: CliRunner) -> None:
    result = cli(repo, "code", "--output", str(repo / "shop.code-workspace"))
    assert result.code == 0, result.err
    document = read_back(repo / "shop.code-workspace")
    assert document["folders"][0] == {"name": "web", "path": "app/shop/web"}
    assert not (repo / DEFAULT).exists()


def test_output_relative_to_the_current_folder(repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "app")
    result = cli(repo, "code", "-o", "here.code-workspace")
    assert result.code == 0, result.err
    assert read_back(repo / "app/here.code-workspace")["folders"][0] == {"name": "web", "path": "shop/web"}
    assert result.out.splitlines()[-1] == "next: code here.code-workspace"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("{outside}/x.code-workspace", "outside the repository", id="outside"),
        pytest.param("{repo}/link/x.code-workspace", "outside the repository", id="through-a-symlink"),
        pytest.param("{repo}/../x.code-workspace", "outside the repository", id="dot-dot"),
        pytest.param("{repo}/x.json", "not a .code-workspace file", id="wrong-suffix"),
        pytest.param("{repo}/.git/x.code-workspace", "inside .git", id="git-folder"),
        pytest.param("{repo}/no/such/x.code-workspace", "no folder", id="missing-folder"),
        pytest.param("{repo}/app.code-workspace", "is a folder", id="a-folder"),
    ],
)
def test_a_bad_output_is_one_line_exit_2_and_writes_nothing(
    repo: Path, cli: CliRunner, tmp_path: Path, given: str, expected: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "link").symlink_to(outside)
    (repo / "app.code-workspace").mkdir()
    result = cli(repo, "code", "--output", given.format(repo=repo, outside=outside))
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.strip().splitlines()
    assert line.startswith("mono: error: --output ") and expected in line
    assert list(outside.iterdir()) == []
    assert not (repo / ".mono").exists() or not list((repo / ".mono").glob("*.code-workspace"))
    assert not list(tmp_path.glob("*.code-workspace"))


def test_help_lists_code(repo: Path, cli: CliRunner) -> None:
    assert "code" in cli(repo, "--help").out
    assert "--install" in cli(repo, "code", "--help").out
