"""Walking a project's files: what counts as input, what git keeps, which Python files it has."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from mono.external.git import kept_files

# Folders that hold output, caches or environments, never inputs.
SKIPPED_FOLDERS = frozenset(
    {".git", ".mono", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
     ".ipynb_checkpoints", "node_modules", "dist", "build", ".terraform"}
)  # fmt: skip
# Of those, the ones that are output only at the top of a project (see files_below).
OUTPUT_FOLDERS = frozenset({"dist", "build"})  # node_modules is never source, at any depth
SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Folders never searched for projects, whatever the settings say (hidden ones neither).
NOT_SEARCHED = frozenset({".venv", "venv", ".mono", "node_modules", "dist", "build", "__pycache__"})


def files_below(root: Path, relative: str) -> Iterable[str]:
    """The repo-relative input files at or below repo-relative `relative`, in sorted order."""
    start = root / relative if relative not in {"", "."} else root
    if start.is_file():
        yield relative
        return
    for folder, subfolders, files in os.walk(start):
        # Output folders are a project's own `dist/` or `build/`; deeper down a folder of that
        # name is source (tools/build/build.sh), and its files are inputs.
        skipped = SKIPPED_FOLDERS if Path(folder) == start else SKIPPED_FOLDERS - OUTPUT_FOLDERS
        subfolders[:] = sorted(name for name in subfolders if name not in skipped)
        base = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            if not name.endswith(SKIPPED_SUFFIXES):
                yield name if base == "." else f"{base}/{name}"


def python_files(folder: Path, other_projects: set[Path]) -> Iterator[Path]:
    """The .py files below `folder`, leaving out environments, caches and the folders of `other_projects`."""
    for current, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.startswith(".") and Path(current, name) not in other_projects
        )
        yield from (Path(current, name) for name in sorted(files) if name.endswith(".py"))


def has_test_files(folder: Path) -> bool:
    """True when `folder` holds a file pytest would collect by its default names."""
    return any(path.name.startswith("test_") or path.name.endswith("_test.py") for path in python_files(folder, set()))


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in SKIPPED_FOLDERS or name.endswith(SKIPPED_SUFFIXES)}


def paths_inside(root: Path, path: Path) -> bool:
    """True when `path`, its symlinks followed, is inside the repository at `root`."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def copy_project_files(source: Path, target: Path) -> None:
    """Copy the files of `source` that git would keep (tracked, or new and not ignored) to
    `target`: a git-ignored `.env`, `dist/` or notebook output never reaches an image or a
    published package. Outside a git work tree, every file but caches and environments."""
    listed = kept_files(source)
    if listed is None:
        shutil.copytree(source, target, ignore=_ignore, dirs_exist_ok=True)
        return
    inside = source.resolve()
    for relative in listed:
        origin = source / relative
        if not origin.is_file() or any(part in SKIPPED_FOLDERS for part in Path(relative).parts):
            continue  # deleted in the work tree, or a cache that happens to be tracked
        if origin.is_symlink() and not origin.resolve().is_relative_to(inside):
            continue  # a link out of the folder (into $HOME, say) must not ship what it points at
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, destination)
