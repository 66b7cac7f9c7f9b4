"""`mono run APP`: what serves an app locally, installed first when needed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mono.engine.installing import install_if_needed, needs_install
from mono.errors import MonoError, WrongKind
from mono.external.proc import child_environment, start_log
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.layout import log_path, venv_python
from mono.model.project import Workspace
from mono.repo.state import exclusive

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
    if not rules(project.kind).servable:
        raise WrongKind(
            f"'{name}' is a {project.kind} project, not an app; run serves apps",
            "apps live under app/<program>/<app>; './mono list' shows each project's kind",
        )
    folder = project.directory(workspace.root)
    if not (folder / ENTRY_POINT).is_file():
        raise MonoError(f"{project.path}: no {ENTRY_POINT} to run", "an app's entry point is app.py in its folder")
    env = child_environment()
    env.setdefault("PORT", DEFAULT_PORT)
    # isdigit() is true of '²' and other digits int() will not read: ASCII digits only.
    if not (env["PORT"].isascii() and env["PORT"].isdigit()) or not 0 < int(env["PORT"]) < 65536:
        raise MonoError(f"PORT={env['PORT']!r} is not a port number", "use a number from 1 to 65535, e.g. PORT=8000")
    env.setdefault("HOST", "127.0.0.1")
    python = str(venv_python(folder))
    return ServePlan((python, ENTRY_POINT), folder, env, f"http://{env['HOST']}:{env['PORT']}/")


def install_for_run(
    workspace: Workspace, graph: Graph, name: str, on_start: Callable[[Path], None], on_wait: Callable[[str], None]
) -> None:
    """Install the app under the work lock when its venv is behind; `on_start` gets the log first."""
    if not needs_install(workspace, graph, name):
        return
    log = log_path(workspace.root, "install", name)
    on_start(log)
    start_log(log)
    with exclusive(workspace.root, f"mono run {name}", on_wait):
        install_if_needed(workspace, graph, name, log)  # says so when the venv changed by hand
