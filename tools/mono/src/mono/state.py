"""Small records under .mono/state: written atomically, safe to delete."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def state_dir(root: Path) -> Path:
    """Where the tool keeps what it remembers between runs."""
    return root / ".mono" / "state"


def read_stamp(path: Path) -> str | None:
    """The stamp stored at `path`, or None when there is none or it cannot be read."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
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


def digest_files(files: list[Path], root: Path) -> str:
    """One hash over the names and contents of `files` (missing files count as absent)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError:
            digest.update(b"<absent>")
        digest.update(b"\0")
    return digest.hexdigest()
