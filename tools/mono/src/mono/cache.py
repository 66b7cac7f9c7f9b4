"""Content hashes of what a project's work can see, so unchanged work can be skipped."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from mono.graph import Graph
from mono.workspace import Workspace

# Folders that hold output, caches or environments, never inputs.
SKIPPED_FOLDERS = frozenset(
    {".git", ".mono", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
     ".ipynb_checkpoints", "node_modules", "dist", "build", ".terraform"}
)  # fmt: skip
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _files_below(root: Path, relative: str) -> Iterable[str]:
    start = root / relative if relative not in {"", "."} else root
    if start.is_file():
        yield relative
        return
    for folder, subfolders, files in os.walk(start):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        base = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            if not name.endswith(SKIPPED_SUFFIXES):
                yield name if base == "." else f"{base}/{name}"


def digest_paths(root: Path, paths: Iterable[str]) -> str:
    """One hash over every file below the repo-relative `paths` (names and contents)."""
    digest = hashlib.sha256()
    seen: set[str] = set()
    for relative in sorted(set(paths)):
        for file in _files_below(root, relative):
            if file in seen:
                continue
            seen.add(file)
            digest.update(file.encode() + b"\0")
            try:
                digest.update(hashlib.sha256((root / file).read_bytes()).digest())
            except OSError:
                digest.update(b"<unreadable>")
    return digest.hexdigest()


def global_paths(workspace: Workspace) -> list[str]:
    """Repo-wide files that exist now (they affect every project)."""
    patterns = workspace.config.global_files
    top = [entry.name for entry in os.scandir(workspace.root) if entry.is_file()]
    direct = [pattern for pattern in patterns if (workspace.root / pattern).is_file()]
    return sorted({*direct, *(name for name in top if any(fnmatch.fnmatchcase(name, p) for p in patterns))})


def suite_inputs_key(workspace: Workspace, graph: Graph, name: str) -> str:
    """The key a passing test run is cached under: all the tests can see, and the interpreter."""
    projects = [workspace.projects[item] for item in sorted(graph.with_dependencies({name}))]
    paths = [project.path for project in projects]
    paths += list(workspace.projects[name].test_inputs)
    paths += global_paths(workspace)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = digest_paths(workspace.root, paths)
    settings = workspace.projects[name].test_env
    if settings:  # the values are hashed in: a run with other settings is another run
        seen = "\0".join(f"{variable}={os.environ.get(variable, '')}" for variable in settings)
        key = hashlib.sha256(f"{key}\0{seen}".encode()).hexdigest()
    return f"{python}:{key}"
