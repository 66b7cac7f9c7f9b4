"""Cache keys: content hashes of what a project's work can see, so unchanged work can be skipped."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from mono.model.graph import Graph
from mono.model.paths import is_within
from mono.model.project import Workspace
from mono.repo.changes import is_global
from mono.repo.files import files_below
from mono.repo.pyproject import PyProject
from mono.repo.statcache import file_sha256


def digest_paths(root: Path, paths: Iterable[str], leave_out: Iterable[str] = ()) -> str:
    """One hash over every file below the repo-relative `paths` (names and contents), but those
    below the folders `leave_out`; a file whose stat is as it was when last hashed is not read."""
    digest = hashlib.sha256()
    seen: set[str] = set()
    left_out = tuple(sorted(set(leave_out)))
    for relative in sorted(set(paths)):
        for file in files_below(root, relative):
            if file in seen or any(is_within(file, folder) for folder in left_out):
                continue
            seen.add(file)
            digest.update(file.encode() + b"\0")
            # Read only when its stat changed since it was last hashed (mono.repo.statcache).
            digest.update(file_sha256(root, file) or b"<unreadable>")
    return digest.hexdigest()


def global_paths(workspace: Workspace) -> list[str]:
    """Repo-wide files that exist now (they affect every project)."""
    patterns = workspace.config.global_files
    top = [entry.name for entry in os.scandir(workspace.root) if entry.is_file()]
    direct = [pattern for pattern in patterns if (workspace.root / pattern).is_file()]
    return sorted({*direct, *(name for name in top if is_global(name, patterns))})


def suite_inputs_key(workspace: Workspace, graph: Graph, name: str) -> str:
    """The key a passing test run is cached under: all the tests can see, and the interpreter."""
    projects = [workspace.projects[item] for item in sorted(graph.with_dependencies({name}))]
    folders = [project.path for project in projects]
    # Projects inside these folders (a root project holds them all) are not run by these tests.
    nested = [
        other.path
        for other in workspace.projects.values()
        if other.path not in folders and any(is_within(other.path, folder) for folder in folders)
    ]
    inputs = list(workspace.projects[name].test_inputs)
    inputs += [source for project in projects for source in project.sources_outside]
    inputs += global_paths(workspace)
    key = hashlib.sha256(
        f"{digest_paths(workspace.root, folders, nested)}\0{digest_paths(workspace.root, inputs)}".encode()
    ).hexdigest()
    settings = workspace.projects[name].test_env
    if settings:  # the values are hashed in: a run with other settings is another run
        seen = "\0".join(f"{variable}={os.environ.get(variable, '')}" for variable in settings)
        key = hashlib.sha256(f"{key}\0{seen}".encode()).hexdigest()
    return f"{_python()}:{key}"


def _python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def install_inputs_key(workspace: Workspace, graph: Graph, name: str) -> str:
    """The key an install is recorded under: the pyproject.toml and poetry.lock of the project and
    its libraries, the installer and the interpreter."""
    projects = [workspace.projects[item] for item in sorted(graph.with_dependencies({name}))]
    prefixes = ["" if project.path == "." else f"{project.path}/" for project in projects]
    files = [f"{prefix}{file}" for prefix in prefixes for file in ("pyproject.toml", "poetry.lock")]
    return f"{_python()}:{workspace.config.installer}:{digest_paths(workspace.root, files)}"


def lock_inputs_key(workspace: Workspace, graph: Graph, name: str) -> str:
    """A hash of the dependency tables of the project and its transitive internal libraries."""
    digest = hashlib.sha256()
    for item in sorted(graph.with_dependencies({name})):
        project = workspace.projects[item]
        inputs = PyProject.read(project.directory(workspace.root) / "pyproject.toml", f"{project.path}/pyproject.toml")
        digest.update(json.dumps([project.path, inputs.lock_inputs()], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """The sha256 of one file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
