"""`new`: a project from the repository's templates, locked, installed, tested (and built)."""

from __future__ import annotations

import click

from mono.cli.context import Repo

KINDS = ("app", "eda", "eng", "model", "lib")  # mono.engine.scaffolding.NEW_KINDS; kept here for a fast --help


@click.command("new")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("target", metavar="[PROGRAM/]NAME")
@click.option("--lib", "libs", metavar="LIB", multiple=True, help="An internal library to depend on (repeatable).")
@click.option("--no-build", is_flag=True, help="Do not build the image(s) of a new app or model.")
@click.pass_obj
def new_command(repo: Repo, kind: str, target: str, libs: tuple[str, ...], no_build: bool) -> int:
    """Make a new project: app, eda, eng and model take PROGRAM/NAME, lib takes NAME.

    It is rendered from tools/templates/KIND, locked, marked for git (git add -N: tracked, as
    images carry only tracked files, but not staged), installed and tested; a new app or model
    also builds its image(s). Nothing is overwritten; if a step fails, nothing is left behind.
    """
    from mono.cli.progress import say_waiting
    from mono.commands.new import new_project
    from mono.model.kinds import rules

    workspace, graph = repo.load()
    created = new_project(
        workspace, graph, kind, target, libs, build_images=not no_build, say=click.echo, on_wait=say_waiting
    )
    servable = rules(created.kind).servable
    click.echo(f"created {created.path}; next: ./mono {'run' if servable else 'test'} {created.name}")
    return 0
