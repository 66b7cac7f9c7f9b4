"""What every command shares: the repository root, the workspace, the selection options."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from mono.errors import MonoError
from mono.model.graph import Graph, build_graph
from mono.model.project import Workspace
from mono.repo.discovery import load_workspace
from mono.repo.selection import SelectionRequest, select

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Repo:
    """The repository a command acts on, loaded on demand."""

    root: Path
    cwd: Path

    def load(self) -> tuple[Workspace, Graph]:
        """Discover the projects and build the graph (raises on bad input)."""
        workspace = load_workspace(self.root)
        return workspace, build_graph(workspace)


def find_root(directory: str | None) -> Path:
    """The repository root: -C DIR, else the launcher's folder, else the nearest git work tree."""
    if directory is not None:
        root = Path(directory)
        if not root.is_dir():
            raise MonoError(f"-C {directory}: no such folder", "give the path of a repository's root folder")
        return root.resolve()
    launched_from = os.environ.get("MONO_ROOT")
    if launched_from and Path(launched_from).is_dir():
        return Path(launched_from).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def selection_options(function: F) -> F:
    """The options that choose projects, shared by lock, install and test."""
    decorators = [
        click.argument("targets", nargs=-1, metavar="[NAME|PATH]..."),
        click.option("--all", "all_", is_flag=True, help="Every project (the default when nothing is named)."),
        click.option("--affected", is_flag=True, help="Projects changed since --since, and their dependents."),
        click.option("--since", metavar="REF", help="Base for --affected (default: merge-base with main)."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def jobs_option(function: F) -> F:
    """-j/--jobs: the worker cap."""
    return click.option("-j", "--jobs", type=click.IntRange(min=1), help="Run at most N projects at once.")(function)


def request_from(targets: tuple[str, ...], all_: bool, affected: bool, since: str | None) -> SelectionRequest:
    """The selection the user asked for."""
    return SelectionRequest(targets=targets, all=all_, affected=affected, since=since)


def selected(repo: Repo, request: SelectionRequest) -> tuple[Workspace, Graph, list[str]]:
    """Load the repository and resolve the selection."""
    workspace, graph = repo.load()
    return workspace, graph, select(workspace, graph, request, repo.cwd)
