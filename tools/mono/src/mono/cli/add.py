"""`add`: wire an internal library into a project, then relock what changed."""

from __future__ import annotations

import click

from mono.cli.context import Repo
from mono.cli.work import say_waiting


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
    from mono import tasks
    from mono.graph import build_graph
    from mono.runner import log_path
    from mono.state import all_or_nothing, exclusive
    from mono.wiring import plan_add
    from mono.workspace import load_workspace

    workspace, graph = repo.load()
    if published:
        return _add_published(repo, library, target, repository_name)
    edits = plan_add(workspace, graph, library, target)
    if not edits:
        click.echo(f"add: {target} declares {library} already; nothing to do")
        return 0
    touched = {edit.project: edit.path.parent for edit in edits}
    with exclusive(workspace.root, "mono add", say_waiting), all_or_nothing(workspace.root, touched):
        for edit in edits:
            edit.path.write_text(edit.text, encoding="utf-8")
        changed = load_workspace(workspace.root)
        changed_graph = build_graph(changed)
        for name in changed_graph.order(edit.project for edit in edits):
            tasks.lock(changed, changed_graph, name, log_path(workspace.root, "lock", name))
    for edit in edits:
        click.echo(f"add: {edit.project} now declares {', '.join(edit.added)}; relocked")
    return 0


def _add_published(repo: Repo, library: str, target: str, repository_name: str) -> int:
    """Declare LIB by version from the repository (no path), then relock PROJECT."""
    from mono import tasks
    from mono.errors import MonoError
    from mono.graph import build_graph
    from mono.publish import is_published, published_versions, repository
    from mono.runner import log_path
    from mono.state import all_or_nothing, exclusive
    from mono.wiring import declare_published, plan_add
    from mono.workspace import load_workspace, normalize_name

    workspace, graph = repo.load()
    plan_add(workspace, graph, library, target)  # the same refusals: unknown, not a library, a cycle
    lib = workspace.projects[normalize_name(library)]
    project = workspace.projects[normalize_name(target)]
    index = repository(workspace.root, repository_name)
    version = lib.version or ""
    if not is_published(version, published_versions(index, lib.name)):
        raise MonoError(f"{lib.name} {version} is not published on {index.name!r}", f"./mono publish {lib.name}")
    pyproject = project.directory(workspace.root) / "pyproject.toml"
    touched = {project.name: pyproject.parent}
    with exclusive(workspace.root, "mono add", say_waiting), all_or_nothing(workspace.root, touched):
        text = declare_published(pyproject.read_text(encoding="utf-8"), lib.name, version, index.name, index.simple_url)
        pyproject.write_text(text, encoding="utf-8")
        changed = load_workspace(workspace.root)
        tasks.lock(changed, build_graph(changed), project.name, log_path(workspace.root, "lock", project.name))
    click.echo(f"add: {project.name} now uses {lib.name} {version} from {index.name!r} (by version); relocked")
    return 0
