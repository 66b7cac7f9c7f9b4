"""`mono lint`: the real ruff over fake repositories, with the root's configuration inherited."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from mono.commands.lint import lint_paths
from mono.external.proc import tool_executable
from tests.conftest import CliRunner
from tests.helpers import REPO_ROOT, build_repo, layered_repo, pep621, write_tree

ROOT_PYPROJECT = """
[tool.mono]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "I"]
"""

UNUSED_IMPORT = "lib/util/util/helpers.py"
BADLY_FORMATTED = "lib/core/core/shapes.py"


@pytest.fixture
def clean_repo(tmp_path: Path) -> Path:
    """The layered repository with a root [tool.ruff] and nothing for ruff to find."""
    return build_repo(
        tmp_path / "repo",
        {**layered_repo(), "pyproject.toml": ROOT_PYPROJECT, "app/shop/web/app.py": 'print("hi")\n'},
    )


def add_problems(repo: Path) -> None:
    write_tree(repo, {UNUSED_IMPORT: "import os\n", BADLY_FORMATTED: "square=[1,2]\n"})


def test_ruff_is_found_beside_this_python() -> None:
    assert Path(tool_executable("ruff")).is_file()


def test_a_clean_repository_passes(clean_repo: Path, cli: CliRunner) -> None:
    result = cli(clean_repo, "lint")
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[-1] == "lint: clean: the whole repository"


def test_an_unused_import_fails_naming_the_file(clean_repo: Path, cli: CliRunner) -> None:
    write_tree(clean_repo, {UNUSED_IMPORT: "import os\n"})
    result = cli(clean_repo, "lint")
    assert result.code == 1
    assert f"{UNUSED_IMPORT}:1:8: F401" in result.out
    assert "ruff check found problems" in result.out.splitlines()[-1]


def test_a_badly_formatted_file_fails_naming_the_file(clean_repo: Path, cli: CliRunner) -> None:
    write_tree(clean_repo, {BADLY_FORMATTED: "square=[1,2]\n"})
    result = cli(clean_repo, "lint")
    assert result.code == 1
    assert BADLY_FORMATTED in result.out
    assert "some files need formatting" in result.out.splitlines()[-1]
    assert "ruff check found problems" not in result.out


def test_fix_fixes_both_and_a_rerun_passes(clean_repo: Path, cli: CliRunner) -> None:
    add_problems(clean_repo)
    fixed = cli(clean_repo, "lint", "--fix")
    assert fixed.code == 0, fixed.out
    assert (clean_repo / UNUSED_IMPORT).read_text() == ""
    assert (clean_repo / BADLY_FORMATTED).read_text() == "square = [1, 2]\n"
    assert cli(clean_repo, "lint").code == 0


def test_fix_reports_what_it_cannot_fix(clean_repo: Path, cli: CliRunner) -> None:
    write_tree(clean_repo, {BADLY_FORMATTED: "print(undefined_name)\n"})
    result = cli(clean_repo, "lint", "--fix")
    assert result.code == 1
    assert f"{BADLY_FORMATTED}:1:7: F821" in result.out
    assert "cannot fix" in result.out.splitlines()[-1]


def test_selecting_a_project_lints_only_its_folder(clean_repo: Path, cli: CliRunner) -> None:
    add_problems(clean_repo)
    util = cli(clean_repo, "lint", "util")
    assert util.code == 1
    assert UNUSED_IMPORT in util.out
    assert BADLY_FORMATTED not in util.out
    assert util.out.splitlines()[-1].startswith("lint: failed in lib/util:")
    assert cli(clean_repo, "lint", "lonely", "app/shop/web").code == 0


def test_affected_with_nothing_changed_lints_nothing(clean_repo: Path, cli: CliRunner) -> None:
    result = cli(clean_repo, "lint", "--affected")
    assert result.code == 0
    assert result.out.strip() == "lint: nothing to lint (no project selected)"


def test_an_unknown_project_is_bad_usage(clean_repo: Path, cli: CliRunner) -> None:
    result = cli(clean_repo, "lint", "utill")
    assert result.code == 2
    assert "did you mean 'util'?" in result.err


def test_projects_inherit_the_root_configuration(clean_repo: Path, cli: CliRunner) -> None:
    # 60 characters that the formatter cannot shorten: fine at 100, too long at 40.
    long_line = f'TEXT = "{"x" * 51}"\n'
    write_tree(clean_repo, {"lib/core/core/text.py": long_line, "lib/util/util/text.py": long_line})
    # util has its own configuration, which extends the root's and lets long lines through.
    util_settings = '\n[tool.ruff]\nextend = "../../pyproject.toml"\n\n[tool.ruff.lint]\nextend-ignore = ["E501"]\n'
    write_tree(clean_repo, {"lib/util/pyproject.toml": pep621("util", {"core": "../core"}, util_settings)})
    assert cli(clean_repo, "lint").code == 0

    (clean_repo / "pyproject.toml").write_text(ROOT_PYPROJECT.replace("line-length = 100", "line-length = 40"))
    result = cli(clean_repo, "lint")
    assert result.code == 1
    assert "lib/core/core/text.py:1:41: E501" in result.out
    assert "lib/util/util/text.py" not in result.out


def test_a_broken_ruff_configuration_is_one_line_and_bad_input(clean_repo: Path, cli: CliRunner) -> None:
    (clean_repo / "pyproject.toml").write_text(ROOT_PYPROJECT.replace("line-length", "line-lenght"))
    result = cli(clean_repo, "lint")
    assert result.code == 2
    [line] = result.err.splitlines()
    assert line.startswith("mono: error: ruff failed")
    assert "line-lenght" in line


def test_lint_paths_drops_folders_inside_others() -> None:
    assert lint_paths(["lib/a/b", "lib/ab", "lib/a", "lib/a"]) == ("lib/a", "lib/ab")
    assert lint_paths(["lib/a", "."]) == (".",)
    assert lint_paths([]) == ()


def test_pre_commit_runs_check_and_lint() -> None:
    text = (REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:  # PyYAML is optional here: the text checks below still hold
        entries = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("entry:")]
    else:
        config = yaml.safe_load(text)
        hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
        assert all(repo["repo"] == "local" for repo in config["repos"])
        assert all(hook["language"] == "system" and hook["pass_filenames"] is False for hook in hooks)
        entries = [hook["entry"] for hook in hooks]
    assert "./mono check" in entries
    assert "./mono lint" in entries
