"""`add`: wire an internal library or a third-party package into a project, then relock what changed."""

from __future__ import annotations

import click

from mono.cli.context import Repo


@click.command("add")
@click.argument("library", metavar="LIB|PACKAGE[SPEC]")
@click.option("--to", "target", metavar="PROJECT", required=True, help="The project that gets it.")
@click.option("--group", "-G", metavar="GROUP", help="A third-party package: declare it in this Poetry group (dev).")
@click.option("--published", is_flag=True, help="Depend on LIB's published version (^VERSION) instead of its path.")
@click.option("--repository", "-r", "repository_name", default="internal", show_default=True,
              help="With --published: Poetry's name of the repository LIB is published to.")  # fmt: skip
@click.pass_obj
def add_command(repo: Repo, library: str, target: str, group: str | None, published: bool, repository_name: str) -> int:
    """Declare library LIB, or a third-party PACKAGE (requests, 'requests>=2.31'), in PROJECT's
    pyproject.toml (formatting kept), and relock PROJECT and the projects that use it.

    The libraries LIB uses are declared too, and so are all of them in the projects that use
    PROJECT (Poetry does not follow a library's own path dependencies; docs/layout.md).
    Refuses a dependency that would make a cycle, and one on a project that is not a library.
    A PACKAGE without a version gets ^NEWEST (>=NEWEST,<NEXT_MAJOR in [project]), as Poetry would.
    """
    from mono.cli.progress import say_waiting
    from mono.commands.add import add_library, add_published, add_requirement, is_internal

    workspace, graph = repo.load()
    if not is_internal(workspace, library):
        if published:
            raise click.UsageError("--published is for internal libraries")
        added = add_requirement(workspace, graph, library, target, group, say_waiting)
        relocked = f"relocked {', '.join(added.relocked)}" if added.relocked else "nothing to relock"
        click.echo(f"add: {added.project} now requires {added.written} (from the package index); {relocked}")
        return 0
    if group is not None:
        raise click.UsageError("--group is for third-party packages; an internal library goes into the main group")
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
