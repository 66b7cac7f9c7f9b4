"""The one place that calls Poetry: its executable, its environment, its commands."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mono.errors import CommandFailed
from mono.external.index import index_url
from mono.external.poetry_worker import MARK
from mono.external.proc import Completed, child_environment, run, tool_executable
from mono.model.layout import index_names_cache, poetry_virtualenvs


def poetry_executable() -> str:
    """Poetry from the tool's own environment (.mono/venv), else from PATH."""
    return tool_executable("poetry")


def poetry_environment(root: Path) -> dict[str, str]:
    """Environment for Poetry: in-project venvs, no prompts, and pip's index via the mirror plugin."""
    env = child_environment(
        POETRY_VIRTUALENVS_IN_PROJECT="true",
        # Poetry falls back to a venv in its central folder when .venv is missing, even with
        # in-project set; an empty folder of our own makes it always create .venv instead.
        POETRY_VIRTUALENVS_PATH=str(poetry_virtualenvs(root)),
        POETRY_NO_INTERACTION="1",
    )
    # The mirror plugin makes Poetry use the simple API of the index pip uses, so one setting
    # (PIP_INDEX_URL or pip's config) serves both; an explicit POETRY_PYPI_MIRROR_URL wins.
    env.setdefault("POETRY_PYPI_MIRROR_URL", index_url())
    # Without a desktop session, keyring backends can hang waiting for a prompt.
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return env


# For `poetry build`: poetry-core stamps wheel entries with this date, so unchanged sources give
# identical wheels (and Docker reuses the wheels layer). 1980-01-01, the earliest a zip file holds.
REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "315532800"}

# For a project whose requires-python leaves out the Python Poetry runs on: without a venv of
# its own Poetry refuses to lock or export it; with one, Poetry finds a Python that fits.
OTHER_PYTHON = {"POETRY_VIRTUALENVS_CREATE": "true"}

# Commands that write to Poetry's shared cache (downloaded artifacts, HTTP responses). Parallel
# Poetry processes corrupt it (python-poetry/poetry#7370, #11048), so these run one at a time;
# everything else (export, check, and all of uv's installing and the test runs) stays parallel.
CACHE_WRITERS = frozenset({"lock", "sync", "install", "update", "add", "remove"})
_cache_turn = threading.Lock()
# Commands that read or write files only. Poetry would still create the project's venv first
# (most of a lock's time on a new project); with creation off it uses no venv at all.
NO_VENV_NEEDED = frozenset({"lock", "check", "export", "build"})


def poetry(
    args: list[str],
    root: Path,
    project_dir: Path,
    log: Path | None,
    check: bool = True,
    extra_env: dict[str, str] | None = None,
    undo_if_killed: Mapping[Path, Path | None] | None = None,
) -> Completed:
    """Run `poetry ARGS` in `project_dir` of the repository at `root` (`undo_if_killed`: as for
    `proc.run`)."""
    env = poetry_environment(root)
    if args and args[0] in NO_VENV_NEEDED:
        env["POETRY_VIRTUALENVS_CREATE"] = "false"
    env.update(extra_env or {})  # a caller's setting wins (OTHER_PYTHON turns venv creation back on)
    turn = _cache_turn if args and args[0] in CACHE_WRITERS else contextlib.nullcontext()
    with turn:
        command = [poetry_executable(), "--no-ansi", *args]
        return run(command, cwd=project_dir, env=env, log=log, check=check, undo_if_killed=undo_if_killed)


# Poetry's advice on a stale lock ("Run `poetry lock` to fix the lock file.", older Poetry's
# "`poetry lock [--no-update]`"): here `poetry` is not on PATH, and ./mono lock relocks with
# the repository's index setting (and what depends on the project, too).
_POETRY_LOCK_ADVICE = re.compile(r"`poetry lock(?: \[?--no-update\]?)?`")


@contextlib.contextmanager
def mono_lock_advice(name: str) -> Iterator[None]:
    """Within the block, a Poetry failure that says to run `poetry lock` says `./mono lock NAME`."""
    try:
        yield
    except CommandFailed as error:
        tail = _POETRY_LOCK_ADVICE.sub(f"`./mono lock {name}`", error.tail)
        if tail == error.tail:
            raise
        raise CommandFailed(error.command, error.returncode, tail, error.log) from error


@dataclass(frozen=True)
class Locked:
    """How the worker's lock of one project ended, and what Poetry said meanwhile."""

    folder: Path
    ok: bool
    output: str


