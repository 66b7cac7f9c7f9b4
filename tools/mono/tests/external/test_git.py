"""Git's answers are its stdout; without git, nothing is guessed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mono.engine.images import git_tag
from mono.errors import GitError, MonoError
from mono.repo.changes import resolve_base
from mono.repo.files import copy_project_files
from tests.helpers import git


def test_a_warning_of_git_never_becomes_part_of_a_tag(repo: Path) -> None:
    # A branch named HEAD makes git warn "refname 'HEAD' is ambiguous" on stderr.
    git(repo, "update-ref", "refs/heads/HEAD", git(repo, "rev-parse", "HEAD").strip())
    tag = git_tag(repo)
    assert tag is not None and re.fullmatch(r"git-[0-9a-f]{12}", tag), tag


def test_without_git_files_are_not_copied_blindly(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "lib/core/.gitignore").write_text(".env\n")
    (repo / "lib/core/.env").write_text("TOKEN=secret\n")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(MonoError, match="cannot run 'git'"):
        copy_project_files(repo / "lib/core", tmp_path / "copy")
    assert not (tmp_path / "copy/.env").exists()


def test_affected_without_git_says_so(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(GitError, match="git is not installed"):
        resolve_base(repo, None)
