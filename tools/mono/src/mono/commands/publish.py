"""`mono publish LIB`: build and upload an internal library, then relock who uses it by version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mono.engine.publishing import Published, publish, repository
from mono.engine.transaction import edit_and_relock
from mono.model.graph import Graph
from mono.model.layout import log_path
from mono.model.project import Workspace
from mono.repo.files import LeftOut, shipped_files
from mono.repo.selection import SelectionRequest, select

logger = logging.getLogger("mono")


@dataclass(frozen=True)
class PublishResult:
    """What was uploaded, where, and which projects that use it by version were relocked."""

    published: Published
    repository: str
    relocked: tuple[str, ...]


def publish_library(
    workspace: Workspace,
    graph: Graph,
    library: str,
    repository_name: str,
    cwd: Path,
    on_wait: Callable[[str], None],
    on_published: Callable[[Published, str], None],
) -> PublishResult:
    """Upload LIB (refusing a version that is there, or internal dependencies that are not), then
    relock the projects that use it by version and whose lock is behind (after `mono version`)."""
    (name,) = select(workspace, graph, SelectionRequest(targets=(library,)), cwd)
    index = repository(workspace.root, repository_name)
    left_out = shipped_files(workspace.folder(name)).left_out
    if left_out:
        logger.warning("%s", LeftOut(name, left_out).warning())
    done = publish(workspace, workspace.projects[name], index, log_path(workspace.root, "publish", name))
    on_published(done, index.name)  # said before the relocks: the upload is done even if one fails
    users = [user for user, project in workspace.projects.items() if name in project.version_dependencies]
    relocked = edit_and_relock(workspace.root, "mono publish", on_wait, dict, {}, lambda _w, _g: users)
    changed = tuple(user for user, outcome in relocked.outcomes.items() if outcome.status == "ok")
    return PublishResult(done, index.name, changed)
