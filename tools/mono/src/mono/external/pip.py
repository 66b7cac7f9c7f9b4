"""pip: downloading locked wheels for another platform (a base image's)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from mono.external.proc import child_environment, run


def download_wheels(requirements: Path, destination: Path, options: Sequence[str], cwd: Path, log: Path) -> None:
    """Download the hashed `requirements` as wheels into `destination` (no dependencies resolved)."""
    download = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--progress-bar", "off"]
    download += ["--disable-pip-version-check", "--dest", str(destination), "-r", str(requirements)]
    run([*download, *options], cwd=cwd, env=child_environment(), log=log)
