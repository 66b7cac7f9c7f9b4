"""`mono lock`: relock the selected projects whose dependencies changed, or only check them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mono.engine.locking import LockBatch, check_lock
from mono.engine.runner import Outcome, ProgressFactory, RunSummary, run_work
from mono.model.graph import Graph
from mono.model.project import Workspace


def lock_projects(
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    *,
    check: bool,
    force: bool,
    workers: int | None,
    progress: ProgressFactory | None,
    on_wait: Callable[[str], None],
) -> RunSummary:
    """Lock `projects` in dependency order (`force`: even fresh ones); `check`: change nothing,
    fail each lock that is missing or stale, writing nothing in the repository. Only locking
    takes the work lock; the stale locks are all made by one Poetry process (LockBatch)."""
    batch = LockBatch(workspace, graph, projects, force=force)

    def task(name: str, log: Path) -> Outcome:
        if check:
            return check_lock(workspace, graph, name, log)
        return batch.lock(name, log)

    return run_work("lock", workspace, graph, projects, task, workers, progress, on_wait, read_only=check)