def lock_in_one_process(
    root: Path,
    folders: Sequence[Path],
    on_locked: Callable[[Locked], None],
    regenerate: bool = False,
    undo_if_killed: Mapping[Path, Path | None] | None = None,
) -> None:
    """`poetry lock` in each of `folders`, all in one process (mono.external.poetry_worker),
    which shares what it fetches about packages across them. `on_locked` hears of each project
    once, as it ends; of one the worker did not get to (it died), as a failure with its last
    words. One at a time, like every command that writes Poetry's cache."""
    env = poetry_environment(root)
    env["POETRY_VIRTUALENVS_CREATE"] = "false"
    said: list[str] = []
    heard: set[Path] = set()

    def hear(line: str) -> None:
        if not line.startswith(MARK):
            said.append(line)
            return
        result: dict[str, Any] = json.loads(line.removeprefix(MARK))
        heard.add(Path(result["folder"]))
        on_locked(Locked(Path(result["folder"]), bool(result["ok"]), "".join(said)))
        said.clear()

    # -P: the repository's own folders (a `mono/` of the user's) must not shadow the tool.
    command = [sys.executable, "-P", "-m", "mono.external.poetry_worker", "--names", str(index_names_cache())]
    command += ["--regenerate"] if regenerate else []
    with _cache_turn:
        ended = run([*command, *map(str, folders)], cwd=root, env=env, check=False, undo_if_killed=undo_if_killed,
                    on_line=hear)  # fmt: skip
    for folder in folders:
        if folder not in heard:
            why = f"[the Poetry worker ended with status {ended.returncode} before it had locked {folder.name}]\n"
            on_locked(Locked(folder, False, "".join(said) + why))
            said.clear()


@dataclass(frozen=True)
class LockCheck:
    """What `poetry check --lock` would find: `errors` in the pyproject.toml itself (relocking
    would not help), else whether the lock's content hash is the pyproject's."""

    errors: tuple[str, ...] = ()
    fresh: bool = True


def check_lock(folder: Path) -> LockCheck:
    """`poetry check --lock` in `folder` without starting Poetry: Poetry's own code (its
    Locker's content hash, poetry-core's reading of the project, Poetry's schema), imported
    only when a lock has to be inspected."""
    try:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return LockCheck((f"pyproject.toml cannot be read: {error}",), fresh=False)
    errors = _pyproject_errors(folder, data)
    if errors:
        return LockCheck(errors, fresh=False)
    return LockCheck(fresh=lock_is_fresh(folder, data))


def lock_is_fresh(folder: Path, pyproject: dict[str, Any], recorded_hash: object = None) -> bool:
    """Whether Poetry takes the folder's poetry.lock as made from `pyproject` (its parsed TOML):
    Poetry's own Locker decides (its content hash, and which Poetry versions hashed which tables),
    so the tool has one rule for a fresh lock and it is Poetry's. `recorded_hash`, the lock's
    `content-hash` when the caller has parsed it already, spares Poetry parsing it again (40 ms
    for a lock with numpy's hashes) when it equals Poetry's hash: is_fresh's first answer."""
    from poetry.packages.locker import Locker

    locker = Locker(folder / "poetry.lock", pyproject)
    try:
        if isinstance(recorded_hash, str) and recorded_hash == getattr(locker, "_content_hash", None):
            return True
        return locker.is_locked() and locker.is_fresh()
    except (OSError, ValueError, TypeError, AttributeError):
        return False  # an unreadable lock, or one whose tables have the wrong type, is no fresh one


def _pyproject_errors(folder: Path, data: dict[str, Any]) -> tuple[str, ...]:
    """The errors `poetry check` reports about the pyproject.toml (not about its lock)."""
    from poetry.core.factory import Factory
    from poetry.json import validate_object

    try:
        Factory().create_poetry(folder)  # reads every table as Poetry does; raises what it finds
    except Exception as error:  # noqa: BLE001 - whatever Poetry finds wrong, it says in its message
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        listed = [line.removeprefix("- ") for line in lines if line.startswith("- ")]
        return tuple(listed or lines[-1:] or [type(error).__name__])
    config = data.get("tool", {}).get("poetry", {})
    errors = [error.replace("data.", "tool.poetry.") for error in validate_object(config)]
    readmes = [config.get("readme"), data.get("project", {}).get("readme")]
    for readme in readmes:
        named = readme.get("file") if isinstance(readme, dict) else readme
        for name in [named] if isinstance(named, str) else named or []:
            if not name:
                errors.append("Declared README file is an empty string.")
            elif not (folder / name).exists():
                errors.append(f"Declared README file does not exist: {name}")
    return tuple(errors)
