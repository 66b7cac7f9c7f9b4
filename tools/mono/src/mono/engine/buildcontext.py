"""Assemble an app's Docker build context outside the repository.

The context holds the app's own files (those git tracks; docs/docker.md) and, under `.mono/`:
- `requirements.txt`: the app's locked third-party requirements (main group), with hashes,
  exported from its poetry.lock;
- `wheelhouse/`: those requirements as wheels for the base image's Python and platform,
  downloaded on the host (from pip's index, and from the Poetry sources the lock names, such as
  the internal index of libraries used by version), so the build needs no network and no index
  credentials; the export that carries those credentials is written outside the context;
- `wheels/`: a wheel of each internal library the app uses (transitively), built with Poetry
  from a temporary copy whose path dependencies became exact version requirements; and of the
  project itself when it is a package (a model's shared package).

Nothing under the repository is written: exports go to the context, wheels are built in
temporary copies, and built wheels are cached under .mono/cache keyed by their sources.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import shutil
import tempfile
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mono.engine.cache import digest_paths
from mono.errors import MonoError
from mono.external.docker import ImagePlatform
from mono.external.pip import ExtraIndexes, download_wheels
from mono.external.poetry import REPRODUCIBLE, mono_lock_advice, poetry
from mono.model.graph import Graph
from mono.model.layout import file_name, wheel_cache
from mono.model.names import normalize_name
from mono.model.project import Project, Workspace
from mono.repo.edit import pin_internal
from mono.repo.files import LeftOut, copy_project_files, package_pyproject, shipped_files
from mono.repo.pyproject import PyProject

logger = logging.getLogger("mono")


@dataclass(frozen=True)
class BuildContext:
    """An assembled context: its folder and what went into it."""

    folder: Path
    requirements: int  # third-party requirements
    libraries: tuple[str, ...]  # internal libraries shipped as wheels


def split_export(exported: str) -> tuple[list[str], list[str]]:
    """An exported requirements file as (third-party entries, local paths of path entries).

    Continuation lines are joined; option lines (indexes) are dropped, the build uses none.
    """
    entries: list[str] = []
    for line in exported.splitlines():
        if entries and entries[-1].endswith("\\"):
            entries[-1] = entries[-1][:-1].rstrip() + " " + line.strip()
        elif line.strip() and not line.lstrip().startswith("#"):
            entries.append(line.strip())
    third_party, local = [], []
    for entry in entries:
        requirement = entry.split(";", 1)[0]
        if "file://" in requirement:
            local.append(urllib.parse.unquote(requirement.split("file://", 1)[1].strip()))
        elif not entry.startswith("-"):
            third_party.append(entry)
    return third_party, local


_INDEX_OPTIONS = ("--index-url", "--extra-index-url", "--trusted-host")
_OPTION_LINE = re.compile(r"(?P<option>--[a-z-]+)(?:=|\s+)(?P<value>\S+)")


def export_indexes(exported: str) -> ExtraIndexes:
    """The index options of an exported requirements file (the lock's Poetry sources), which
    `split_export` drops: where `pip download` finds what the default index does not have."""
    found: dict[str, list[str]] = {option: [] for option in _INDEX_OPTIONS}
    for line in exported.splitlines():
        matched = _OPTION_LINE.fullmatch(line.strip())
        if matched and matched["option"] in found:
            found[matched["option"]].append(matched["value"])
    # Poetry's export writes a source's credentials into its --trusted-host too, where pip
    # wants a bare host[:port].
    trusted = tuple(host.rsplit("@", 1)[-1] for host in found["--trusted-host"])
    index = found["--index-url"][0] if found["--index-url"] else ""
    return ExtraIndexes(index, tuple(dict.fromkeys(found["--extra-index-url"])), tuple(dict.fromkeys(trusted)))


def _whole_wheels(folder: Path) -> bool:
    """True when `folder` holds wheels and every one is a zip file whose entries all read back."""
    wheels = list(folder.glob("*.whl")) if folder.is_dir() else []
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as archive:
                if archive.testzip() is not None:
                    return False
        except (OSError, zipfile.BadZipFile):
            return False
    return bool(wheels)


def project_wheels(workspace: Workspace, library: Project, log: Path) -> list[Path]:
    """The project's wheel as Poetry builds it (its path dependencies pinned to their versions),
    from the cache under .mono/ when its files are unchanged, else built and cached first."""
    internal = sorted(workspace.path_closure(library.name))
    versions = {normalize_name(name): workspace.projects[name].version or "0" for name in internal}
    pins = "\0".join(f"{name}={version}" for name, version in sorted(versions.items()))
    source = library.directory(workspace.root)
    # What ships is part of the key: after `git add` of a file whose contents did not change, the
    # cached wheel (built without it) would be wrong.
    shipped = shipped_files(source)
    listed = "\0".join(shipped.files) if shipped.files is not None else "*"
    key = hashlib.sha256(f"{digest_paths(workspace.root, [library.path])}\0{pins}\0{listed}".encode()).hexdigest()
    cached = wheel_cache(workspace.root, library.name) / key
    if cached.exists() and not _whole_wheels(cached):
        logger.warning("discarded a damaged cached wheel of %s (%s); building it again", library.name, cached)
        if cached.is_dir():
            shutil.rmtree(cached, ignore_errors=True)
        else:
            cached.unlink(missing_ok=True)
    if not any(cached.glob("*.whl")):
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Built in a folder of its own, then renamed into place in one step: parallel builds that
        # need the same library each build it, and the first rename wins (the wheels are equal).
        with tempfile.TemporaryDirectory(prefix=f".{file_name(library.name)}-", dir=cached.parent) as scratch:
            copy = Path(scratch) / "source"
            copy_project_files(source, copy, shipped)
            pyproject = package_pyproject(copy, library.path)
            pyproject.write_text(pin_internal(pyproject.read_text(encoding="utf-8"), versions), encoding="utf-8")
            built = Path(scratch) / "dist"
            poetry(["build", "--format", "wheel", "--output", str(built)], workspace.root, copy, log,
                   extra_env=REPRODUCIBLE)  # fmt: skip
            with contextlib.suppress(FileExistsError, OSError):
                built.rename(cached)  # fails when another build got there first: theirs is used
    return sorted(cached.glob("*.whl"))


def _export(workspace: Workspace, source: Path, log: Path) -> str:
    """The app's lock exported as requirements (main group, hashed), with the credentials of its
    sources: written to a private folder of its own, never into the build context."""
    with tempfile.TemporaryDirectory(prefix="mono-export-") as private:
        exported = Path(private) / "export.txt"
        command = ["export", "--format", "requirements.txt", "--with-credentials", "--output", str(exported)]
        poetry(command, workspace.root, source, log)
        return exported.read_text(encoding="utf-8")


def _third_party(workspace: Workspace, name: str, exported: str) -> list[str]:
    """The app's locked third-party requirements (main group, hashed); its path entries must all be
    internal libraries it reaches."""
    third_party, local = split_export(exported)
    internal = workspace.path_closure(name)
    by_path = {project.directory(workspace.root).resolve(): project.name for project in workspace.projects.values()}
    unknown = sorted({path for path in local if by_path.get(Path(path).resolve()) not in internal})
    if unknown:
        raise MonoError(
            f"{name}'s lock has path dependencies outside the repository's projects: {', '.join(unknown)}",
            "an image can only carry internal libraries",
        )
    return third_party


def left_out_of_context(workspace: Workspace, name: str, named: tuple[str, ...]) -> list[LeftOut]:
    """The untracked files that stay out of app `name`'s context: its own (but for those its
    Dockerfiles COPY by name, `named`), and those of the internal libraries it ships as wheels."""
    owners = [(name, named), *((library, ()) for library in sorted(workspace.path_closure(name)))]
    found = [LeftOut(owner, shipped_files(workspace.folder(owner), files).left_out) for owner, files in owners]
    return [left_out for left_out in found if left_out.files]


def assemble(
    workspace: Workspace,
    graph: Graph,
    name: str,
    folder: Path,
    platform: ImagePlatform,
    log: Path,
    named: tuple[str, ...] = (),
) -> BuildContext:
    """Fill `folder` (empty, outside the repository) with the build context of app `name`: the
    files of it that git tracks, and those of `named` (what its Dockerfiles COPY by name)."""
    app = workspace.projects[name]
    source = app.directory(workspace.root)
    copy_project_files(source, folder, shipped_files(source, named))
    extras = folder / ".mono"
    wheels, wheelhouse = extras / "wheels", extras / "wheelhouse"
    wheels.mkdir(parents=True)
    wheelhouse.mkdir()
    with mono_lock_advice(name):
        exported = _export(workspace, source, log)
    third_party = _third_party(workspace, name, exported)
    requirements = extras / "requirements.txt"
    requirements.write_text("".join(f"{entry}\n" for entry in third_party), encoding="utf-8")
    if third_party:
        options = platform.pip_download_options()
        download_wheels(requirements, wheelhouse, options, folder, log, export_indexes(exported))
    internal = sorted(workspace.path_closure(name))
    shipped = [workspace.projects[library] for library in internal]
    if PyProject.read(source / "pyproject.toml", app.pyproject_shown).installs_itself:
        shipped.append(app)
    for project in shipped:
        for wheel in project_wheels(workspace, project, log):
            shutil.copy2(wheel, wheels / wheel.name)
    return BuildContext(folder, len(third_party), tuple(internal))
