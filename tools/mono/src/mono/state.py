"""Small records under .mono/state: written atomically, safe to delete."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger("mono")

# Every stamp is one short line of hashes, versions and names; anything else is damage.
_STAMP = re.compile(r"[\w.:+ -]{1,1024}")


def state_dir(root: Path) -> Path:
    """Where the tool keeps what it remembers between runs."""
    return root / ".mono" / "state"


def read_stamp(path: Path) -> str | None:
    """The stamp stored at `path`, or None when there is none.

    A stamp that cannot be read or is not a stamp is deleted with a warning: the work it
    records is simply done again, so damage under .mono/ never stops a command.
    """
    try:
        value: str | None = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        value = None
    if value is not None and _STAMP.fullmatch(value):
        return value
    logger.warning("discarded a damaged state file %s; the work it recorded will be redone", path)
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def write_stamp(path: Path, value: str) -> None:
    """Store `value` at `path` atomically: a reader sees the old or the new stamp, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(value + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def exclusive(root: Path, purpose: str, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the repository's work lock (.mono/lock); if another ./mono holds it, say who and wait.

    Two commands that install or test at once would share venvs and state; one waits instead.
    The operating system releases the lock when its holder exits, even after a crash.
    """
    path = root / ".mono" / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            on_wait(handle.read().strip() or "another ./mono")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({purpose})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()


@contextlib.contextmanager
def all_or_nothing(root: Path, projects: dict[str, Path]) -> Iterator[None]:
    """Put each project's pyproject.toml and poetry.lock back as they were (and forget their
    lock records) when the block fails or is interrupted: edits and relocks across several
    projects land together or not at all."""
    saved = {
        folder / name: (folder / name).read_bytes() if (folder / name).is_file() else None
        for folder in projects.values()
        for name in ("pyproject.toml", "poetry.lock")
    }
    try:
        yield
    except BaseException:
        for path, content in saved.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        for project in projects:
            (state_dir(root) / "locked" / project).unlink(missing_ok=True)
        raise
