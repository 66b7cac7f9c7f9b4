"""`ci`: plan CI runs that fan out, one job per affected project."""

from __future__ import annotations

import json

import click

from mono.cli.context import Repo


@click.group("ci")
def ci_group() -> None:
    """Plan CI runs: which projects a change affects, as a matrix of jobs (see docs/ci.md)."""


@ci_group.command("matrix")
@click.option("--since", metavar="REF", help="Compare with REF (default: merge-base with main, else HEAD).")
@click.option("--all", "all_", is_flag=True, help="Every project, whatever changed.")
@click.pass_obj
def matrix_command(repo: Repo, since: str | None, all_: bool) -> int:
    """Print a GitHub Actions matrix (one line of JSON) of the affected projects and their jobs.

    Each entry of `include` has project, path, kind, build (apps and models), needs_docker and
    depends_on, in dependency order; with nothing affected it is {"include": []}.
    """
    from mono.commands.ci import ci_matrix

    if all_ and since is not None:
        raise click.UsageError("--all and --since exclude each other")
    workspace, graph = repo.load()
    matrix = ci_matrix(workspace, graph, since=since, everything=all_)
    if matrix.base is not None:
        short = matrix.base.commit[:12] if matrix.base.commit else "nothing"
        click.echo(f"mono: compared with {short}: {matrix.base.described}", err=True)
    click.echo(json.dumps(matrix.as_json(), separators=(",", ":")))
    return 0
