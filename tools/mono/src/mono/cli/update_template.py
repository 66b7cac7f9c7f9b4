"""`update-template`: roll the templates' committed changes into the projects `new` made."""

from __future__ import annotations

import click

from mono.cli.context import Repo, request_from, selected
from mono.errors import MonoError


@click.command("update-template")
@click.argument("targets", nargs=-1, metavar="[NAME|PATH]...")
@click.option("--all", "all_", is_flag=True, help="Every project (nothing is updated unless named or --all).")
@click.option("--affected", is_flag=True, help="Projects changed since --since, and their dependents.")
@click.option("--since", metavar="REF", help="Base for --affected (default: merge-base with main).")
@click.pass_obj
def update_template_command(repo: Repo, targets: tuple[str, ...], all_: bool, affected: bool, since: str | None) -> int:
    """Update projects made by `new` to the templates HEAD holds (copier update, in each).

    The project keeps its own changes; where the template's meet them, conflict markers are
    left to resolve (exit 1). Projects must have no uncommitted changes; review the update with
    git diff, then commit it.
    """
    from mono.cli.progress import say_waiting
    from mono.commands.update_template import update_templates

    request = request_from(targets, all_, affected, since)
    if request.is_empty:
        raise MonoError("name the projects to update", "./mono update-template NAME ..., or --all")
    workspace, _, projects = selected(repo, request)
    results = update_templates(workspace, projects, say_waiting)
    plain = [result.name for result in results if result.status == "not template-made"]
    waiting = [result.name for result in results if result.status == "not updated"]
    for result in results:
        if result.status == "up to date":
            click.echo(f"update-template: {result.name}: up to date (no template change since {result.old})")
        elif result.status in {"updated", "conflicts"}:
            changed = ", ".join(result.changed) or "only its answers file"
            click.echo(f"update-template: {result.name}: {result.old} -> {result.new}: {changed}")
            if result.conflicted:
                click.echo(
                    f"update-template: {result.name}: conflicts in {', '.join(result.conflicted)}: "
                    "resolve the <<<<<<< markers"
                )
    if waiting:
        click.echo(
            f"update-template: not updated yet: {', '.join(waiting)} (git's index holds the conflicts above, "
            "and copier cannot work with them: resolve them, commit, then run again)"
        )
    if plain:
        click.echo(f"update-template: not template-made (no .copier-answers.yml): {', '.join(plain)}")
    if any(result.status in {"updated", "conflicts"} for result in results):
        click.echo("update-template: review with git diff, then commit")
    return 1 if any(result.status == "conflicts" for result in results) else 0
