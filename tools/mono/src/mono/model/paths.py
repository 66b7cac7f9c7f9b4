"""Repo-relative paths: the one way a path written in a project becomes a path of the repository."""

from __future__ import annotations

import posixpath


def join(project_path: str, written: str) -> str:
    """`written` (relative to the project at `project_path`, '.' for the root) as a normalised
    repo-relative path with forward slashes; it starts with '..' when it leaves the repository."""
    base = "" if project_path == "." else project_path
    return posixpath.normpath(posixpath.join(base, written.replace("\\", "/")))


def leaves_repository(path: str) -> bool:
    """True when a repo-relative path (from `join`) points outside the repository."""
    return path == ".." or path.startswith("../") or posixpath.isabs(path)


def is_within(path: str, folder: str) -> bool:
    """True when repo-relative `path` is `folder` or lies below it ('.' holds everything)."""
    return folder == "." or path == folder or path.startswith(folder + "/")
