"""Ruff: lint and format runs over repo-relative paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mono.external.proc import Completed, run, tool_executable


def ruff(args: Sequence[str], paths: Sequence[str], root: Path) -> Completed:
    """`ruff ARGS -- PATHS` in `root`, unchecked (ruff's exit status says what it found)."""
    # --force-exclude: ruff's exclusions (.venv, .gitignore'd files) hold for paths named here too.
    return run([tool_executable("ruff"), *args, "--force-exclude", "--", *paths], cwd=root, check=False)


def tidy(folder: Path, root: Path, log: Path) -> None:
    """Sort imports and format the files below `folder` with the repository's settings."""
    executable = tool_executable("ruff")
    run([executable, "check", "--no-cache", "--fix", "--select", "I", "--quiet", str(folder)], cwd=root, log=log,
        check=False)  # fmt: skip
    run([executable, "format", "--no-cache", "--quiet", str(folder)], cwd=root, log=log)
