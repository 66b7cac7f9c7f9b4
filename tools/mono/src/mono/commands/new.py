"""`mono new`: a project from the repository's templates, locked, installed, tested (and built)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.engine import scaffolding
from mono.engine.images import (
    BuildOptions,
    base_image_choice,
    build_image,
    image_labels,
    left_out_of_image,
    registry_choice,
)
from mono.engine.installing import install
from mono.engine.testing import run_suite
from mono.errors import MonoError, WorkFailed
from mono.external.docker import ensure_base_image, require_engine
from mono.model.graph import Graph, build_graph
from mono.model.kinds import Kind, rules
from mono.model.layout import log_path
from mono.model.project import Workspace
from mono.repo.discovery import load_workspace
from mono.repo.infra import APPS_FILE, add_app
from mono.repo.state import exclusive

Say = Callable[[str], None]
logger = logging.getLogger("mono")


@dataclass(frozen=True)
class Created:
    """A project `new` made."""

    name: str
    kind: Kind
    path: str  # repo-relative


def _build(workspace: Workspace, graph: Graph, name: str, log: Path, say: Say) -> None:
    """Build the new project's image(s); without an engine or base image, say so and go on."""
    settings = workspace.config.docker
    registry = registry_choice(settings.registry)
    options = BuildOptions(base_image_choice(None, settings.base_image), registry, labels=image_labels())
    try:
        require_engine(workspace.root)
        ensure_base_image(options.base_image, workspace.root, log)
    except MonoError as missing:
        say(f"image not built: {missing} (later: ./mono build {name})")
        return
    for left_out in left_out_of_image(workspace, workspace.projects[name]):  # of its libraries, say
        logger.warning("%s", left_out.warning())
    outcome = build_image(workspace, graph, name, options, log)
    say(f"built {outcome.detail}")


def _finish_in_place(root: Path, name: str, build_images: bool, log: Path, say: Say) -> None:
    placed = load_workspace(root)
    placed_graph = build_graph(placed)
    install(placed, placed_graph, name, log)
    say("installed")
    outcome = run_suite(placed, placed_graph, name, log, use_cache=False)
    if outcome.status != "passed":
        raise WorkFailed(f"the new project's tests did not pass ({outcome.status})", outcome.detail, log)
    say("tests passed")
    if build_images and rules(placed.projects[name].kind).buildable:
        _build(placed, placed_graph, name, log, say)


def new_project(
    workspace: Workspace,
    graph: Graph,
    kind: str,
    target: str,
    libs: Sequence[str],
    *,
    build_images: bool,
    say: Say,
    on_wait: Callable[[str], None],
) -> Created:
    """Render, lock, place, install and test a new project (and build it); undone on failure."""
    request = scaffolding.plan(workspace, graph, kind, target, libs)
    log = log_path(workspace.root, "new", request.name)

    def step(text: str) -> None:
        say(f"new {request.name}: {text}")

    def after_move() -> None:
        _finish_in_place(workspace.root, request.name, build_images, log, step)

    with exclusive(workspace.root, "mono new", on_wait):
        folder = scaffolding.create(workspace, request, log, after_move, step)
        if rules(request.kind).servable and add_app(workspace.root, request.name):
            step(f"added to the apps the infrastructure deploys ({APPS_FILE})")
    return Created(request.name, request.kind, folder.relative_to(workspace.root).as_posix())
