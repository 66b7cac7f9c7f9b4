"""`mono exec PROJECT -- CMD...`: a command in a project's venv, installed first when needed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.engine.installing import NO_OWN_LOCK, venv_is_whole
from mono.errors import MonoError
from mono.external.proc import child_environment, replace_process
from mono.model.project import Workspace
from mono.repo.state import hide_state


@dataclass(frozen=True)
class Launch:
    """A program that takes over this process: its arguments, folder and environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]


def venv_environment(folder: Path) -> dict[str, str]:
    """This process's environment as an activated venv of the project in `folder` has it: its
    .venv/bin first on PATH and VIRTUAL_ENV set, so what the command starts uses that venv too."""
    venv = folder / ".venv"
    env = child_environment(VIRTUAL_ENV=str(venv))
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', os.defpath)}"
    return env


def find_program(program: str, name: str, folder: Path, env: dict[str, str]) -> str:
    """The executable `program` names: a path (relative to the project's folder), else the first
    on the venv's PATH; a missing one is a one-line error."""
    if os.sep in program:
        path = folder / program
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    else:
        found = shutil.which(program, path=env["PATH"])
        if found is not None:
            return found
    raise MonoError(
        f"cannot run '{program}' in {name}'s venv: not found",
        f"add it to {name} (./mono poetry {name} add PACKAGE), or put it on PATH",
    )


def check_venv(workspace: Workspace, name: str) -> Path:
    """The project's folder, once it has a venv of its own (a library used by path has none)."""
    folder = workspace.folder(name)
    if not venv_is_whole(folder):
        raise MonoError(f"{name} has no venv of its own: {NO_OWN_LOCK.format(name=name)}")
    return folder


def check_command(name: str, command: Sequence[str]) -> None:
    """Refuse an empty command (before anything is installed for it)."""
    if not command or not command[0]:
        raise MonoError(f"no command to run in {name}", f"put it after --: ./mono exec {name} -- python -V")


def plan_exec(workspace: Workspace, name: str, command: Sequence[str]) -> Launch:
    """How to run `command` in the project's venv, in its folder."""
    check_command(name, command)
    folder = check_venv(workspace, name)
    env = venv_environment(folder)
    return Launch((find_program(command[0], name, folder, env), *command[1:]), folder, env)


def take_over(launch: Launch, root: Path) -> None:
    """Become the launched program (exec): its output, exit code and signals are the user's.
    What the tool wrote under .mono/ is kept out of `git status` first: nothing runs after."""
    hide_state(root)
    replace_process(launch.argv, launch.cwd, launch.env)
