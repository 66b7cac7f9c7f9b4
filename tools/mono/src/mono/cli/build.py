"""`build`: Docker images of the selected apps and models."""

from __future__ import annotations

import functools

import click

from mono.cli.context import Repo, jobs_option, request_from, selection_options


@click.command("build")
@selection_options
@click.option("--base-image", metavar="IMAGE", help="Base image (default: MONO_BASE_IMAGE, else the setting).")
@click.option("--tag", "tags", metavar="TAG", multiple=True, help="Another tag for each image (repeatable).")
@click.option("--label", "labels", metavar="KEY=VALUE", multiple=True, help="A label on each image (repeatable).")
@click.option(
    "--push", is_flag=True, help="Push every tag to the registry (MONO_DOCKER_REGISTRY, else [tool.mono.docker])."
)
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
    labels: tuple[str, ...],
    push: bool,
    jobs: int | None,
) -> int:
    """Build the Docker images of the selected apps and models (--all/--affected: those among them).

    Each image is built from a context outside the repository: the app's files that git tracks
    (untracked ones are named in a warning), wheels of its internal libraries and its locked
    third-party wheels, so the build needs no network.
    Tags: NAME:VERSION, NAME:git-SHA (-dirty when the tree has changes) and each --tag, each
    prefixed with MONO_DOCKER_REGISTRY or the registry setting. Labels: MONO_IMAGE_LABELS, then
    each --label.
    """
    from mono.cli.progress import progress_for
    from mono.cli.render import finish
    from mono.commands.build import build, build_options, buildable_selection

    workspace, graph = repo.load()
    projects = buildable_selection(workspace, graph, request_from(targets, all_, affected, since), repo.cwd)
    options = build_options(workspace, base_image, tags, push, labels)
    if not projects:
        click.echo("build: no apps selected")
        return 0
    progress = functools.partial(progress_for, "build", len(projects), workspace.root)
    run = build(workspace, graph, projects, options, jobs, progress)
    built = [f"{result.project}: {result.detail}" for result in run.results if not result.failed and result.detail]
    if built:
        heading = f"images, pushed to {options.registry}" if push else "images"
        click.echo(f"\n{heading}:\n" + "\n".join(built))
    return finish(run, workspace.root)
