"""`outdated`: one table of the third-party packages the selected locks hold at less than the newest release."""

from __future__ import annotations

import click

from mono.cli.context import Repo, request_from, selected, selection_options


@click.command("outdated")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def outdated_command(
    repo: Repo, targets: tuple[str, ...], all_: bool, affected: bool, since: str | None, as_json: bool
) -> int:
    """List the packages some selected lock holds at less than the newest release: the version
    each project locks, the newest its constraints allow, the newest released (from the
    repository's package index). Writes nothing."""
    from mono.cli.render import columns, emit_json
    from mono.commands.outdated import outdated

    workspace, _graph, projects = selected(repo, request_from(targets, all_, affected, since))
    rows = outdated(workspace, projects)
    if as_json:
        emit_json([row.as_json() for row in rows])
        return 0
    if not rows:
        click.echo("outdated: every selected lock holds the newest release of each package")
        return 0
    table = []
    for row in rows:
        locked = ", ".join(f"{item.project} {item.version}" for item in row.locked)
        allowed = {item.allowed or "-" for item in row.locked}
        shown = allowed.pop() if len(allowed) == 1 else ", ".join(f"{i.project} {i.allowed or '-'}" for i in row.locked)
        table.append((row.package, locked, shown, row.released))
    click.echo(columns(table, ("package", "locked", "newest allowed", "newest released")))
    return 0
