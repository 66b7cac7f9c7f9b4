"""Copier: rendering a template into a folder (in this process), updating a project from it (its
command line), and what git says about the template's commit and files.

Copier records the template's commit in a project's answers file (`_commit`), and `copier
update` later renders the template at that commit again to tell the project's own changes from
the template's. Given a template whose git work tree has any uncommitted change and no
`vcs_ref`, copier renders a throwaway commit of that work tree and records its id, which exists
nowhere else: so the callers here pass the commit they mean.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mono.external.git import commit_of, try_git
from mono.external.proc import child_environment, run, tool_executable


@dataclass(frozen=True)
class FileStatus:
    """One path `git status` lists: its two-letter code (` M`, `??`, `UU`, ...) and repo-relative path."""

    code: str
    path: str

    @property
    def conflicted(self) -> bool:
        """True for a file with unresolved merge conflicts (copier's inline conflict markers)."""
        return "U" in self.code or self.code in {"AA", "DD"}


def status_of(root: Path, paths: Sequence[str]) -> tuple[FileStatus, ...]:
    """What `git status` lists below `paths` (repo-relative), untracked files one by one, ignored
    ones not; () outside a git work tree."""
    listed = run(
        ["git", "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--", *paths],
        cwd=root, env=child_environment(), log=None, check=False, stderr="discarded",
    )  # fmt: skip
    if listed.returncode != 0:
        return ()
    # -z: "XY PATH" entries, paths as they are (no quoting of spaces or non-ASCII names).
    return tuple(FileStatus(entry[:2], entry[3:]) for entry in listed.output.split("\0") if len(entry) > 3)


@dataclass(frozen=True)
class TemplateState:
    """The commit a rendering of the repository's templates can honestly record."""

    commit: str | None  # HEAD's full id; None outside git or before the first commit
    described: str | None  # HEAD as copier records a commit (`git describe --tags --always`)
    uncommitted: tuple[str, ...]  # template files whose changes HEAD does not hold


def template_state(root: Path, paths: Sequence[str]) -> TemplateState:
    """HEAD of the repository at `root` and which of the template `paths` differ from it."""
    commit = commit_of(root, "HEAD")
    if commit is None:
        return TemplateState(None, None, ())
    described = try_git(root, "describe", "--tags", "--always", commit) or commit[:7]
    uncommitted = tuple(dict.fromkeys(found.path for found in status_of(root, paths)))
    return TemplateState(commit, described, uncommitted)


def render(template_root: Path, destination: Path, answers: dict[str, Any], log: Path, vcs_ref: str | None) -> None:
    """Render the copier template at `template_root` into `destination` (new) with `answers`:
    the template as commit `vcs_ref` holds it, or (None) as its work tree is."""
    from copier import run_copy  # slow to import; only `new` needs it

    # copier prints notes ("No git tags found in template") and warns that a dirty template is
    # used as it is: both go to the log, not to the user.
    with log.open("a", encoding="utf-8") as sink, contextlib.redirect_stderr(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_copy(
            str(template_root),
            str(destination),
            data=answers,
            defaults=True,
            overwrite=False,
            quiet=True,
            unsafe=False,
            vcs_ref=vcs_ref,
        )


def update(project: Path, answers_file: str, vcs_ref: str, log: Path) -> None:
    """`copier update` of the project in `project` to the template at commit `vcs_ref`.

    Run in the project's folder, where the relative `_src_path` of its answers file leads to
    the template; every question keeps its recorded answer (--defaults, --skip-answered), and a
    change of the template that meets one of the project's own is left as inline conflict
    markers for the user to resolve. A failure raises CommandFailed with the tail of `log`.
    """
    command = [
        tool_executable("copier"), "update", "--defaults", "--skip-answered", "--conflict", "inline",
        "--answers-file", answers_file, "--vcs-ref", vcs_ref, ".",
    ]  # fmt: skip
    run(command, cwd=project, env=child_environment(), log=log)
