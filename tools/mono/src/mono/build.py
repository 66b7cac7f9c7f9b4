"""Build an app's image: assemble its context, `docker build` with its own Dockerfile, tag, push."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mono.buildcontext import assemble
from mono.docker import docker, image_platform
from mono.errors import MonoError
from mono.graph import Graph
from mono.tasks import Outcome
from mono.workspace import Project, Workspace

BUILDABLE_KINDS = frozenset({"app"})
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


@dataclass(frozen=True)
class BuildOptions:
    """What every image of one `./mono build` shares."""

    base_image: str
    registry: str = ""
    extra_tags: tuple[str, ...] = ()
    push: bool = False


def base_image_choice(option: str | None, configured: str) -> str:
    """--base-image, else MONO_BASE_IMAGE, else the setting (which defaults to python:3.11-slim)."""
    return option or os.environ.get("MONO_BASE_IMAGE") or configured


def check_buildable(workspace: Workspace, project: Project) -> None:
    """Raise a one-line MonoError unless the project is an app with a Dockerfile."""
    if project.kind not in BUILDABLE_KINDS:
        raise MonoError(
            f"{project.name} is a {project.kind}, not an app: only apps have images",
            "a library goes into the images of the apps that use it",
        )
    if not (project.directory(workspace.root) / "Dockerfile").is_file():
        raise MonoError(f"{project.path} has no Dockerfile", "copy app/demo/flask-app-1/Dockerfile and adapt it")


def check_tag(tag: str) -> str:
    """A valid --tag, or a one-line MonoError."""
    if not _TAG.fullmatch(tag):
        raise MonoError(f"--tag {tag!r} is not a valid image tag", "letters, digits, '_', '.', '-'; at most 128")
    return tag


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def git_tag(root: Path) -> str | None:
    """`git-SHORTSHA`, with `-dirty` when the working tree has changes; None outside git."""
    sha = _git(root, "rev-parse", "--short=12", "HEAD")
    if sha is None:
        return None
    return f"git-{sha}-dirty" if _git(root, "status", "--porcelain") else f"git-{sha}"


def image_tags(workspace: Workspace, project: Project, options: BuildOptions) -> tuple[str, ...]:
    """Every reference the image gets: NAME:VERSION, NAME:git-SHA[-dirty], NAME:each --tag."""
    repository = f"{options.registry}/{project.name}" if options.registry else project.name
    tags = [project.version, git_tag(workspace.root), *options.extra_tags]
    return tuple(dict.fromkeys(f"{repository}:{tag}" for tag in tags if tag))


def build_image(workspace: Workspace, graph: Graph, name: str, options: BuildOptions, log: Path) -> Outcome:
    """Assemble the app's context in a temporary folder, build the image from it, tag (and push)."""
    project = workspace.projects[name]
    platform = image_platform(workspace.root, options.base_image, log)
    tags = image_tags(workspace, project, options)
    with tempfile.TemporaryDirectory(prefix=f"mono-build-{name}-") as scratch:
        context = assemble(workspace, graph, name, Path(scratch) / "context", platform, log)
        command = ["build", "--network", "none", "--build-arg", f"BASE_IMAGE={options.base_image}"]
        command += ["--label", f"org.opencontainers.image.title={name}"]
        if project.version:
            command += ["--label", f"org.opencontainers.image.version={project.version}"]
        for tag in tags:
            command += ["--tag", tag]
        docker([*command, str(context.folder)], workspace.root, log)
    if options.push:
        for tag in tags:
            docker(["push", tag], workspace.root, log)
    return Outcome("ok", " ".join(tags))
