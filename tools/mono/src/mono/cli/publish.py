"""`publish`: an internal library on a package index."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo

if TYPE_CHECKING:
    from mono.engine.publishing import Published


def say_published(done: Published, repository: str) -> None:
    """One line: what was uploaded where, and what it requires."""
    requires = ", ".join(f"{dep}{spec}" for dep, spec in sorted(done.requires.items())) or "no internal libraries"
    click.echo(f"published {done.name} {done.version} to {repository!r}: {', '.join(done.files)} (requires {requires})")


@click.command("publish")
@click.argument("library", metavar="LIB")
@click.option("--repository", "-r", "repository_name", default="internal", show_default=True,
              help="Poetry's name of the repository to upload to.")  # fmt: skip
@click.pass_obj
def publish_command(repo: Repo, library: str, repository_name: str) -> int:
    """Build LIB (internal dependencies as version constraints) and upload it with Poetry.

    Only the files git tracks are built in (untracked ones are named in a warning). Refuses a
    version that the repository has already, and a library whose internal dependencies are not
    published there yet (it says which).
    """
    from mono.cli.progress import say_waiting
    from mono.commands.publish import publish_library

    workspace, graph = repo.load()
    result = publish_library(workspace, graph, library, repository_name, repo.cwd, say_waiting, say_published)
    done = result.published
    for user in result.relocked:
        click.echo(f"publish: relocked {user}, which uses {done.name} by version")
    return 0
