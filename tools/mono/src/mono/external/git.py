"""Git: the repository's history and what it keeps, through proc.run like every program."""

from __future__ import annotations

from pathlib import Path

from mono.errors import CommandFailed, GitError, Interrupted, MonoError
from mono.external.proc import child_environment, run


def git_output(root: Path, *args: str) -> str:
    """What `git ARGS` prints in `root`; any failure raises GitError (one line)."""
    try:
        return run(["git", *args], cwd=root).output
    except CommandFailed as error:
        raise GitError(f"git {' '.join(args)} failed in {root}: {error.tail.strip()}") from error
    except MonoError as error:
        raise GitError("git is not installed", "install git to use --affected") from error


def _answer(root: Path, *args: str) -> str | None:
    """What `git ARGS` prints on stdout (stripped), or None when it fails; git missing raises."""
    result = run(["git", *args], cwd=root, check=False, stderr="discarded")
    return result.output.strip() if result.returncode == 0 else None


def try_git(root: Path, *args: str) -> str | None:
    """What `git ARGS` prints on stdout (stripped), or None when git is missing or the command fails."""
    try:
        return _answer(root, *args)
    except Interrupted:
        raise
    except MonoError:
        return None


def is_work_tree(root: Path) -> bool:
    """True when `root` is inside a git work tree; GitError when git is not installed."""
    if not root.is_dir():
        return False
    try:
        return _answer(root, "rev-parse", "--is-inside-work-tree") == "true"
    except Interrupted:
        raise
    except MonoError as error:
        raise GitError("git is not installed", "install git to use --affected") from error


def commit_of(root: Path, ref: str) -> str | None:
    """The full commit id `ref` names, or None when it names no commit."""
    return try_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def kept_files(folder: Path) -> list[str] | None:
    """The files below `folder` git would keep (tracked, or new and not ignored), relative to it;
    None outside a git work tree. Without git this raises: copying everything would ship ignored
    files (a `.env`)."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "."],
        cwd=folder, env=child_environment(), log=None, check=False, stderr="discarded",
    )  # fmt: skip
    if listed.returncode != 0:
        return None
    return [path for path in listed.output.split("\0") if path]
