from __future__ import annotations

import os
from pathlib import Path

import pytest

from mono.errors import GitError
from mono.model.graph import build_graph
from mono.repo import changes
from mono.repo.changes import changed_files, find_affected, resolve_base
from mono.repo.discovery import load_workspace
from tests.helpers import build_repo, git, pep621, write_tree


def affected(repo: Path, since: str | None = None) -> tuple[str, ...]:
    workspace = load_workspace(repo)
    return find_affected(workspace, build_graph(workspace), since).projects


def test_nothing_changed_affects_nothing(repo: Path) -> None:
    assert affected(repo) == ()


def test_unstaged_change_affects_owner_and_transitive_dependents(repo: Path) -> None:
    (repo / "lib/core/core/__init__.py").write_text("x = 1\n")
    result = affected(repo)
    assert set(result) == {"core", "util", "web", "study"}
    assert result.index("core") < result.index("util") < result.index("web")


def test_staged_change_counts(repo: Path) -> None:
    (repo / "lib/util/util/__init__.py").write_text("y = 2\n")
    git(repo, "add", "-A")
    assert set(affected(repo)) == {"util", "web"}


def test_untracked_file_counts(repo: Path) -> None:
    (repo / "lib/lonely/new.py").write_text("z = 3\n")
    assert affected(repo) == ("lonely",)


def test_committed_change_since_a_ref(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app/shop/web/app.py").write_text("print('changed')\n")
    git(repo, "commit", "-qam", "change web")
    assert affected(repo) == ("web",)  # default base: merge-base with main
    assert affected(repo, since="HEAD") == ()
    assert affected(repo, since="main") == ("web",)


def test_rename_counts_on_both_sides(repo: Path) -> None:
    git(repo, "mv", "lib/lonely/pyproject.toml", "tools/helper/moved.toml")
    workspace = load_workspace(repo)
    base = resolve_base(repo, None)
    files = changed_files(repo, base)
    assert {"lib/lonely/pyproject.toml", "tools/helper/moved.toml"} <= set(files)
    result = find_affected(workspace, build_graph(workspace), None)
    assert "helper" in result.projects


def test_rename_of_a_whole_file_between_projects(repo: Path) -> None:
    write_tree(repo, {"lib/core/core/data.py": "VALUE = 1\n" * 20})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "data")
    git(repo, "mv", "lib/core/core/data.py", "lib/lonely/data.py")
    assert set(affected(repo, since="HEAD")) == {"core", "util", "web", "study", "lonely"}


def test_file_belongs_to_the_deepest_project(repo: Path) -> None:
    write_tree(repo, {"app/shop/web/worker/pyproject.toml": pep621("worker"), "app/shop/web/worker/job.py": ""})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "nested")
    (repo / "app/shop/web/worker/job.py").write_text("run = True\n")
    assert affected(repo, since="HEAD") == ("worker",)


def test_repo_wide_files_affect_every_project(repo: Path) -> None:
    (repo / "requirements.txt").write_text("poetry==2.5.1\n")
    workspace = load_workspace(repo)
    result = find_affected(workspace, build_graph(workspace), None)
    assert set(result.projects) == set(workspace.projects)
    assert result.global_files == ("requirements.txt",)


def test_repo_wide_files_are_a_setting(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mono]\nglobal-files = ["ci/*.yml"]\n')
    git(repo, "commit", "-qam", "settings")
    (repo / "requirements.txt").write_text("x\n")
    assert affected(repo) == ()
    write_tree(repo, {"ci/build.yml": "steps: []\n"})
    assert len(affected(repo)) == 6


def test_files_outside_any_project_affect_nothing(repo: Path) -> None:
    (repo / "README.md").write_text("# changed\n")
    assert affected(repo) == ()


def test_unknown_ref_is_a_git_error(repo: Path) -> None:
    with pytest.raises(GitError, match="no commit named 'nope'"):
        affected(repo, since="nope")


def test_outside_a_git_repository_is_a_git_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/a/pyproject.toml": pep621("a")})
    with pytest.raises(GitError, match="not inside a git repository"):
        affected(tmp_path)


def test_repository_without_commits_counts_every_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/a/pyproject.toml": pep621("a"), "lib/b/pyproject.toml": pep621("b")})
    git(tmp_path, "init", "-q", "-b", "main")
    assert set(affected(tmp_path)) == {"a", "b"}


def test_mono_root_may_be_a_subfolder_of_the_git_work_tree(tmp_path: Path) -> None:
    from tests.helpers import build_repo, layered_repo

    outer = build_repo(tmp_path / "outer", {f"mono-repo/{path}": text for path, text in layered_repo().items()})
    (outer / "mono-repo/lib/util/util/__init__.py").write_text("changed = 1\n")
    (outer / "elsewhere.txt").write_text("not ours\n")
    assert set(affected(outer / "mono-repo")) == {"util", "web"}


POLYLITH_PROJECT = """\
[tool.poetry]
name = "{name}"
version = "0.1.0"
description = ""
authors = []
packages = [{packages}]

[tool.poetry.dependencies]
python = "^3.11"
"""


def test_polylith_bricks_are_edges_of_the_projects_that_include_them(tmp_path: Path) -> None:
    def project(name: str, *bricks: tuple[str, str]) -> str:
        listed = ", ".join(f'{{ include = "acme/{brick}", from = "../../{folder}" }}' for folder, brick in bricks)
        return POLYLITH_PROJECT.format(name=name, packages=listed)

    root = build_repo(
        tmp_path / "ws",
        {
            "pyproject.toml": "[tool.mono]\n",
            "components/acme/greet/core.py": "HELLO = 'hi'\n",
            "components/acme/log/core.py": "",
            "bases/acme/api/core.py": "",
            "projects/shop/pyproject.toml": project("shop", ("components", "greet"), ("bases", "api")),
            "projects/batch/pyproject.toml": project("batch", ("components", "log")),
        },
    )
    workspace = load_workspace(root)
    assert workspace.projects["shop"].sources_outside == ("bases/acme/api", "components/acme/greet")
    (root / "components/acme/greet/core.py").write_text("HELLO = 'hello'\n")
    affected = find_affected(workspace, build_graph(workspace), None)
    assert affected.projects == ("shop",) and affected.changed_projects == ("shop",)


def test_a_checkout_of_another_user_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Git treats a repository another user owns as no repository at all (safe.directory): a shared,
    # read-only checkout. The real refusal is in tests/integration/test_read_only.py.
    repo = build_repo(tmp_path / "shared", {"lib/a/pyproject.toml": pep621("a")})
    monkeypatch.setattr(changes, "is_work_tree", lambda root: False)
    monkeypatch.setattr(os, "geteuid", lambda: repo.stat().st_uid + 1)
    with pytest.raises(GitError) as raised:
        affected(repo / "lib")
    assert raised.value.message == f"git refuses to read {repo}: the repository belongs to another user"
    assert raised.value.hint == f"if you trust it, run: git config --global --add safe.directory {repo}"
