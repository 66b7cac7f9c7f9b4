"""`version`: bump an internal library's version; its users follow."""

from __future__ import annotations

import click

from mono.cli.context import Repo


@click.command("version")
@click.argument("library", metavar="LIB")
@click.argument("part", metavar="patch|minor|major|X.Y.Z")
@click.pass_obj
def version_command(repo: Repo, library: str, part: str) -> int:
    """Bump LIB's version; projects that use it by version get ^NEW, and its users are relocked."""
    from mono.cli.progress import say_waiting
    from mono.commands.version import bump_version

    workspace, graph = repo.load()
    bump = bump_version(workspace, graph, library, part, repo.cwd, say_waiting)
    click.echo(f"version: {bump.library} {bump.old} -> {bump.new}; relocked {', '.join(bump.relocked)}")
    if bump.waiting:
        click.echo(
            f"version: {', '.join(bump.waiting)} now require {bump.library} ^{bump.new}; "
            f"`./mono publish {bump.library}` relocks them"
        )
    return 0
