"""The layout of `.mono/`: every path the tool keeps state, logs and caches at, and the record names.

Only paths are computed here; reading and writing them is the repo layer's (mono.repo.state).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Literal

from mono.model.names import is_valid_name

MONO_DIR = ".mono"
# What the tool remembers per project: a lock it verified, an install, a passing test run.
Record = Literal["locked", "installed", "tested"]
RECORDS: tuple[Record, ...] = ("locked", "installed", "tested")


def file_name(project: str) -> str:
    """A project's name as one file name: as it is when it is a valid distribution name (so no
    '/', '..' or absolute path), else a name made from its hash, so that a hostile
    `name = "/tmp/x"` can never make a path leave `.mono/` (`check` reports such names)."""
    if is_valid_name(project):
        return project
    return "invalid-name-" + hashlib.sha256(project.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def mono_dir(root: Path) -> Path:
    """The tool's folder in the repository."""
    return root / MONO_DIR


def state_dir(root: Path) -> Path:
    """Where the tool keeps what it remembers between runs."""
    return mono_dir(root) / "state"


def record(root: Path, kind: Record, project: str) -> Path:
    """The record of one kind for one project."""
    return state_dir(root) / kind / file_name(project)


def base_image_record(root: Path, key: str) -> Path:
    """What the tool learnt about a base image (by a hash of its ID)."""
    return state_dir(root) / "base-images" / key


def requirements_file(root: Path, project: str) -> Path:
    """The requirements exported from a project's lock, for uv."""
    return state_dir(root) / "requirements" / f"{file_name(project)}.txt"


def user_cache() -> Path:
    """The tool's folder in the user's cache directory (XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mono"


def index_names_cache() -> Path:
    """The names of the packages locks looked up on each package index, so that the next lock
    fetches their index pages ahead, in parallel (mono.external.poetry_worker). Names only, of
    any repository: a new project needs much the same packages."""
    return user_cache() / "index-names.json"


def outside_folder(root: Path) -> Path:
    """A folder of this repository's own under the user's cache directory, for what read-only
    commands must keep (their logs): they write nothing inside the repository."""
    key = hashlib.sha256(os.fsencode(root)).hexdigest()[:12]
    readable = re.sub(r"[^\w.-]", "_", root.name)[:40] or "repo"
    return user_cache() / "repos" / f"{readable}-{key}"


def pyproject_cache(root: Path) -> Path:
    """The parsed pyproject.toml files of the repository, kept outside it: discovery runs in the
    read-only commands too."""
    return outside_folder(root) / "cache" / "pyprojects.json"


def folder_cache(root: Path) -> Path:
    """What discovery learnt of the repository's folders (their sub-folders, their
    pyproject.toml), outside it, as the parsed pyprojects."""
    return outside_folder(root) / "cache" / "folders.json"


def file_hash_cache(root: Path) -> Path:
    """The sha256 of the files the cache keys of install and test hash, by their stat."""
    return state_dir(root) / "file-hashes.json"


def log_path(root: Path, command: str, project: str, read_only: bool = False) -> Path:
    """Where one project's output for one command goes; outside the repository for a read-only command."""
    logs = outside_folder(root) / "logs" if read_only else mono_dir(root) / "logs"
    return logs / command / f"{file_name(project)}.log"


def undo_copies(root: Path) -> Path:
    """Copies of the files a running command changes, for putting them back if ./mono dies."""
    return mono_dir(root) / "undo"


def work_lock(root: Path) -> Path:
    """The lock a command that writes venvs or state holds."""
    return mono_dir(root) / "lock"


def wheel_cache(root: Path, project: str) -> Path:
    """Built wheels of an internal project, one folder per source key."""
    return mono_dir(root) / "cache" / "wheels" / file_name(project)


def editable_wheels(root: Path, project: str) -> Path:
    """Editable wheels of an internal project built by the tool, one folder per wheel's digest."""
    return mono_dir(root) / "cache" / "editables" / file_name(project)


def poetry_virtualenvs(root: Path) -> Path:
    """An empty folder for Poetry's central venvs, so Poetry always makes the in-project .venv."""
    return mono_dir(root) / "poetry-virtualenvs"


def venv_python(project_dir: Path) -> Path:
    """The interpreter of a project's in-project virtual environment."""
    return project_dir / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
