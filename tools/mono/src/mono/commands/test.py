"""`mono test`: the test suites of the selected projects, passes cached by what the tests see."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mono.engine.freshness import suite_passed
from mono.engine.runner import Outcome, ProgressFactory, RunSummary, run_work
from mono.model.graph import Graph
from mono.model.project import Workspace


def run_tests(
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    *,
    use_cache: bool,
    workers: int | None,
    progress: ProgressFactory | None,
    on_wait: Callable[[str], None],
) -> RunSummary:
    """Run the suites of `projects` (installing first where needed), under the work lock."""

    def task(name: str, log: Path) -> Outcome:
        if use_cache and suite_passed(workspace, graph, name):
            return Outcome("cached")
        # Imported only when there is work: a warm no-op needs none of it (Poetry, uv, pytest).
        from mono.engine.testing import run_suite

        return run_suite(workspace, graph, name, log, use_cache=use_cache)

    return run_work("test", workspace, graph, projects, task, workers, progress, on_wait)
