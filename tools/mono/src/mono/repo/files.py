"""Walking a project's files: what counts as input, what ships (what git tracks), which Python files it has."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError
from mono.external.git import folder_files

# Folders that hold output, caches or environments, never inputs.
SKIPPED_FOLDERS = frozenset(
    {".git", ".mono", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
     ".ipynb_checkpoints", "node_modules", "dist", "build", ".terraform",
     # What test runs write (hypothesis' example database, import-linter's cache, tox and nox
     # environments): were they inputs, every run would change the key of the next one.
     ".hypothesis", ".import_linter_cache", ".tox", ".nox"}
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
    except (OSError, ValueError):  # ValueError: a NUL in a path a file wrote, which names nothing
        return False


@dataclass(frozen=True)
class Shipped:
    """What of a folder goes into an image or a published package, relative to the folder."""

    files: tuple[str, ...] | None  # None outside a git work tree: every file but caches
    left_out: tuple[str, ...]  # untracked (and not ignored) files that stay out


def shipped_files(source: Path, named: Iterable[str] = ()) -> Shipped:
    """The files of `source` that git tracks (as its index has them, so `git add -N` counts), and
    the untracked ones of `named` (the files a Dockerfile COPYs by name); every other untracked
    file is left out, and ignored ones (a `.env`) never count. Outside a git work tree: every file
    but caches and environments."""
    found = folder_files(source)
    if found is None:
        return Shipped(None, ())
    wanted = set(named)
    chosen = [*found.tracked, *(path for path in found.untracked if path in wanted)]
    files = sorted(path for path in set(chosen) if _ships(source, path))
    left_out = sorted(path for path in found.untracked if path not in wanted and not _is_skipped(path))
    return Shipped(tuple(files), tuple(left_out))


def _in_skipped_folder(relative: str) -> bool:
    return any(part in SKIPPED_FOLDERS for part in Path(relative).parts)


def _is_skipped(relative: str) -> bool:
    """True for a file no one ships (a cache, an environment): not worth a warning either."""
    return _in_skipped_folder(relative) or relative.endswith(SKIPPED_SUFFIXES)


def _ships(source: Path, relative: str) -> bool:
    origin = source / relative
    if not origin.is_file() or _in_skipped_folder(relative):
        return False  # deleted in the work tree, or a cache that happens to be tracked
    # A link out of the folder (into $HOME, say) must not ship what it points at.
    return not origin.is_symlink() or origin.resolve().is_relative_to(source.resolve())


def copy_project_files(source: Path, target: Path, shipped: Shipped | None = None) -> Shipped:
    """Copy the files of `source` that ship (`shipped`, else `shipped_files(source)`) to `target`:
    an untracked `templates/secret.txt` or a git-ignored `.env` never reaches an image or a
    published package. What was copied, and what was left out."""
    chosen = shipped if shipped is not None else shipped_files(source)
    if chosen.files is None:
        shutil.copytree(source, target, ignore=_ignore, dirs_exist_ok=True)
        return chosen
    target.mkdir(parents=True, exist_ok=True)
    for relative in chosen.files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, destination)
    return chosen


def package_pyproject(copy: Path, shown: str) -> Path:
    """The pyproject.toml of a copy made to build a package from (`shown`: the project's path);
    a one-line MonoError when it is not there, as git does not track it."""
    pyproject = copy / "pyproject.toml"
    if not pyproject.is_file():
        raise MonoError(
            f"{shown}/pyproject.toml is not tracked by git, and only tracked files are built into packages",
            f"git add {shown} (git add -N {shown} to build it before a commit)",
        )
    return pyproject


_SHOWN = 3  # names in a left-out warning; the rest are counted


@dataclass(frozen=True)
class LeftOut:
    """Untracked files of one project (or of the repository's root) that stayed out of a build."""

    owner: str  # a project's name, or "the repository"
    files: tuple[str, ...]  # relative to the owner's folder

    def warning(self) -> str:
        """One line that names a few of them and says how to ship them."""
        names = [name if name.isprintable() else repr(name) for name in self.files[:_SHOWN]]
        more = f" and {len(self.files) - _SHOWN} more" if len(self.files) > _SHOWN else ""
        files, them = ("file", "it") if len(self.files) == 1 else ("files", "them")
        return (
            f"left out {len(self.files)} untracked {files} of {self.owner} ({', '.join(names)}{more}): "
            f"git add {them} to ship {them}"
        )
