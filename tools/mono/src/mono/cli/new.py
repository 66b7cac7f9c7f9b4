"""`new`: a project from the repository's templates, locked, installed, tested (and built)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo
from mono.cli.work import say_waiting
from mono.errors import MonoError, WorkFailed

if TYPE_CHECKING:
    from mono.graph import Graph
    from mono.workspace import Workspace

KINDS = ("app", "eda", "eng", "model", "lib")


@click.command("new")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("target", metavar="[PROGRAM/]NAME")
@click.option("--lib", "libs", metavar="LIB", multiple=True, help="An internal library to depend on (repeatable).")
@click.option("--no-build", is_flag=True, help="Do not build the image(s) of a new app or model.")
@click.pass_obj
def new_command(repo: Repo, kind: str, target: str, libs: tuple[str, ...], no_build: bool) -> int:
    """Make a new project: app, eda, eng and model take PROGRAM/NAME, lib takes NAME.

    It is rendered from tools/templates/KIND, locked, installed and tested; a new app or model
    also builds its image(s). Nothing is overwritten; if a step fails, nothing is left behind.
    """
    from mono import scaffold, tasks
    from mono.graph import build_graph
    from mono.runner import log_path
    from mono.state import exclusive
    from mono.workspace import load_workspace

    workspace, graph = repo.load()
    request = scaffold.plan(workspace, graph, kind, target, libs)
    log = log_path(workspace.root, "new", request.name)

    def say(step: str) -> None:
        click.echo(f"new {request.name}: {step}")

    def finish_in_place() -> None:
        placed = load_workspace(workspace.root)
        placed_graph = build_graph(placed)
        tasks.install(placed, placed_graph, request.name, log)
        say("installed")
        outcome = tasks.test(placed, placed_graph, request.name, log, use_cache=False)
        if outcome.status != "passed":
            raise WorkFailed(f"the new project's tests did not pass ({outcome.status})", outcome.detail, log)
        say("tests passed")
        if kind in {"app", "model"} and not no_build:
            _build(placed, placed_graph, request.name, log, say)

    with exclusive(workspace.root, "mono new", say_waiting):
        folder = scaffold.create(workspace, request, log, finish_in_place, say)
    relative = folder.relative_to(workspace.root).as_posix()
    click.echo(f"created {relative}; next: ./mono {'run' if kind == 'app' else 'test'} {request.name}")
    if kind == "app" and (workspace.root / "infra/tf/gcp/variables.tf").is_file():
        # The infrastructure deploys every app; the tool's tests keep the two in step.
        click.echo(f'to deploy it: add "{request.name}" = {{}} to apps in infra/tf/gcp/variables.tf (docs/infra.md)')
    return 0


def _build(workspace: Workspace, graph: Graph, name: str, log: Path, say: Callable[[str], None]) -> None:
    """Build the new project's image(s); without an engine or base image, say so and go on."""
    from mono.build import BuildOptions, base_image_choice, build_image
    from mono.docker import ensure_base_image, require_engine

    settings = workspace.config.docker
    options = BuildOptions(base_image_choice(None, settings.base_image), settings.registry)
    try:
        require_engine(workspace.root)
        ensure_base_image(options.base_image, workspace.root, log)
    except MonoError as missing:
        say(f"image not built: {missing} (later: ./mono build {name})")
        return
    outcome = build_image(workspace, graph, name, options, log)
    say(f"built {outcome.detail}")
