"""Git: the repository's history and what it keeps, through proc.run like every program."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class FolderFiles:
    """The files below a folder as git sees them, relative to it."""

    tracked: tuple[str, ...]  # in the index: committed, staged, or marked with `git add -N`
    untracked: tuple[str, ...]  # new and not ignored (ignored ones are in neither)


def folder_files(folder: Path) -> FolderFiles | None:
    """The tracked and the untracked (not ignored) files below `folder`; None outside a git work
    tree. Without git this raises: copying everything would ship ignored files (a `.env`)."""
    # One call: `-t` tags each entry, "?" for an untracked one (H, S or M for what the index has).
    listed = run(
        ["git", "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "."],
        cwd=folder, env=child_environment(), log=None, check=False, stderr="discarded",
    )  # fmt: skip
    if listed.returncode != 0:
        return None
    entries = [entry for entry in listed.output.split("\0") if len(entry) > 2]
    # dict.fromkeys: an unmerged file is listed once per stage.
    tracked = dict.fromkeys(entry[2:] for entry in entries if entry[0] != "?")
    untracked = dict.fromkeys(entry[2:] for entry in entries if entry[0] == "?")
    return FolderFiles(tuple(tracked), tuple(untracked))


def intend_to_add(root: Path, folder: str) -> tuple[str, ...]:
    """Mark the files below repo-relative `folder` that git neither tracks nor ignores as to be
    added (`git add --intent-to-add`): tracked from now on, though staged for no commit. The
    repo-relative paths it marked; none outside a git work tree. GitError when git refuses."""
    listed = run(
        ["git", "--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard", "--", folder],
        cwd=root, env=child_environment(), log=None, check=False, stderr="discarded",
    )  # fmt: skip
    new = tuple(path for path in listed.output.split("\0") if path) if listed.returncode == 0 else ()
    if new:
        added = run(["git", "--literal-pathspecs", "add", "--intent-to-add", "--", *new], cwd=root, check=False)
        if added.returncode != 0:
            raise GitError(f"git add --intent-to-add {folder} failed: {added.tail(3).strip()}")
    return new


def forget_intent(root: Path, paths: tuple[str, ...]) -> None:
    """Take `paths` out of the index again (`git rm --cached`), their files (if any) left alone;
    what fails to go stays, as undoing must not stop the undo of the rest."""
    if paths:
        run(
            ["git", "--literal-pathspecs", "rm", "--cached", "--quiet", "--ignore-unmatch", "--", *paths],
            cwd=root, env=child_environment(), log=None, check=False,
        )  # fmt: skip
