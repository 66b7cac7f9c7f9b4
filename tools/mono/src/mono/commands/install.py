"""`mono install`: make each selected project's .venv match its lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mono.engine.freshness import install_state
from mono.engine.runner import Outcome, ProgressFactory, RunSummary, run_work
from mono.model.graph import Graph
from mono.model.project import Workspace


def install_projects(
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    *,
    workers: int | None,
    progress: ProgressFactory | None,
    on_wait: Callable[[str], None],
) -> RunSummary:
    """Install `projects` whose venv is missing or behind their inputs, under the work lock."""

    def task(name: str, log: Path) -> Outcome:
        if install_state(workspace, graph, name) == "up to date":
            return Outcome("up to date")
        # Imported only when there is work: a warm no-op needs none of it (Poetry, uv, builds).
        from mono.engine.installing import install_if_needed

        return install_if_needed(workspace, graph, name, log)

    return run_work("install", workspace, graph, projects, task, workers, progress, on_wait)
