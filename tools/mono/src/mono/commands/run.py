"""`mono run PROJECT`: serve an app locally, or run a project's entry point; installed first when needed."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.commands.exec_ import Launch
from mono.engine.installing import install_if_needed, needs_install
from mono.errors import MonoError, WrongKind
from mono.external.logs import start_log
from mono.external.proc import child_environment
from mono.model.graph import Graph
from mono.model.kinds import rules
from mono.model.layout import log_path, venv_python
from mono.model.project import Workspace
from mono.repo.pyproject import PyProject
from mono.repo.state import exclusive

DEFAULT_PORT = "5000"
ENTRY_POINT = "app.py"
# How far past a taken port the hint looks for a free one.
_PORTS_TRIED = 20


@dataclass(frozen=True)
class ServePlan:
    """The process that serves an app: program, arguments, folder and environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]
    url: str

    @property
    def launch(self) -> Launch:
        """The serving program, to take over this process."""
        return Launch(self.argv, self.cwd, self.env)


@dataclass(frozen=True)
class EntryPlan:
    """A project's entry point, with the arguments given after --, to run in its venv."""

    command: tuple[str, ...]


def plan_run(workspace: Workspace, name: str, extra: Sequence[str] = ()) -> ServePlan | EntryPlan:
    """What `./mono run NAME` does: its `[tool.mono] run` command; else serve it, for an app; else
    its one console script. Nothing to run is a one-line error saying how to give it one."""
    project = workspace.projects[name]
    pyproject = PyProject.read(workspace.folder(name) / "pyproject.toml", project.pyproject_shown)
    if pyproject.run_setting is None and rules(project.kind).servable:
        return plan_serve(workspace, name, extra)
    command = pyproject.run_command
    if command is not None:
        return EntryPlan((*command, *extra))
    scripts = pyproject.scripts
    if scripts:
        raise MonoError(
            f"{name} has {len(scripts)} scripts ({', '.join(scripts)}) and no [tool.mono] run to choose one",
            f'set run = "{scripts[0]}" in [tool.mono] of {project.pyproject_shown}, '
            f"or run one with ./mono exec {name} -- {scripts[0]}",
        )
    raise MonoError(
        f"{name} has nothing to run: {project.pyproject_shown} has no [project.scripts] entry and no [tool.mono] run",
        'add one, e.g. [tool.mono] run = "python -m PACKAGE.main"; see "run" in docs/mono.md',
    )


def plan_serve(workspace: Workspace, name: str, extra: Sequence[str] = ()) -> ServePlan:
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
    return ServePlan((python, ENTRY_POINT, *extra), folder, env, f"http://{env['HOST']}:{env['PORT']}/")


def _is_taken(host: str, port: int) -> bool:
    """True when something listens on `host`:`port` already (a test bind fails with "in use").
    Other failures (an unknown HOST, a port below 1024) are the server's to report."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As the servers do: a port left in TIME_WAIT by the last run is free to them.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return error.errno == errno.EADDRINUSE
    return False


def check_port_free(plan: ServePlan, name: str) -> None:
    """Refuse, with a free port to use instead, when the app's port is taken: the app would start
    and fail with "Address already in use"."""
    host, port = plan.env["HOST"], int(plan.env["PORT"])
    if not _is_taken(host, port):
        return
    other = next((p for p in range(port + 1, min(port + _PORTS_TRIED, 65535) + 1) if not _is_taken(host, p)), None)
    hint = f"stop what listens there, or choose another port: PORT={other or 'N'} ./mono run {name}"
    raise MonoError(f"port {port} on {host} is already in use", hint)


def install_for_run(
    workspace: Workspace, graph: Graph, name: str, on_start: Callable[[Path], None], on_wait: Callable[[str], None]
) -> None:
    """Install the project under the work lock when its venv is behind; `on_start` gets the log first."""
    if not needs_install(workspace, graph, name):
        return
    log = log_path(workspace.root, "install", name)
    on_start(log)
    start_log(log)
    with exclusive(workspace.root, f"mono run {name}", on_wait):
        install_if_needed(workspace, graph, name, log)  # says so when the venv changed by hand
