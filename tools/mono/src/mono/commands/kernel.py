"""`mono kernel PROJECT`: a Jupyter kernel for the user, named after the project, running its .venv.

The kernel is registered where Jupyter, VS Code and PyCharm look; registering again replaces
it, so the command is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.engine.installing import install_if_needed
from mono.errors import MonoError
from mono.external.python import has_module, run_python
from mono.model.graph import Graph, build_graph
from mono.model.layout import log_path, venv_python
from mono.model.project import Project, Workspace
from mono.repo.discovery import load_workspace
from mono.repo.selection import SelectionRequest, select
from mono.repo.state import exclusive

_REMOVE = (
    "import sys\n"
    "from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel\n"
    "try:\n    KernelSpecManager().remove_kernel_spec(sys.argv[1])\nexcept (NoSuchKernel, KeyError):\n    sys.exit(3)\n"
)
_NOT_REGISTERED = 3


@dataclass(frozen=True)
class KernelChange:
    """What `kernel` did: registered (where, running which Python), removed, or nothing to remove."""

    project: str
    action: Literal["registered", "removed", "not registered"]
    where: str = ""
    python: str = ""


def require_module(workspace: Workspace, project: Project, module: str, log: Path) -> Path:
    """The project's venv interpreter; a one-line error when `module` is not installed in it."""
    python = venv_python(project.directory(workspace.root))
    if not has_module(python, module, workspace.root, log):
        raise MonoError(f"{project.name}'s venv has no {module}", f"add it to {project.path}/pyproject.toml and lock")
    return python


def one_project(workspace: Workspace, graph: Graph, target: str, cwd: Path) -> Project:
    """The one project `target` names (by name or path)."""
    (name,) = select(workspace, graph, SelectionRequest(targets=(target,)), cwd)
    return workspace.projects[name]


def register_kernel(
    workspace: Workspace, graph: Graph, target: str, cwd: Path, on_wait: Callable[[str], None]
) -> KernelChange:
    """Install the project when needed, then register (or replace) its kernel."""
    with exclusive(workspace.root, "mono kernel", on_wait):
        # Read again under the lock: another ./mono may have changed the projects meanwhile.
        workspace = load_workspace(workspace.root)
        graph = build_graph(workspace)
        project = one_project(workspace, graph, target, cwd)
        log = log_path(workspace.root, "kernel", project.name)
        install_if_needed(workspace, graph, project.name, log)
        python = require_module(workspace, project, "ipykernel", log)
        command = ["-m", "ipykernel", "install", "--user", "--name", project.name, "--display-name", project.name]
        result = run_python(python, command, workspace.root, log, check=True)
    where = result.output.strip().splitlines()[-1].split(" in ", 1)[-1] if result.output.strip() else "?"
    return KernelChange(project.name, "registered", where, str(python))


def remove_kernel(workspace: Workspace, graph: Graph, target: str, cwd: Path) -> KernelChange:
    """Remove the user's kernel named after the project, if there is one (installs nothing)."""
    project = one_project(workspace, graph, target, cwd)
    log = log_path(workspace.root, "kernel", project.name)
    # The venv only needs jupyter_client, which ipykernel brought when the kernel was registered.
    python = require_module(workspace, project, "jupyter_client", log)
    result = run_python(python, ["-c", _REMOVE, project.name], workspace.root, log)
    if result.returncode == _NOT_REGISTERED:
        return KernelChange(project.name, "not registered")
    if result.returncode != 0:
        raise MonoError(f"could not remove kernel {project.name}: {result.tail(1)}")
    return KernelChange(project.name, "removed")
