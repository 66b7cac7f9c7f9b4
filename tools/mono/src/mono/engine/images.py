"""Build an app's image: assemble its context, `docker build` with its own Dockerfile, tag, push."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mono.engine.buildcontext import assemble, left_out_of_context
from mono.engine.runner import Outcome
from mono.errors import MonoError, WrongKind
from mono.external.docker import ImagePlatform, docker, image_id, probe_platform
from mono.external.git import try_git
from mono.model.graph import Graph
from mono.model.kinds import kinds_where, rules
from mono.model.layout import base_image_record, file_name
from mono.model.project import Project, Workspace
from mono.repo.dockerfile import final_base, fixed_bases, named_sources, stage_bases, uses_base_argument
from mono.repo.files import LeftOut, copy_project_files, shipped_files
from mono.repo.state import read_stamp, write_stamp

BUILDABLE_KINDS = frozenset(kinds_where("buildable"))
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# Docker's advice for label keys: lower-case letters, digits, '.' and '-', reverse-DNS style.
_LABEL_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?")


@dataclass(frozen=True)
class BuildOptions:
    """What every image of one `./mono build` shares."""

    base_image: str
    registry: str = ""
    extra_tags: tuple[str, ...] = ()
    push: bool = False
    labels: tuple[str, ...] = ()  # KEY=VALUE, checked (image_labels)


def _is_option_like(text: str) -> bool:
    return text.startswith("-") or not text.isprintable() or any(char.isspace() for char in text)


def base_image_choice(option: str | None, configured: str) -> str:
    """--base-image, else MONO_BASE_IMAGE, else the setting (which defaults to python:3.11-slim)."""
    chosen = option or os.environ.get("MONO_BASE_IMAGE") or configured
    if _is_option_like(chosen):
        # It reaches `docker build --build-arg` and `docker run`: an option there, not an image.
        raise MonoError(f"base image {chosen!r} is not an image reference", "e.g. --base-image python:3.11-slim")
    return chosen


def registry_choice(configured: str) -> str:
    """MONO_DOCKER_REGISTRY, else the setting: the prefix of every tag ('' for local names)."""
    chosen = os.environ.get("MONO_DOCKER_REGISTRY", "").rstrip("/")
    if chosen and _is_option_like(chosen):  # it reaches `docker build --tag` and `docker push`
        raise MonoError(f"MONO_DOCKER_REGISTRY {chosen!r} is not a registry prefix", "e.g. ghcr.io/acme")
    return chosen or configured


def image_labels(options: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The labels every image gets: those of MONO_IMAGE_LABELS (KEY=VALUE pairs separated by
    spaces), then each --label KEY=VALUE; a later one wins over an earlier one with its key."""
    listed = [(label, "MONO_IMAGE_LABELS") for label in os.environ.get("MONO_IMAGE_LABELS", "").split()]
    listed += [(label, "--label") for label in options]
    chosen: dict[str, str] = {}
    for label, where in listed:
        key, equals, value = label.partition("=")
        if not equals or not _LABEL_KEY.fullmatch(key) or not value.isprintable():
            raise MonoError(
                f"{where} {label!r} is not a label KEY=VALUE",
                "e.g. --label org.opencontainers.image.source=https://example.org/repo",
            )
        chosen[key] = value
    return tuple(f"{key}={value}" for key, value in chosen.items())


@dataclass(frozen=True)
class ImageSpec:
    """One image of a project: its name and the Dockerfile it is built from (project-relative)."""

    name: str
    dockerfile: str


def image_specs(workspace: Workspace, project: Project) -> tuple[ImageSpec, ...]:
    """An app has one image (its Dockerfile); a model one per `*-image/Dockerfile` (train, predict)."""
    folder = project.directory(workspace.root)
    images = rules(project.kind).images
    if images == "image-folders":
        return tuple(
            ImageSpec(f"{project.name}-{sub.name.removesuffix('-image')}", f"{sub.name}/Dockerfile")
            for sub in sorted(folder.iterdir())
            if sub.name.endswith("-image") and (sub / "Dockerfile").is_file()
        )
    if images == "dockerfile" and (folder / "Dockerfile").is_file():
        return (ImageSpec(project.name, "Dockerfile"),)
    return ()


def missing_images(project: Project) -> str:
    """What a buildable project lacks when it has no image specs, as a file name or two."""
    if rules(project.kind).images == "image-folders":
        return "train-image/Dockerfile or predict-image/Dockerfile"
    return "Dockerfile"


