"""Git changes -> the projects that own them -> every project they affect."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from mono.errors import GitError
from mono.external.git import commit_of, git_output, is_work_tree, try_git
from mono.model.graph import Graph
from mono.model.paths import is_within
from mono.model.project import Workspace

DEFAULT_BASES = ("main", "origin/main")


@dataclass(frozen=True)
class Base:
    """The commit changes are measured from, and how it was chosen."""

    commit: str | None  # full commit id; None when the repository has no commit yet
    described: str  # e.g. "merge-base with main", "HEAD (no main branch)"


@dataclass(frozen=True)
class Affected:
    """What changed since a base commit and which projects that touches."""

    base: Base
    changed_files: tuple[str, ...]  # repo-relative
    changed_projects: tuple[str, ...]  # owners of changed files
    global_files: tuple[str, ...]  # changed files that affect every project
    projects: tuple[str, ...]  # changed projects plus their dependents, in dependency order


def resolve_base(root: Path, since: str | None) -> Base:
    """The commit to compare with: `since`, else the merge-base with main, else HEAD."""
    if not is_work_tree(root):
        foreign = _owned_by_another_user(root)
        if foreign is not None:
            raise GitError(
                f"git refuses to read {foreign}: the repository belongs to another user",
                f"if you trust it, run: git config --global --add safe.directory {foreign}",
            )
        raise GitError(
            f"{root} is not inside a git repository",
            "affected projects come from git history; name projects or use --all instead",
        )
    if since is not None:
        commit = commit_of(root, since)
        if commit is None:
            raise GitError(f"--since: no commit named '{since}' in this repository", "try a branch, a tag or HEAD~1")
        return Base(commit, since)
    head = commit_of(root, "HEAD")
    if head is None:
        return Base(None, "the empty repository (no commit yet)")
    for candidate in DEFAULT_BASES:
        if commit_of(root, candidate):
            merge_base = try_git(root, "merge-base", "HEAD", candidate)
            if merge_base:
                return Base(merge_base, f"merge-base with {candidate}")
    return Base(head, "HEAD, as there is no main or origin/main branch (use --since REF)")


def _owned_by_another_user(root: Path) -> Path | None:
    """The work tree holding `root` when it (or its .git) belongs to another user: git then acts
    as if there were no repository (its safe.directory rule), which a shared, read-only checkout
    often meets; None when there is no work tree or it is ours."""
    for folder in (root, *root.parents):
        marker = folder / ".git"
        if marker.exists():
            owners = {folder.stat().st_uid, marker.stat().st_uid}
            return folder if owners != {os.geteuid()} else None
    return None


def _split_nul(text: str) -> list[str]:
    return [part for part in text.split("\0") if part]


def changed_files(root: Path, base: Base) -> list[str]:
    """Files that differ between `base` and the working tree, untracked ones included.

    Paths are relative to `root` (which may be a sub-folder of the git work tree); a rename
    counts on both sides.
    """
    files: set[str] = set()
    if base.commit is None:
        files.update(_split_nul(git_output(root, "ls-files", "-z", "--cached")))
    else:
        fields = _split_nul(
            git_output(root, "diff", "--name-status", "-z", "-M", "--relative", "--no-ext-diff", base.commit)
        )
        index = 0
        while index < len(fields):
            status = fields[index]
            width = 2 if status[:1] in {"R", "C"} else 1
            files.update(fields[index + 1 : index + 1 + width])
            index += 1 + width
    files.update(_split_nul(git_output(root, "ls-files", "-z", "--others", "--exclude-standard")))
    return sorted(files)


def owner_of(path: str, projects_by_path: dict[str, str]) -> str | None:
    """The project owning repo-relative `path`: the deepest project folder that contains it."""
    parts = path.split("/")
    for depth in range(len(parts) - 1, 0, -1):
        owner = projects_by_path.get("/".join(parts[:depth]))
        if owner is not None:
            return owner
    return projects_by_path.get(".")


def is_global(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether a change to `path` affects every project."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def affected_by(workspace: Workspace, graph: Graph, files: list[str], base: Base) -> Affected:
    """The projects owning `files` plus all their transitive dependents."""
    by_path = {project.path: name for name, project in workspace.projects.items()}
    global_changes = tuple(path for path in files if is_global(path, workspace.config.global_files))
    owners = {owner for path in files if (owner := owner_of(path, by_path)) is not None}
    # A file of a brick that projects take their packages from (Polylith) changes each of them.
    owners |= {
        name
        for name, project in workspace.projects.items()
        for source in project.sources_outside
        if any(is_within(path, source) for path in files)
    }
    selected = set(workspace.projects) if global_changes else graph.with_dependents(owners)
    return Affected(
        base=base,
        changed_files=tuple(files),
        changed_projects=tuple(sorted(owners)),
        global_files=global_changes,
        projects=tuple(graph.order(selected)),
    )


def what_changed(root: Path, since: str | None) -> tuple[Base, list[str]]:
    """The base commit (`since`, or the default) and the files changed between it and the working tree."""
    base = resolve_base(root, since)
    return base, changed_files(root, base)


def find_affected(workspace: Workspace, graph: Graph, since: str | None) -> Affected:
    """Projects affected by what changed between `since` (or the default base) and the working tree."""
    base, files = what_changed(workspace.root, since)
    return affected_by(workspace, graph, files, base)
