"""A project's own interpreter: running its modules (pytest, ipykernel, jupytext) and code."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError
from mono.external.proc import Completed, child_environment, run


def run_python(python: Path, args: Sequence[str], cwd: Path, log: Path, check: bool = False) -> Completed:
    """`PYTHON ARGS` in `cwd`, with the tool's environment minus any venv of its own."""
    return run([str(python), *args], cwd=cwd, env=child_environment(), log=log, check=check)


def has_module(python: Path, module: str, cwd: Path, log: Path) -> bool:
    """True when `module` imports in the environment of `python`."""
    return run_python(python, ["-c", f"import {module}"], cwd, log).returncode == 0


@dataclass(frozen=True)
class Interpreter:
    """A Python on this machine and its version."""

    version: str  # "3.12.1"
    path: Path


_UV_MANAGED = re.compile(r"cpython-(\d+\.\d+\.\d+)-")
_VERSIONED_NAME = re.compile(r"python3\.\d+")


def _pyenv_and_uv_pythons() -> list[Interpreter]:
    found = []
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    for folder in sorted(pyenv.glob("*")) if pyenv.is_dir() else []:
        if re.fullmatch(r"\d+\.\d+\.\d+", folder.name) and (folder / "bin/python3").is_file():
            found.append(Interpreter(folder.name, folder / "bin/python3"))
    uv_pythons = Path(os.environ.get("UV_PYTHON_INSTALL_DIR") or Path.home() / ".local/share/uv/python")
    for folder in sorted(uv_pythons.glob("cpython-*")) if uv_pythons.is_dir() else []:
        match = _UV_MANAGED.match(folder.name)
        if match and (folder / "bin/python3").is_file():
            found.append(Interpreter(match.group(1), folder / "bin/python3"))
    return found


def _path_pythons(cwd: Path) -> list[Interpreter]:
    found = []
    names = {
        entry.name: Path(folder) / entry.name
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and os.path.isdir(folder)
        for entry in os.scandir(folder)
        if _VERSIONED_NAME.fullmatch(entry.name)
    }
    for path in names.values():
        try:
            asked = run([str(path), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], cwd=cwd,
                        check=False, stderr="discarded", timeout=30)  # fmt: skip
        except MonoError:
            continue
        if asked.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+", asked.output.strip()):
            found.append(Interpreter(asked.output.strip(), path))
    return found


def find_pythons(cwd: Path) -> list[Interpreter]:
    """The Pythons of this machine: pyenv's, uv's managed ones, and `python3.N` on PATH."""
    return _pyenv_and_uv_pythons() + _path_pythons(cwd)
