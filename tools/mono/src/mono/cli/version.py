"""`version`: bump an internal library's version; its users follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo

if TYPE_CHECKING:
    from mono.commands.version import VersionBump


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
        click.echo(waiting_message(bump))
    return 0


def waiting_message(bump: VersionBump) -> str:
    """What the users by version now require, and what relocks them (one user, or several)."""
    verb, them = ("requires", "it") if len(bump.waiting) == 1 else ("require", "them")
    return (
        f"version: {', '.join(bump.waiting)} now {verb} {bump.library} ^{bump.new}; "
        f"`./mono publish {bump.library}` relocks {them}"
    )
