"""`publish` and `version`: internal libraries on a package index."""

from __future__ import annotations

import click

from mono.cli.context import Repo
from mono.cli.work import say_waiting


@click.command("publish")
@click.argument("library", metavar="LIB")
@click.option("--repository", "-r", "repository_name", default="internal", show_default=True,
              help="Poetry's name of the repository to upload to.")  # fmt: skip
@click.pass_obj
def publish_command(repo: Repo, library: str, repository_name: str) -> int:
    """Build LIB (internal dependencies as version constraints) and upload it with Poetry.

    Refuses a version that the repository has already, and a library whose internal
    dependencies are not published there yet (it says which).
    """
    from mono.publish import publish, repository
    from mono.runner import log_path
    from mono.selection import SelectionRequest, select

    workspace, graph = repo.load()
    (name,) = select(workspace, graph, SelectionRequest(targets=(library,)), repo.cwd)
    index = repository(workspace.root, repository_name)
    done = publish(workspace, workspace.projects[name], index, log_path(workspace.root, "publish", name))
    requires = ", ".join(f"{dep}{spec}" for dep, spec in sorted(done.requires.items())) or "no internal libraries"
    click.echo(f"published {done.name} {done.version} to {index.name!r}: {', '.join(done.files)} (requires {requires})")
    # Projects that use it by version and whose lock is behind (after `mono version`) follow now.
    from mono import tasks
    from mono.state import exclusive

    users = [user for user, project in workspace.projects.items() if name in project.version_dependencies]
    with exclusive(workspace.root, "mono publish", say_waiting):
        for user in graph.order(users):
            outcome = tasks.lock(workspace, graph, user, log_path(workspace.root, "lock", user))
            if outcome.status == "ok":
                click.echo(f"publish: relocked {user}, which uses {name} by version")
    return 0


@click.command("version")
@click.argument("library", metavar="LIB")
@click.argument("part", metavar="patch|minor|major|X.Y.Z")
@click.pass_obj
def version_command(repo: Repo, library: str, part: str) -> int:
    """Bump LIB's version; projects that use it by version get ^NEW, and its users are relocked."""
    from mono import tasks
    from mono.errors import MonoError
    from mono.graph import build_graph
    from mono.publish import bumped, retarget, set_version
    from mono.runner import log_path
    from mono.selection import SelectionRequest, select
    from mono.state import all_or_nothing, exclusive
    from mono.workspace import load_workspace

    workspace, graph = repo.load()
    (name,) = select(workspace, graph, SelectionRequest(targets=(library,)), repo.cwd)
    project = workspace.projects[name]
    if project.kind != "lib" or not project.version:
        raise MonoError(f"{name} is not a library with a version: only libraries are versioned and published")
    new = bumped(project.version, part)
    users = sorted(graph.dependents()[name])
    edits = {project.directory(workspace.root) / "pyproject.toml": None}
    for user in users:
        if name in workspace.projects[user].version_dependencies:
            edits[workspace.projects[user].directory(workspace.root) / "pyproject.toml"] = None
    touched = {
        project_name: workspace.projects[project_name].directory(workspace.root) for project_name in [name, *users]
    }
    by_path = [user for user in users if name not in workspace.projects[user].version_dependencies]
    with exclusive(workspace.root, "mono version", say_waiting), all_or_nothing(workspace.root, touched):
        for path in edits:
            text = path.read_text(encoding="utf-8")
            own = path.parent == project.directory(workspace.root)
            path.write_text(set_version(text, new) if own else retarget(text, name, new), encoding="utf-8")
        changed_workspace = load_workspace(workspace.root)
        changed_graph = build_graph(changed_workspace)
        # Users by path follow at once; users by version once the new version is published.
        for user in changed_graph.order([name, *by_path]):
            tasks.lock(changed_workspace, changed_graph, user, log_path(workspace.root, "lock", user))
    click.echo(f"version: {name} {project.version} -> {new}; relocked {', '.join([name, *by_path])}")
    waiting = [user for user in users if user not in by_path]
    if waiting:
        click.echo(f"version: {', '.join(waiting)} now require {name} ^{new}; `./mono publish {name}` relocks them")
    return 0
