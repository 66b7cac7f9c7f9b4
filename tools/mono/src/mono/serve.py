"""Serving an app locally: what to start, with which environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError, WrongKind
from mono.poetry import venv_python
from mono.proc import child_environment
from mono.workspace import Workspace

DEFAULT_PORT = "5000"
ENTRY_POINT = "app.py"


@dataclass(frozen=True)
class ServePlan:
    """The process that serves an app: program, arguments, folder and environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]
    url: str


def plan_serve(workspace: Workspace, name: str) -> ServePlan:
    """How to serve app `name` like `poetry run python3 app.py`, on 127.0.0.1 and $PORT."""
    project = workspace.projects[name]
    if project.kind != "app":
        raise WrongKind(
            f"'{name}' is a {project.kind} project, not an app; run serves apps",
            "apps live under app/<program>/<app>; './mono list' shows each project's kind",
        )
    folder = project.directory(workspace.root)
    if not (folder / ENTRY_POINT).is_file():
        raise MonoError(f"{project.path}: no {ENTRY_POINT} to run", "an app's entry point is app.py in its folder")
    env = child_environment()
    env.setdefault("PORT", DEFAULT_PORT)
    if not env["PORT"].isdigit() or not 0 < int(env["PORT"]) < 65536:
        raise MonoError(f"PORT={env['PORT']!r} is not a port number", "use a number from 1 to 65535, e.g. PORT=8000")
    env.setdefault("HOST", "127.0.0.1")
    python = str(venv_python(folder))
    return ServePlan((python, ENTRY_POINT), folder, env, f"http://{env['HOST']}:{env['PORT']}/")
