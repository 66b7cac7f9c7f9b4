"""Assemble an app's Docker build context outside the repository.

The context holds the app's own files and, under `.mono/`:
- `requirements.txt`: the app's locked third-party requirements (main group), with hashes,
  exported from its poetry.lock;
- `wheelhouse/`: those requirements as wheels for the base image's Python and platform,
  downloaded on the host, so the build needs no network and no index credentials;
- `wheels/`: a wheel of each internal library the app uses (transitively), built with Poetry
  from a temporary copy whose path dependencies became exact version requirements; and of the
  project itself when it is a package (a model's shared package).

Nothing under the repository is written: exports go to the context, wheels are built in
temporary copies, and built wheels are cached under .mono/cache keyed by their sources.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import sys
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import Array, Table

from mono.cache import SKIPPED_FOLDERS, digest_paths
from mono.docker import ImagePlatform
from mono.errors import MonoError
from mono.graph import Graph
from mono.installer import installs_itself
from mono.poetry import poetry
from mono.proc import child_environment, run
from mono.toml import read_toml
from mono.workspace import Project, Workspace, normalize_name, path_closure

# poetry-core stamps wheel entries with this date, so unchanged sources give identical wheels
# (and Docker reuses the wheels layer).
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest date a zip file can hold
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$")


@dataclass(frozen=True)
class BuildContext:
    """An assembled context: its folder and what went into it."""

    folder: Path
    requirements: int  # third-party requirements
    libraries: tuple[str, ...]  # internal libraries shipped as wheels


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in SKIPPED_FOLDERS or name.endswith((".pyc", ".pyo"))}


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


def exact(version: str) -> str:
    """The requirement on exactly `version`."""
    return f"=={version}"


def pin_internal(pyproject: str, versions: dict[str, str], constraint: Callable[[str], str] = exact) -> str:
    """The text of a library's pyproject.toml with its internal path dependencies turned into
    version requirements (by default exact: `core==0.1.0`), comments and layout kept."""
    document = tomlkit.parse(pyproject)
    project = document.get("project")
    if isinstance(project, Table) and isinstance(project.get("dependencies"), Array):
        dependencies = project["dependencies"]
        for index, requirement in enumerate(list(dependencies)):
            match = _NAME.match(str(requirement))
            if match and normalize_name(match.group(1)) in versions:
                name, extras, marker = match.group(1), match.group(2) or "", match.group(4) or ""
                dependencies[index] = f"{name}{extras}{constraint(versions[normalize_name(name)])}{marker}"
    tool = document.get("tool")
    poetry_table = tool.get("poetry") if isinstance(tool, Table) else None
    table = poetry_table.get("dependencies") if isinstance(poetry_table, Table) else None
    if isinstance(table, Table):
        pep621 = isinstance(project, Table) and "dependencies" in project
        for key in list(table.keys()):
            if normalize_name(key) in versions:
                if pep621:
                    del table[key]  # [project].dependencies now says it all
                else:
                    table[key] = constraint(versions[normalize_name(key)])
    return tomlkit.dumps(document)


def copy_project_files(workspace: Workspace, source: Path, target: Path) -> None:
    """Copy the files of `source` that git would keep (tracked, or new and not ignored) to
    `target`: a git-ignored `.env`, `dist/` or notebook output never reaches an image or a
    published package. Outside a git work tree, every file but caches and environments."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "."],
        cwd=source, env=child_environment(), log=None, check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        shutil.copytree(source, target, ignore=_ignore, dirs_exist_ok=True)
        return
    for relative in filter(None, listed.output.split("\0")):
        origin = source / relative
        if not origin.is_file() or any(part in SKIPPED_FOLDERS for part in Path(relative).parts):
            continue  # deleted in the work tree, or a cache that happens to be tracked
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, destination)


def _project_wheel(workspace: Workspace, graph: Graph, library: Project, target: Path, log: Path) -> None:
    """Copy (or build, then cache) the project's wheel into `target`."""
    internal = sorted(path_closure(workspace, library.name))
    versions = {normalize_name(name): workspace.projects[name].version or "0" for name in internal}
    pins = "\0".join(f"{name}={version}" for name, version in sorted(versions.items()))
    key = hashlib.sha256(f"{digest_paths(workspace.root, [library.path])}\0{pins}".encode()).hexdigest()
    cached = workspace.root / ".mono" / "cache" / "wheels" / library.name / key
    if not any(cached.glob("*.whl")):
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Built in a folder of its own, then renamed into place in one step: parallel builds that
        # need the same library each build it, and the first rename wins (the wheels are equal).
        with tempfile.TemporaryDirectory(prefix=f".{library.name}-", dir=cached.parent) as scratch:
            copy = Path(scratch) / "source"
            copy_project_files(workspace, library.directory(workspace.root), copy)
            pyproject = copy / "pyproject.toml"
            pyproject.write_text(pin_internal(pyproject.read_text(encoding="utf-8"), versions), encoding="utf-8")
            built = Path(scratch) / "dist"
            poetry(["build", "--format", "wheel", "--output", str(built)], workspace.root, copy, log,
                   extra_env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})  # fmt: skip
            with contextlib.suppress(FileExistsError, OSError):
                built.rename(cached)  # fails when another build got there first: theirs is used
    for wheel in cached.glob("*.whl"):
        shutil.copy2(wheel, target / wheel.name)


def assemble(
    workspace: Workspace, graph: Graph, name: str, folder: Path, platform: ImagePlatform, log: Path
) -> BuildContext:
    """Fill `folder` (empty, outside the repository) with the build context of app `name`."""
    app = workspace.projects[name]
    source = app.directory(workspace.root)
    copy_project_files(workspace, source, folder)
    extras = folder / ".mono"
    wheels, wheelhouse = extras / "wheels", extras / "wheelhouse"
    wheels.mkdir(parents=True)
    wheelhouse.mkdir()
    exported = extras / "export.txt"
    poetry(["export", "--format", "requirements.txt", "--output", str(exported)], workspace.root, source, log)
    third_party, local = split_export(exported.read_text(encoding="utf-8"))
    exported.unlink()
    internal = sorted(path_closure(workspace, name))
    by_path = {project.directory(workspace.root).resolve(): project.name for project in workspace.projects.values()}
    unknown = sorted({path for path in local if by_path.get(Path(path).resolve()) not in internal})
    if unknown:
        raise MonoError(
            f"{name}'s lock has path dependencies outside the repository's projects: {', '.join(unknown)}",
            "an image can only carry internal libraries",
        )
    requirements = extras / "requirements.txt"
    requirements.write_text("".join(f"{entry}\n" for entry in third_party), encoding="utf-8")
    if third_party:
        download = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--progress-bar", "off"]
        download += ["--disable-pip-version-check", "--dest", str(wheelhouse), "-r", str(requirements)]
        run([*download, *platform.pip_download_options()], cwd=folder, env=child_environment(), log=log)
    for library in internal:
        _project_wheel(workspace, graph, workspace.projects[library], wheels, log)
    if installs_itself(read_toml(source / "pyproject.toml", f"{app.path}/pyproject.toml")):
        _project_wheel(workspace, graph, app, wheels, log)
    return BuildContext(folder, len(third_party), tuple(internal))