def check_buildable(workspace: Workspace, project: Project) -> None:
    """Raise a one-line MonoError unless the project is an app or a model with its Dockerfile(s)."""
    if not rules(project.kind).buildable:
        raise WrongKind(
            f"{project.name} is of kind {project.kind}: only apps and models have images",
            "a library goes into the images of the projects that use it",
        )
    if not image_specs(workspace, project):
        raise MonoError(
            f"{project.path} has no {missing_images(project)}",
            "./mono new makes projects with them; see docs/docker.md",
        )
    empty = dockerfiles_without_from(workspace, project)
    if empty:
        raise MonoError(f"{empty[0]} has no FROM line: Docker cannot build it", "start it with FROM IMAGE")


def dockerfiles_without_from(workspace: Workspace, project: Project) -> list[str]:
    """The project's Dockerfiles (repo-relative) that start no stage: empty ones, say."""
    folder = project.directory(workspace.root)
    return [
        f"{project.path}/{spec.dockerfile}"
        for spec in image_specs(workspace, project)
        if not stage_bases(folder / spec.dockerfile)
    ]


def needs_base_image(workspace: Workspace, project: Project) -> bool:
    """True when one of the project's Dockerfiles starts FROM the base-image argument."""
    folder = project.directory(workspace.root)
    return any(uses_base_argument(folder / spec.dockerfile) for spec in image_specs(workspace, project))


def check_tag(tag: str) -> str:
    """A valid --tag, or a one-line MonoError."""
    if not _TAG.fullmatch(tag):
        raise MonoError(f"--tag {tag!r} is not a valid image tag", "letters, digits, '_', '.', '-'; at most 128")
    return tag


def git_tag(root: Path) -> str | None:
    """`git-SHORTSHA`, with `-dirty` when the working tree has changes; None outside git."""
    sha = try_git(root, "rev-parse", "--short=12", "HEAD")
    if sha is None:
        return None
    status = try_git(root, "status", "--porcelain")
    if status is None:
        return None  # state unknown: better no git tag than a clean one that may be wrong
    return f"git-{sha}-dirty" if status else f"git-{sha}"


def image_tags(
    workspace: Workspace, project: Project, options: BuildOptions, image: str | None = None
) -> tuple[str, ...]:
    """Every reference an image gets: NAME:VERSION, NAME:git-SHA[-dirty], NAME:each --tag."""
    name = image or project.name
    repository = f"{options.registry}/{name}" if options.registry else name
    # A PEP 440 local version (1.0+abc) has a '+', which image tags do not allow.
    version = project.version.replace("+", "-") if project.version else None
    tags = [version, git_tag(workspace.root), *options.extra_tags]
    return tuple(dict.fromkeys(f"{repository}:{tag}" for tag in tags if tag))


def check_fixed_bases(workspace: Workspace, project: Project, root: Path) -> list[str]:
    """The images the project's Dockerfiles hard-code (so `--base-image` does not apply to them);
    one that is not on this machine is refused in one line, as builds never pull."""
    fixed = []
    for spec in image_specs(workspace, project):
        dockerfile = project.directory(workspace.root) / spec.dockerfile
        for image in fixed_bases(dockerfile):
            if image_id(image, root) is None:
                shown = f"{project.path}/{spec.dockerfile}"
                raise MonoError(
                    f"{shown} starts FROM {image}, which is not on this machine, and builds do not pull",
                    "docker pull it first, or write ARG BASE_IMAGE and FROM ${BASE_IMAGE} so --base-image applies",
                )
            fixed.append(image)
    return fixed


def image_platform(root: Path, image: str, log: Path) -> ImagePlatform:
    """What the base image runs (asked once per image ID; remembered under .mono/state)."""
    identity = image_id(image, root)
    if identity is None:
        raise MonoError(
            f"base image {image} is not on this machine",
            "pull it, or make one from Debian packages: tools/build/base-image.sh (then --base-image)",
        )
    stamp = base_image_record(root, hashlib.sha256(identity.encode()).hexdigest()[:32])
    known = read_stamp(stamp)
    if known and len(known.split(" ")) == 3:
        python, machine, glibc = known.split(" ")
        return ImagePlatform(python, machine, glibc)
    found = probe_platform(root, image, log)
    write_stamp(stamp, f"{found.python} {found.machine} {found.glibc}")
    return found


