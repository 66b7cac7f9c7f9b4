"""`add`: wire an internal library into a project, then relock what changed."""

from __future__ import annotations

import click

from mono.cli.context import Repo


@click.command("add")
@click.argument("library", metavar="LIB")
@click.option("--to", "target", metavar="PROJECT", required=True, help="The project that gets the library.")
@click.option("--published", is_flag=True, help="Depend on LIB's published version (^VERSION) instead of its path.")
@click.option("--repository", "-r", "repository_name", default="internal", show_default=True,
              help="With --published: Poetry's name of the repository LIB is published to.")  # fmt: skip
@click.pass_obj
def add_command(repo: Repo, library: str, target: str, published: bool, repository_name: str) -> int:
    """Declare library LIB in PROJECT's pyproject.toml (both tables, formatting kept), and relock.

    The libraries LIB uses are declared too, and so are all of them in the projects that use
    PROJECT (Poetry does not follow a library's own path dependencies; docs/layout.md).
    Refuses a dependency that would make a cycle, and one on a project that is not a library.
    """
    from mono.cli.progress import say_waiting
    from mono.commands.add import add_library, add_published

    workspace, graph = repo.load()
    if published:
        done = add_published(workspace, graph, library, target, repository_name, say_waiting)
        uses = f"{done.library} {done.version} from {done.repository!r}"
        click.echo(f"add: {done.project} now uses {uses} (by version); relocked")
        return 0
    edits = add_library(workspace, graph, library, target, say_waiting)
    if not edits:
        click.echo(f"add: {target} declares {library} already; nothing to do")
    for edit in edits:
        click.echo(f"add: {edit.project} now declares {', '.join(edit.added)}; relocked")
    return 0
