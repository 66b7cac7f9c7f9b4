"""The answers file of a template-made project: read, rewritten, and checked by `mono check`
and `mono update-template` to name a template commit the repository's history has."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.engine import health
from mono.engine.health_templates import template_commits
from mono.errors import MonoError
from mono.repo.template_answers import read_answers, with_answer
from tests.conftest import CliRunner
from tests.helpers import REPO_ROOT, build_repo, git, pep621, write_tree

ANSWERS = """\
# Answers of the template this project was made from (./mono new).
_commit: {commit}
_src_path: ../..
kind: lib
name: {name}
"""


def answered_repo(tmp_path: Path, commits: dict[str, str]) -> Path:
    """lib/NAME for each of `commits`, its answers file naming that commit ("HEAD": the first
    commit's id), and lib/plain without one; all committed."""
    files = {"pyproject.toml": "[tool.mono]\n", "lib/plain/pyproject.toml": pep621("plain")}
    files |= {f"lib/{name}/pyproject.toml": pep621(name) for name in commits}
    root = build_repo(tmp_path / "repo", files)
    first = git(root, "rev-parse", "--short", "HEAD").strip()
    for name, commit in commits.items():
        text = ANSWERS.format(commit=first if commit == "HEAD" else commit, name=name)
        write_tree(root, {f"lib/{name}/.copier-answers.yml": text})
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "answers")
    return root


def findings(root: Path) -> list[tuple[str, str, str]]:
    return [(found.project, found.severity, found.message) for found in template_commits(health.load_repository(root))]


def test_an_answers_file_naming_a_commit_the_history_lacks_is_a_warning(tmp_path: Path) -> None:
    root = answered_repo(tmp_path, {"good": "HEAD", "lost": "4575af4", "also-lost": "'4930915'"})
    assert [(project, severity) for project, severity, _ in findings(root)] == [
        ("also-lost", "warning"),
        ("lost", "warning"),
    ]
    message = dict((project, message) for project, _, message in findings(root))["lost"]
    assert message.startswith("lib/lost/.copier-answers.yml names template commit 4575af4, which this repository's")
    assert "update-template" in message and "set _commit" in message


def test_a_shallow_clone_is_not_told_its_commits_are_missing(tmp_path: Path) -> None:
    root = answered_repo(tmp_path, {"good": "HEAD"})
    git(root, "commit", "-q", "--allow-empty", "-m", "later")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(shallow))
    assert findings(root) == []
    assert findings(shallow) == []  # the first commit is not in it, yet may well exist


def test_a_commit_git_could_take_for_an_option_is_refused_in_one_line(tmp_path: Path) -> None:
    root = answered_repo(tmp_path, {"odd": "--output=/tmp/x"})
    [(project, severity, message)] = findings(root)
    assert (project, severity) == ("odd", "warning")
    assert message.startswith("lib/odd/.copier-answers.yml: _commit '--output=/tmp/x' is not a git commit")
    with pytest.raises(MonoError):
        read_answers(root, "lib/odd")


def test_the_check_runs_in_mono_check(tmp_path: Path, cli: CliRunner) -> None:
    root = answered_repo(tmp_path, {"lost": "4575af4"})
    shown = cli(root, "check").out
    assert "warning  templates: lib/lost/.copier-answers.yml names template commit 4575af4" in shown


def test_answers_are_read_and_rewritten_line_by_line(tmp_path: Path) -> None:
    text = ANSWERS.format(commit="'0123456'", name="x")
    write_tree(tmp_path, {"lib/x/.copier-answers.yml": text})
    answers = read_answers(tmp_path, "lib/x")
    assert answers is not None
    assert (answers.commit, answers.src_path, answers.kind) == ("0123456", "../..", "lib")
    assert read_answers(tmp_path, "lib/none") is None
    changed = with_answer(with_answer(text, "_commit", "7654321"), "_src_path", "../../..")
    assert changed == text.replace("'0123456'", "'7654321'").replace("../..", "../../..")  # digits stay quoted
    assert "_commit" not in with_answer(text, "_commit", None)
    assert with_answer("kind: lib", "_commit", "abc1234") == "kind: lib\n_commit: abc1234\n"


# --- update-template refuses, in one line, before it writes anything -------------------------------


def test_update_template_refuses_a_commit_the_history_lacks(tmp_path: Path, cli: CliRunner) -> None:
    root = answered_repo(tmp_path, {"lost": "4575af4"})
    result = cli(root, "update-template", "lost")
    assert result.code == 2
    assert "lib/lost/.copier-answers.yml names template commit 4575af4" in result.err
    assert "git log --diff-filter=A" in result.err and "Traceback" not in result.err
    assert git(root, "status", "--porcelain") == ""


def test_update_template_refuses_an_uncommitted_project_naming_its_files(tmp_path: Path, cli: CliRunner) -> None:
    root = answered_repo(tmp_path, {"good": "HEAD", "other": "HEAD"})
    write_tree(root, {"lib/good/notes.txt": "draft\n"})
    result = cli(root, "update-template", "--all")
    assert result.code == 2
    assert "uncommitted changes in good (lib/good/notes.txt)" in result.err
    assert git(root, "status", "--porcelain") == "?? lib/good/notes.txt\n"  # nothing else written


def test_update_template_needs_a_selection_and_says_which_projects_no_template_made(
    tmp_path: Path, cli: CliRunner
) -> None:
    root = answered_repo(tmp_path, {})
    assert cli(root, "update-template").code == 2
    result = cli(root, "update-template", "plain")
    assert result.code == 0
    assert "not template-made (no .copier-answers.yml): plain" in result.out


def test_update_template_refuses_a_template_source_other_than_the_repository(tmp_path: Path, cli: CliRunner) -> None:
    root = answered_repo(tmp_path, {"moved": "HEAD"})
    answers = root / "lib/moved/.copier-answers.yml"
    answers.write_text(answers.read_text().replace("_src_path: ../..", "_src_path: gh:someone/templates"))
    git(root, "commit", "-qam", "elsewhere")
    result = cli(root, "update-template", "moved")
    assert result.code == 2 and "is not this repository's root" in result.err


def test_the_template_made_projects_of_this_repository_name_commits_it_has() -> None:
    # Whatever projects this repository holds (none at all is fine): their answers files must
    # let ./mono update-template work on them.
    assert findings(REPO_ROOT) == []
