"""What a project's .venv holds, seen cheaply: a fingerprint of its installed distributions."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Python writes the bytecode of top-level modules (six.py, py.py) here as it imports them.
_BYTECODE = "__pycache__"


def site_packages(venv: Path) -> list[Path]:
    """The venv's site-packages folders: lib/pythonX.Y/site-packages (or pypyX.Y), or
    Lib/site-packages on Windows; usually one."""
    found = sorted(venv.glob("lib/*/site-packages")) + sorted(venv.glob("Lib/site-packages"))
    return [folder for folder in found if folder.is_dir()]


def venv_fingerprint(venv: Path) -> str:
    """A short hash of what is installed in `venv`: the names at the top of its site-packages and
    the size and modification time of each distribution's RECORD.

    Stat only, no file is read (a few milliseconds for a hundred packages): a distribution
    removed (`pip uninstall`, `rm -rf`), added or reinstalled changes it, and so does a package's
    folder deleted by hand while its dist-info stays. A file deleted deep inside a package does not.
    """
    digest = hashlib.sha256()
    for folder in site_packages(venv):
        digest.update(os.fsencode(folder.relative_to(venv)) + b"\0")
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if _is_installed(entry.name))
        for name in names:
            digest.update(os.fsencode(name) + b"\0")
            if name.endswith(".dist-info"):
                digest.update(_stat_of(folder / name / "RECORD").encode() + b"\0")
    return digest.hexdigest()[:16]


def _is_installed(name: str) -> bool:
    """False for what appears at the top of site-packages without an install: bytecode Python
    writes as it imports, hidden files (a file manager's, an editor's)."""
    return name != _BYTECODE and not name.startswith(".")


def _stat_of(path: Path) -> str:
    """Size and modification time of `path`, or "-" when it is missing or unreadable (a damaged
    dist-info is a state like any other: repairing it changes the fingerprint)."""
    try:
        status = path.stat()
    except OSError:
        return "-"
    return f"{status.st_size}:{status.st_mtime_ns}"
