"""The one place that calls Poetry: its executable, its environment, its commands."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from mono.errors import CommandFailed
from mono.external.index import index_url
from mono.external.proc import Completed, child_environment, run, tool_executable
from mono.model.layout import poetry_virtualenvs


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
