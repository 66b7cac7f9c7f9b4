"""`mono run APP`: serve an app locally."""

from __future__ import annotations

import os
import signal

import click

from mono.cli.context import Repo
from mono.selection import find_project


@click.command("run")
@click.argument("app", metavar="APP")
@click.pass_obj
def run_command(repo: Repo, app: str) -> int:
    """Serve APP on http://127.0.0.1:5000 (PORT overrides), installing it first when needed."""
    from mono import tasks
    from mono.cli.work import say_waiting
    from mono.runner import log_path
    from mono.serve import plan_serve
    from mono.state import exclusive

    workspace, graph = repo.load()
    name = find_project(workspace, app, repo.cwd)
    plan = plan_serve(workspace, name)
    if tasks.needs_install(workspace, graph, name):
        log = log_path(workspace.root, "install", name)
        click.echo(f"mono: installing {name} (log: {log.relative_to(workspace.root)})", err=True)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("", encoding="utf-8")
        with exclusive(workspace.root, f"mono run {name}", say_waiting):
            tasks.install(workspace, graph, name, log)
    click.echo(f"mono: serving {name} on {plan.url} (Ctrl-C stops it)", err=True)
    os.chdir(plan.cwd)
    # A shell that starts us in the background ignores SIGINT, and exec keeps that; the app
    # must stop on Ctrl-C / kill -INT, so hand it the default dispositions.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Replace this process with the app, so Ctrl-C and signals reach it directly.
    os.execve(plan.argv[0], list(plan.argv), plan.env)
    return 0  # not reached
