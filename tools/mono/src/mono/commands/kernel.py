"""`mono kernel PROJECT`: a Jupyter kernel for the user, named after the project, running its .venv.

The kernel is registered where Jupyter, VS Code and PyCharm look; registering again replaces
it, so the command is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.engine.jupyter import installed, one_project, require_module
from mono.errors import MonoError
from mono.external.python import run_python
from mono.model.graph import Graph
from mono.model.layout import log_path
from mono.model.project import Workspace

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


def register_kernel(
    workspace: Workspace, graph: Graph, target: str, cwd: Path, on_wait: Callable[[str], None]
) -> KernelChange:
    """Install the project when needed, then register (or replace) its kernel."""
    with installed(workspace.root, target, cwd, "kernel", "ipykernel", on_wait) as ready:
        name = ready.project.name
        command = ["-m", "ipykernel", "install", "--user", "--name", name, "--display-name", name]
        result = run_python(ready.python, command, workspace.root, ready.log, check=True)
    where = result.output.strip().splitlines()[-1].split(" in ", 1)[-1] if result.output.strip() else "?"
    return KernelChange(name, "registered", where, str(ready.python))


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
