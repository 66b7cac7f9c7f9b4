"""`build`: Docker images of the selected apps."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mono.cli.context import Repo, jobs_option, request_from, selection_options
from mono.cli.work import execute, finish
from mono.errors import MonoError

if TYPE_CHECKING:
    from mono.tasks import Outcome


@click.command("build")
@selection_options
@click.option("--base-image", metavar="IMAGE", help="Base image (default: MONO_BASE_IMAGE, else the setting).")
@click.option("--tag", "tags", metavar="TAG", multiple=True, help="Another tag for each image (repeatable).")
@click.option("--push", is_flag=True, help="Push every tag to the registry of [tool.mono.docker].")
@jobs_option
@click.pass_obj
def build_command(
    repo: Repo,
    targets: tuple[str, ...],
    all_: bool,
    affected: bool,
    since: str | None,
    base_image: str | None,
    tags: tuple[str, ...],
    push: bool,
    jobs: int | None,
) -> int:
    """Build the Docker images of the selected apps and models (--all/--affected: those among them).

    Each image is built from a context outside the repository: the app's files, wheels of its
    internal libraries and its locked third-party wheels, so the build needs no network.
    Tags: NAME:VERSION, NAME:git-SHA (-dirty when the tree has changes) and each --tag.
    """
    from mono.build import BuildOptions, base_image_choice, build_image, check_buildable, check_tag
    from mono.docker import ensure_base_image, require_engine
    from mono.runner import log_path
    from mono.selection import select

    workspace, graph = repo.load()
    request = request_from(targets, all_, affected, since)
    chosen = select(workspace, graph, request, repo.cwd)
    named = set(select(workspace, graph, request_from(targets, False, False, None), repo.cwd)) if targets else set()
    for name in named:  # a named project must be buildable; --all/--affected keep the apps and models
        check_buildable(workspace, workspace.projects[name])
    projects = [name for name in chosen if name in named or workspace.projects[name].kind in {"app", "model"}]
    for name in projects:
        check_buildable(workspace, workspace.projects[name])
    settings = workspace.config.docker
    if push and not settings.registry:
        raise MonoError("--push needs a registry", 'set registry in [tool.mono.docker], e.g. registry = "ghcr.io/acme"')
    options = BuildOptions(
        base_image=base_image_choice(base_image, settings.base_image),
        registry=settings.registry,
        extra_tags=tuple(check_tag(tag) for tag in tags),
        push=push,
    )
    if not projects:
        click.echo("build: no apps selected")
        return 0
    require_engine(workspace.root)
    ensure_base_image(options.base_image, workspace.root, log_path(workspace.root, "build", "base-image"))

    def task(name: str, log: Path) -> Outcome:
        return build_image(workspace, graph, name, options, log)

    # Builds write no venv and no project state (only caches, atomically), so they run beside
    # other commands: tools/build/build.sh inside `./mono test` must not wait for it.
    run = execute("build", workspace, graph, projects, task, jobs, exclusive_lock=False)
    built = [f"{result.project}: {result.detail}" for result in run.results if not result.failed and result.detail]
    if built:
        click.echo("\nimages:\n" + "\n".join(built))
    return finish(run, workspace.root)
