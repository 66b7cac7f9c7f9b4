"""`mono affected`: the projects a change touches, and everything that depends on them."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mono.model.graph import Graph
from mono.model.project import Workspace
from mono.repo.changes import Affected, affected_by, what_changed


def affected(root: Path, load: Callable[[], tuple[Workspace, Graph]], since: str | None) -> tuple[Workspace, Affected]:
    """The repository's projects (from `load`), what changed since `since` (default: the
    merge-base with main), and which projects that affects."""
    # git compares the working tree (a walk of every folder) in processes of its own while this
    # one discovers the projects: on a large repository each takes a few hundred milliseconds.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mono-git") as pool:
        changes = pool.submit(what_changed, root, since)
        workspace, graph = load()  # its errors first, as they say more than git's would
        base, files = changes.result()
    return workspace, affected_by(workspace, graph, files, base)
