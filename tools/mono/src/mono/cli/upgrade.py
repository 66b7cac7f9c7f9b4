"""`upgrade`: one third-party package at one version in every selected lock that holds it."""

from __future__ import annotations

import click

from mono.cli.context import Repo, request_from, selected, selection_options


@click.command("upgrade")
@click.argument("package", metavar="PACKAGE")
@selection_options
@click.option("--to", "version", metavar="VERSION", help="Move to this version (default: the newest release).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def upgrade_command(
    repo: Repo,
    package: str,
    targets: tuple[str, ...],
    all_: bool,
    affected: bool,
    since: str | None,
    version: str | None,
    as_json: bool,
) -> int:
    """Move PACKAGE to one version (the newest release, or --to VERSION) in every selected project
    whose poetry.lock holds it, relocking only those, all or nothing.

    A project whose constraints leave the version out is reported with the constraint and left
    as it is; with --to the upgrade is refused instead. pyproject.toml files are not changed.
    """
    from mono.cli.progress import say_waiting
    from mono.cli.render import columns, emit_json
    from mono.commands import upgrade as command

    workspace, graph, projects = selected(repo, request_from(targets, all_, affected, since))
    plan = command.plan_upgrade(workspace, projects, package, version)
    relocked = command.upgrade(workspace, graph, plan, say_waiting)
    if as_json:
        emit_json(command.as_json(plan, relocked))
        return 0
    rows = [(move.project, f"{move.locked} -> {plan.version}") for move in plan.moves]
    rows += [(name, f"{plan.version} already") for name in plan.current]
    rows += [(item.project, f"{item.locked}: blocked by {item.where}: {item.constraint!r}") for item in plan.blocked]
    click.echo(columns(rows, ("project", plan.package)))
    moved = f"relocked {', '.join(relocked)}" if relocked else "nothing to relock"
    blocked = sorted({item.project for item in plan.blocked})
    left = f"; {', '.join(blocked)} left as {'it is' if len(blocked) == 1 else 'they are'}" if blocked else ""
    click.echo(f"\nupgrade: {plan.package} {plan.version}: {moved}{left}")
    return 0