def _build_arguments(
    project: Project,
    spec: ImageSpec,
    dockerfiles: Path,
    base_image: str,
    tags: tuple[str, ...],
    offline: bool,
    labels: tuple[str, ...] = (),
) -> list[str]:
    """`docker build` and its options, but for the context (the last argument). `offline`: the
    context holds everything the image installs, so the build gets no network."""
    command = ["build", *(["--network", "none"] if offline else []), "--force-rm"]
    command += ["--build-arg", f"BASE_IMAGE={base_image}"]
    command += ["--file", str(dockerfiles / spec.dockerfile)]
    command += ["--label", f"org.opencontainers.image.title={spec.name}"]
    if project.version:
        command += ["--label", f"org.opencontainers.image.version={project.version}"]
    for label in labels:  # after the tool's own, so that a user's label of the same key wins
        command += ["--label", label]
    for tag in tags:
        command += ["--tag", tag]
    return command


def _fill_context(
    workspace: Workspace, graph: Graph, project: Project, options: BuildOptions, folder: Path, log: Path
) -> Path:
    """Fill `folder` with the project's build context; the folder its Dockerfiles are in there."""
    named = dockerfile_named(workspace, project)
    if _from_repository_root(workspace, project):
        # What `docker build -f PROJECT/Dockerfile .` at the root would send, from a copy of what
        # git tracks there: nothing untracked or ignored, no venvs, nothing of the tool's.
        copy_project_files(workspace.root, folder, shipped_files(workspace.root, named))
        return folder / project.path
    platform = image_platform(workspace.root, _final_base(workspace, project, options.base_image), log)
    assemble(workspace, graph, project.name, folder, platform, log, named)
    return folder


def dockerfile_named(workspace: Workspace, project: Project) -> tuple[str, ...]:
    """The files the project's Dockerfiles COPY by name, relative to the context they are built from."""
    folder = project.directory(workspace.root)
    specs = image_specs(workspace, project)
    return tuple(dict.fromkeys(path for spec in specs for path in named_sources(folder / spec.dockerfile)))


def left_out_of_image(workspace: Workspace, project: Project) -> list[LeftOut]:
    """The untracked files that stay out of the project's image(s), by the project they are of;
    a one-line MonoError when a Dockerfile is among them (the build could not even start)."""
    named = dockerfile_named(workspace, project)
    from_root = _from_repository_root(workspace, project)
    if from_root:
        left_out = shipped_files(workspace.root, named).left_out
        found = [LeftOut("the repository", left_out)] if left_out else []
    else:
        found = left_out_of_context(workspace, project.name, named)
    owner = "the repository" if from_root else project.name
    own = {path for item in found if item.owner == owner for path in item.files}
    for spec in image_specs(workspace, project):
        if (f"{project.path}/{spec.dockerfile}" if from_root else spec.dockerfile) in own:
            raise MonoError(
                f"{project.path}/{spec.dockerfile} is not tracked by git, and only tracked files go into images",
                f"git add {project.path} (git add -N {project.path} to build it before a commit)",
            )
    return found


def _from_repository_root(workspace: Workspace, project: Project) -> bool:
    """True when the project's Dockerfiles are built from the repository's root (a setting)."""
    return (project.docker_context or workspace.config.docker.context) == "repo"


def _final_base(workspace: Workspace, project: Project, base_image: str) -> str:
    """The image the wheels must suit: the one its (first) Dockerfile's last stage is built on."""
    specs = image_specs(workspace, project)
    found = final_base(project.directory(workspace.root) / specs[0].dockerfile) if specs else None
    return found or base_image


def build_image(workspace: Workspace, graph: Graph, name: str, options: BuildOptions, log: Path) -> Outcome:
    """Assemble the project's context in a temporary folder, build its image(s), tag (and push)."""
    project = workspace.projects[name]
    every_tag: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"mono-build-{file_name(name)}-") as scratch:
        context = Path(scratch) / "context"
        dockerfiles = _fill_context(workspace, graph, project, options, context, log)
        for spec in image_specs(workspace, project):
            tags = image_tags(workspace, project, options, spec.name)
            offline = not _from_repository_root(workspace, project)
            arguments = _build_arguments(project, spec, dockerfiles, options.base_image, tags, offline, options.labels)
            docker([*arguments, str(context)], workspace.root, log)
            every_tag += tags
    if options.push:
        for tag in every_tag:
            docker(["push", tag], workspace.root, log)
    return Outcome("ok", " ".join(every_tag))
