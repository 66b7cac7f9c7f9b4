"""A project's own interpreter: running its modules (pytest, ipykernel, jupytext) and code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mono.external.proc import Completed, child_environment, run


def run_python(python: Path, args: Sequence[str], cwd: Path, log: Path, check: bool = False) -> Completed:
    """`PYTHON ARGS` in `cwd`, with the tool's environment minus any venv of its own."""
    return run([str(python), *args], cwd=cwd, env=child_environment(), log=log, check=check)


def has_module(python: Path, module: str, cwd: Path, log: Path) -> bool:
    """True when `module` imports in the environment of `python`."""
    return run_python(python, ["-c", f"import {module}"], cwd, log).returncode == 0
