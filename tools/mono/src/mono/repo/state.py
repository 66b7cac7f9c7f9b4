"""State under .mono/: small records written atomically and safe to delete, and the work lock."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mono.errors import StateLinksOut
from mono.external.proc import held_by_children
from mono.model.layout import RECORDS, Record, mono_dir, record, undo_copies, work_lock

logger = logging.getLogger("mono")

# Every stamp is one short line of hashes, versions and names; anything else is damage.
_STAMP = re.compile(r"[\w.:+ -]{1,1024}")


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
    _discard(path)
    return None


def _discard(path: Path) -> None:
    """Remove what is at `path` under .mono/, a file or (where a file belongs) a folder."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def write_stamp(path: Path, value: str) -> None:
    """Store `value` at `path` atomically: a reader sees the old or the new stamp, never half."""
    write_atomically(path, (value + "\n").encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Store `data` at `path` in one step (a reader sees the old or the new file, never half),
    making its folder (readable by its owner only) as needed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_dir():
        _discard(path)  # a folder where the file belongs: os.replace cannot put a file there
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def exclusive(root: Path, purpose: str, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the repository's work lock (.mono/lock); if another ./mono holds it, say who and wait.

    Two commands that install or test at once would share venvs and state; one waits instead.
    The operating system releases the lock when its holder exits, even after a crash, and when
    the guards of the commands it started (which hold it too) have stopped all of their work.
    """
    path = work_lock(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        logger.warning("discarded %s, a folder where the work lock belongs", path)
        _discard(path)
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
            with held_by_children(handle.fileno()):
                yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()


Undo = dict[Path, Path | None]


@contextlib.contextmanager
def saved_for_undo(root: Path, files: Iterable[Path]) -> Iterator[Undo]:
    """A copy under .mono/undo/ of each of `files` (None for one that does not exist yet), for
    putting them back with `put_back`, or by a command's guard should ./mono die while the command
    changes them. The copies are gone after the block."""
    folder = undo_copies(root)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    saved: Undo = {}
    try:
        for path in files:
            saved[path] = None
            if path.is_file():
                handle, name = tempfile.mkstemp(dir=folder, prefix=f"{path.name}.")
                with os.fdopen(handle, "wb") as file:
                    file.write(path.read_bytes())
                saved[path] = Path(name)
        yield saved
    finally:
        for kept in saved.values():
            if kept is not None:
                kept.unlink(missing_ok=True)


def put_back(saved: Undo) -> None:
    """Each saved file as it was, replaced in one step (a reader never sees half of it); one that
    did not exist is removed."""
    for path, copy in saved.items():
        if copy is None:
            path.unlink(missing_ok=True)
            continue
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(copy.read_bytes())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def refuse_links_out(root: Path) -> None:
    """Raise StateLinksOut when `.mono/`, or anything in it but the tool's own venv (whose
    interpreter links to the system's), is a symlink that leads out of it: a repository that
    commits `.mono -> ~/.ssh` must not make the tool write there."""
    folder = mono_dir(root)
    if folder.is_symlink():
        raise StateLinksOut(folder, folder.resolve())
    if not folder.is_dir():
        return
    inside = folder.resolve()
    for current, folders, files in os.walk(folder):
        if current == str(folder):
            folders[:] = [name for name in folders if name != "venv"]
        for name in (*folders, *files):
            path = Path(current, name)
            if path.is_symlink() and not path.resolve().is_relative_to(inside):
                raise StateLinksOut(path, path.resolve())


def hide_state(root: Path) -> None:
    """Keep `.mono/` out of `git status` with a `.gitignore` of `*` in it (as venv tools do), so
    a repository that does not ignore it stays clean, and readable by its owner only (logs may
    quote what a redaction does not know of); a read-only tree is left as it is."""
    folder = mono_dir(root)
    if not folder.is_dir() or folder.is_symlink():
        return
    with contextlib.suppress(OSError):
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")


def forget(root: Path, project: str, records: Iterable[Record] = RECORDS) -> None:
    """Delete what the tool remembers about `project` (its work is done again next time)."""
    for kind in records:
        record(root, kind, project).unlink(missing_ok=True)
