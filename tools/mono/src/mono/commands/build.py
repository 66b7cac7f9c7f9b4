"""`mono build`: Docker images of the selected apps and models."""

from __future__ import annotations

import logging
from pathlib import Path

from mono.engine.images import (
    BuildOptions,
    base_image_choice,
    build_image,
    check_buildable,
    check_fixed_bases,
    check_tag,
    image_labels,
    left_out_of_image,
    needs_base_image,
    registry_choice,
)
from mono.engine.runner import Outcome, ProgressFactory, RunSummary, run_work
from mono.errors import MonoError
from mono.external.docker import ensure_base_image, require_engine
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.layout import log_path
from mono.model.project import Workspace
from mono.repo.files import LeftOut
from mono.repo.lockfile import lock_without_markers, old_lock_format
from mono.repo.selection import SelectionRequest, select

logger = logging.getLogger("mono")


def buildable_selection(workspace: Workspace, graph: Graph, request: SelectionRequest, cwd: Path) -> list[str]:
    """The projects to build: each one named (which must be buildable), and the apps and models
    among --all/--affected."""
    chosen = select(workspace, graph, request, cwd)
    named = set(select(workspace, graph, SelectionRequest(targets=request.targets), cwd)) if request.targets else set()
    for name in named:
        check_buildable(workspace, workspace.projects[name])
    projects = [name for name in chosen if name in named or rules(workspace.projects[name].kind).buildable]
    for name in projects:
        check_buildable(workspace, workspace.projects[name])
    return projects


def build_options(
    workspace: Workspace, base_image: str | None, tags: tuple[str, ...], push: bool, labels: tuple[str, ...] = ()
) -> BuildOptions:
    """The options every image of one build shares; bad tags or labels and --push without a
    registry raise."""
    settings = workspace.config.docker
    registry = registry_choice(settings.registry)
    if push and not registry:
        raise MonoError("--push needs a registry", 'set registry in [tool.mono.docker], e.g. registry = "ghcr.io/acme"')
    return BuildOptions(
        base_image=base_image_choice(base_image, settings.base_image),
        registry=registry,
        extra_tags=tuple(check_tag(tag) for tag in tags),
        push=push,
        labels=image_labels(labels),
    )


def _check_inputs(workspace: Workspace, projects: list[str]) -> None:
    """The Dockerfiles' own bases (one that is missing stops the build; the base image is checked
    only after, as a build that does not use it must not be refused for want of it), locks too
    old to export whole, and the untracked files that stay out."""
    for name in projects:
        for image in check_fixed_bases(workspace, workspace.projects[name], workspace.root):
            logger.warning("%s's Dockerfile starts a stage FROM %s: --base-image does not choose that one", name, image)
        old = lock_without_markers(workspace.folder(name) / "poetry.lock")
        if old:
            logger.warning("%s, out of its image", old_lock_format(name, old))
    warn_left_out(workspace, projects)


def warn_left_out(workspace: Workspace, projects: list[str]) -> None:
    """One warning per project (or the repository) whose untracked files stay out of these images."""
    said: set[LeftOut] = set()
    for name in projects:
        for left_out in left_out_of_image(workspace, workspace.projects[name]):
            if left_out not in said:  # a library several images use is said once
                said.add(left_out)
                logger.warning("%s", left_out.warning())


def build(
    workspace: Workspace,
    graph: Graph,
    projects: list[str],
    options: BuildOptions,
    workers: int | None,
    progress: ProgressFactory | None,
) -> RunSummary:
    """Build the images of `projects`; the engine and the base image must be there first."""
    require_engine(workspace.root)
    _check_inputs(workspace, projects)
    if any(needs_base_image(workspace, workspace.projects[name]) for name in projects):
        ensure_base_image(options.base_image, workspace.root, log_path(workspace.root, "build", "base-image"))

    def task(name: str, log: Path) -> Outcome:
        return build_image(workspace, graph, name, options, log)

    # Builds write no venv and no project state (only caches, atomically), so they run beside
    # other commands without the work lock: tools/build/build.sh inside `./mono test` must not wait.
    return run_work("build", workspace, graph, projects, task, workers, progress)
