"""`add`: wire an internal library into a project, then relock what changed."""

from __future__ import annotations

import click

from mono.cli.context import Repo
from mono.cli.work import say_waiting


@click.command("add")
@click.argument("library", metavar="LIB")
@click.option("--to", "target", metavar="PROJECT", required=True, help="The project that gets the library.")
@click.pass_obj
def add_command(repo: Repo, library: str, target: str) -> int:
    """Declare library LIB in PROJECT's pyproject.toml (both tables, formatting kept), and relock.

    The libraries LIB uses are declared too, and so are all of them in the projects that use
    PROJECT (Poetry does not follow a library's own path dependencies; docs/layout.md).
    Refuses a dependency that would make a cycle, and one on a project that is not a library.
    """
    from mono import tasks
    from mono.graph import build_graph
    from mono.runner import log_path
    from mono.state import exclusive
    from mono.wiring import plan_add
    from mono.workspace import load_workspace

    workspace, graph = repo.load()
    edits = plan_add(workspace, graph, library, target)
    if not edits:
        click.echo(f"add: {target} declares {library} already; nothing to do")
        return 0
    with exclusive(workspace.root, "mono add", say_waiting):
        originals = {edit.path: edit.path.read_text(encoding="utf-8") for edit in edits}
        try:
            for edit in edits:
                edit.path.write_text(edit.text, encoding="utf-8")
            changed = load_workspace(workspace.root)
            changed_graph = build_graph(changed)
            for name in changed_graph.order(edit.project for edit in edits):
                tasks.lock(changed, changed_graph, name, log_path(workspace.root, "lock", name))
        except BaseException:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
            raise
    for edit in edits:
        click.echo(f"add: {edit.project} now declares {', '.join(edit.added)}; relocked")
    return 0
