"""Internal libraries on a package index: where a repository is, what it has, building and uploading.

A published library's metadata has no path dependencies: its internal dependencies become
version constraints on their current versions (`core>=0.3.0,<0.4.0`, Poetry's caret), so it
installs from the index like any package. It is built from a temporary copy and uploaded with
Poetry; nothing in the repository changes.

A repository is named as in Poetry: its upload URL is `POETRY_REPOSITORIES_<NAME>_URL` (or
`poetry config repositories.<name> URL`), its credentials `POETRY_HTTP_BASIC_<NAME>_USERNAME`
and `..._PASSWORD`. Its simple index, read to see what is published, is
`MONO_REPOSITORIES_<NAME>_SIMPLE_URL`, else derived from the upload URL (`.../legacy/` becomes
`.../simple/`, otherwise `simple/` is appended, as pypiserver and PyPI lay them out).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from mono.errors import MonoError, WrongKind
from mono.external.index import project_files
from mono.external.poetry import REPRODUCIBLE, poetry
from mono.model.kinds import rules
from mono.model.names import normalize_name
from mono.model.project import Project, Workspace
from mono.model.versions import caret, same_version
from mono.repo.edit import pin_internal
from mono.repo.files import copy_project_files, package_pyproject


@dataclass(frozen=True)
class Repository:
    """Where libraries are published: Poetry's name for it, its upload and simple URLs."""

    name: str
    upload_url: str
    simple_url: str


def _variable(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _upload_url(root: Path, name: str) -> str:
    upload = os.environ.get(f"POETRY_REPOSITORIES_{_variable(name)}_URL")
    if not upload:
        result = poetry(["config", f"repositories.{name}.url"], root, root, None, check=False)
        upload = result.output.strip().splitlines()[-1] if result.returncode == 0 and result.output.strip() else ""
    return upload


def repository(root: Path, name: str) -> Repository:
    """The repository called `name`, from Poetry's settings; one line (exit 2) when unknown."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise MonoError(f"--repository {name!r} is not a repository name", "letters, digits, '-', '_' and '.'")
    upload = _upload_url(root, name)
    if not upload.startswith(("http://", "https://")):
        raise MonoError(
            f"repository {name!r} is not configured",
            f"set POETRY_REPOSITORIES_{_variable(name)}_URL (or: poetry config repositories.{name} URL)",
        )
    simple = os.environ.get(f"MONO_REPOSITORIES_{_variable(name)}_SIMPLE_URL")
    if not simple:
        base = upload.rstrip("/")
        simple = base[: -len("/legacy")] + "/simple/" if base.endswith("/legacy") else base + "/simple/"
    return Repository(name, upload, simple if simple.endswith("/") else simple + "/")


def published_versions(index: Repository, name: str) -> set[str]:
    """The versions of `name` on the repository's simple index (empty when it has none)."""
    versions = set()
    for file in project_files(index.simple_url, normalize_name(name), index.name):
        try:
            version = parse_wheel_filename(file)[1] if file.endswith(".whl") else parse_sdist_filename(file)[1]
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        versions.add(str(version))
    return versions


def is_published(version: str, versions: set[str]) -> bool:
    """True when `version` is among `versions`, compared as versions (1.0.0-rc1 == 1.0.0rc1)."""
    return any(same_version(version, other) for other in versions)


@dataclass(frozen=True)
class Published:
    """What `publish` uploaded."""

    name: str
    version: str
    files: tuple[str, ...]
    requires: dict[str, str]  # internal dependency -> constraint


def check_publishable(library: Project) -> None:
    """Raise WrongKind unless projects of the library's kind are published."""
    if not rules(library.kind).publishable:
        raise WrongKind(f"{library.name} is of kind {library.kind}: only libraries are published")


def _internal_dependencies(workspace: Workspace, library: Project) -> dict[str, str]:
    return {name: workspace.projects[name].version or "0" for name in library.path_dependency_names}


def _check_uploadable(workspace: Workspace, library: Project, index: Repository, internal: dict[str, str]) -> None:
    version = library.version or ""
    if is_published(version, published_versions(index, library.name)):
        raise MonoError(
            f"{library.name} {version} is published on {index.name!r} already",
            f"bump it first: ./mono version {library.name} patch",
        )
    missing = [f"{n} {v}" for n, v in sorted(internal.items()) if not is_published(v, published_versions(index, n))]
    if missing:
        raise MonoError(
            f"{library.name} needs internal libraries that {index.name!r} does not have: {', '.join(missing)}",
            "publish those first",
        )


def publish(workspace: Workspace, library: Project, index: Repository, log: Path) -> Published:
    """Build the library (path dependencies as version constraints) and upload it; refuse a
    version that is there already, and internal dependencies that are not published yet."""
    check_publishable(library)
    internal = _internal_dependencies(workspace, library)
    _check_uploadable(workspace, library, index, internal)
    with tempfile.TemporaryDirectory(prefix=f"mono-publish-{library.name}-") as scratch:
        copy = Path(scratch) / library.name
        copy_project_files(library.directory(workspace.root), copy)
        pyproject = package_pyproject(copy, library.path)
        pyproject.write_text(pin_internal(pyproject.read_text(encoding="utf-8"), internal, caret), encoding="utf-8")
        dist = Path(scratch) / "dist"
        poetry(["build", "--output", str(dist)], workspace.root, copy, log, extra_env=REPRODUCIBLE)
        poetry(["publish", "--repository", index.name, "--dist-dir", str(dist)], workspace.root, copy, log)
        files = tuple(sorted(path.name for path in dist.iterdir()))
    return Published(library.name, library.version or "", files, {name: caret(v) for name, v in internal.items()})
