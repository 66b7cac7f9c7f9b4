"""Edit pyproject files, reload, relock in dependency order, or put everything back.

`add`, `version` and `publish` change several projects at once; their edits and relocks land
together or not at all, under the work lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mono.engine.locking import lock
from mono.engine.runner import Outcome
from mono.model.graph import Graph, build_graph
from mono.model.layout import log_path
from mono.model.project import Workspace
from mono.repo.discovery import load_workspace
from mono.repo.state import exclusive, forget, put_back, saved_for_undo

_GUARDED = ("pyproject.toml", "poetry.lock")


@contextlib.contextmanager
def all_or_nothing(root: Path, projects: Mapping[str, Path]) -> Iterator[None]:
    """Put each project's pyproject.toml and poetry.lock back as they were (and forget their
    lock records) when the block fails or is interrupted."""
    guarded = [folder / name for folder in projects.values() for name in _GUARDED]
    with saved_for_undo(root, guarded) as saved:
        try:
            yield
        except BaseException:
            put_back(saved)
            for project in projects:
                forget(root, project, ("locked",))
            raise


@dataclass(frozen=True)
class Relocked:
    """The repository after a transaction, and how each relock ended."""

    workspace: Workspace
    graph: Graph
    outcomes: dict[str, Outcome]


def edit_and_relock(
    root: Path,
    purpose: str,
    on_wait: Callable[[str], None],
    edits: Callable[[], Mapping[Path, str]],
    touched: Mapping[str, Path],
    to_relock: Callable[[Workspace, Graph], Iterable[str]],
) -> Relocked:
    """Under the work lock: make the `edits` (path -> new text, computed from the files as they
    are once the lock is held), reload the repository, relock the projects `to_relock` picks in
    dependency order; if anything fails, the pyproject.toml and poetry.lock of every `touched`
    project (name -> folder) are put back."""
    with exclusive(root, purpose, on_wait), all_or_nothing(root, touched):
        for path, text in edits().items():
            path.write_text(text, encoding="utf-8")
        workspace = load_workspace(root)
        graph = build_graph(workspace)
        outcomes = {
            name: lock(workspace, graph, name, log_path(root, "lock", name))
            for name in graph.order(to_relock(workspace, graph))
        }
    return Relocked(workspace, graph, outcomes)
