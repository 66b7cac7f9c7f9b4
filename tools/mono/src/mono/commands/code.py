"""`mono code`: a multi-root VS Code workspace, one folder per project, each on its own .venv.

VS Code takes folder-level settings only from each folder's `.vscode/settings.json`; a
`.code-workspace` file's `settings` apply to every folder. Writing `.vscode/` into every project
would show in `git status`, so the file holds one workspace setting that resolves per folder:
`python.defaultInterpreterPath` is `${workspaceFolder}/.venv/bin/python`, which the Python
extension expands with the folder of the file it serves. Each project also gets a launch
configuration naming its interpreter explicitly (`${workspaceFolder:NAME}`). The Jupyter
extension has no per-folder kernel setting: a project's `# %%` cells and notebooks run on its
folder's interpreter, and the kernel `mono kernel` registers is offered by name; this command
reports (and with `install` registers) the kernels of the projects whose venv has ipykernel.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mono.commands.install import install_projects
from mono.commands.kernel import register_kernel
from mono.engine.installing import venv_is_whole
from mono.engine.runner import ProgressFactory, RunSummary
from mono.errors import MonoError
from mono.external.python import run_python
from mono.model.graph import Graph
from mono.model.layout import log_path, mono_dir, venv_python
from mono.model.names import is_valid_name
from mono.model.project import Workspace
from mono.repo.files import paths_inside
from mono.repo.venvs import site_packages

SUFFIX = ".code-workspace"
DEFAULT_NAME = f"mono{SUFFIX}"
# The interpreter below a folder, as VS Code's variables name it (forward slashes work on Windows too).
VENV_PYTHON = venv_python(Path(".")).as_posix()
EXTENSIONS = ("ms-python.python", "ms-python.debugpy", "ms-toolsai.jupyter")

# Prints the Python of the user's kernel named argv[1] (wherever Jupyter finds it); exit 3 if none.
_KERNEL_PYTHON = (
    "import sys\n"
    "from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel\n"
    "try:\n    print(KernelSpecManager().get_kernel_spec(sys.argv[1]).argv[0])\n"
    "except (NoSuchKernel, KeyError, IndexError):\n    sys.exit(3)\n"
)
_NO_KERNEL = 3

logger = logging.getLogger("mono")

KernelStatus = Literal["registered", "not registered", "registered for another venv"]


@dataclass(frozen=True)
class Interpreter:
    """A project's folder in the workspace and the interpreter VS Code will look for in it."""

    project: str
    path: str  # repo-relative
    python: Path  # absolute: the project's .venv/bin/python
    exists: bool
    has_lock: bool


@dataclass(frozen=True)
class Kernel:
    """The Jupyter kernel named after a project whose venv has ipykernel."""

    project: str
    status: KernelStatus
    python: str  # what a registered kernel runs ("" when there is none)


@dataclass(frozen=True)
class CodeWorkspace:
    """What `code` wrote and what a user still has to do before opening it."""

    path: Path  # absolute
    interpreters: tuple[Interpreter, ...]
    kernels: tuple[Kernel, ...]
    install: RunSummary | None  # the install `--install` ran, if there was anything to install
    kernels_registered: tuple[str, ...]  # kernels `--install` registered or replaced

    @property
    def missing(self) -> tuple[Interpreter, ...]:
        """The folders whose interpreter does not exist (yet)."""
        return tuple(interpreter for interpreter in self.interpreters if not interpreter.exists)


def output_path(root: Path, cwd: Path, given: str | None) -> Path:
    """Where the workspace file goes: .mono/mono.code-workspace, or `given` (relative to `cwd`),
    which must name a `.code-workspace` file inside the repository, outside `.git`."""
    if given is None:
        return mono_dir(root) / DEFAULT_NAME
    path = Path(os.path.abspath(cwd / given))
    if not path.name.endswith(SUFFIX) or path.name == SUFFIX:
        raise MonoError(f"--output {given}: not a {SUFFIX} file", f"name it like {DEFAULT_NAME}")
    if not paths_inside(root, path) or not paths_inside(root, path.parent):
        raise MonoError(f"--output {given}: outside the repository", "the tool writes only inside the repository")
    if ".git" in path.resolve().relative_to(root.resolve()).parts:
        raise MonoError(f"--output {given}: inside .git", "choose a path in the work tree")
    if not path.parent.is_dir():
        raise MonoError(f"--output {given}: no folder {path.parent}", "create the folder first")
    if path.is_dir():
        raise MonoError(f"--output {given}: is a folder", f"name a {SUFFIX} file")
    return path


def folder_entry(workspace: Workspace, name: str, location: Path) -> dict[str, str]:
    """One element of `folders`: the project's name and its folder relative to the workspace file."""
    folder = workspace.folder(name)
    return {"name": name, "path": Path(os.path.relpath(folder, location.parent)).as_posix()}


def launch_entry(name: str) -> dict[str, str]:
    """A debug configuration for the current file on the project's own interpreter."""
    return {
        "name": f"{name}: current file",
        "type": "debugpy",
        "request": "launch",
        "program": "${file}",
        "cwd": f"${{workspaceFolder:{name}}}",
        "python": f"${{workspaceFolder:{name}}}/{VENV_PYTHON}",
        "console": "integratedTerminal",
    }


def workspace_document(workspace: Workspace, names: list[str], location: Path) -> dict[str, Any]:
    """The `.code-workspace` document for the projects `names`, written at `location`."""
    ordered = sorted(names, key=lambda name: workspace.projects[name].path)
    # `${workspaceFolder:NAME}` ends at the first '}' or ':': only valid names can be written there.
    named = [name for name in ordered if is_valid_name(name)]
    return {
        "folders": [folder_entry(workspace, name, location) for name in ordered],
        "settings": {"python.defaultInterpreterPath": f"${{workspaceFolder}}/{VENV_PYTHON}"},
        "launch": {"version": "0.2.0", "configurations": [launch_entry(name) for name in named]},
        "extensions": {"recommendations": list(EXTENSIONS)},
    }


def interpreters(workspace: Workspace, names: list[str]) -> tuple[Interpreter, ...]:
    """Each project's interpreter and whether it is there, in the workspace's folder order."""
    found = []
    for name in sorted(names, key=lambda name: workspace.projects[name].path):
        folder = workspace.folder(name)
        has_lock = (folder / "poetry.lock").is_file()
        found.append(
            Interpreter(name, workspace.projects[name].path, venv_python(folder), venv_is_whole(folder), has_lock)
        )
    return tuple(found)


def has_ipykernel(workspace: Workspace, name: str) -> bool:
    """True when the project's venv holds ipykernel (a kernel can be registered for it)."""
    return any((folder / "ipykernel").is_dir() for folder in site_packages(workspace.folder(name) / ".venv"))


def kernel_of(workspace: Workspace, name: str) -> Kernel | None:
    """Whether the user's kernel named after the project is registered, and for this venv; None
    (and a warning) when the venv cannot tell (a damaged jupyter_client)."""
    python = venv_python(workspace.folder(name))
    log = log_path(workspace.root, "code", name)
    # Kernel names are lower case (jupyter_client lowers them when it installs one).
    result = run_python(python, ["-c", _KERNEL_PYTHON, name.lower()], workspace.root, log)
    if result.returncode == _NO_KERNEL:
        return Kernel(name, "not registered", "")
    if result.returncode != 0:
        logger.warning("%s: could not read its kernel (%s); see %s", name, result.tail(1).strip(), log)
        return None
    runs = result.output.strip().splitlines()[-1] if result.output.strip() else ""
    # The same bin folder, however the repository's path is spelt (the interpreter itself is a
    # symlink to the base Python, so comparing it resolved would say nothing).
    same = bool(runs) and Path(runs).name == python.name and Path(runs).parent.resolve() == python.parent.resolve()
    return Kernel(name, "registered" if same else "registered for another venv", runs)


def kernels(workspace: Workspace, present: tuple[Interpreter, ...]) -> tuple[Kernel, ...]:
    """The kernels of the projects whose venv is there and has ipykernel."""
    found = [kernel_of(workspace, i.project) for i in present if i.exists and has_ipykernel(workspace, i.project)]
    return tuple(kernel for kernel in found if kernel is not None)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _install_missing(
    workspace: Workspace,
    graph: Graph,
    names: list[str],
    progress: ProgressFactory | None,
    on_wait: Callable[[str], None],
) -> RunSummary | None:
    """Install the projects whose venv is missing and that have a lock to install from."""
    wanted = [i.project for i in interpreters(workspace, names) if not i.exists and i.has_lock]
    if not wanted:
        return None
    return install_projects(
        workspace, graph, graph.order(set(wanted)), workers=None, progress=progress, on_wait=on_wait
    )


def _register_missing(
    workspace: Workspace, graph: Graph, names: list[str], on_wait: Callable[[str], None]
) -> tuple[str, ...]:
    """Register (or point at this venv) the kernels that are not registered for it."""
    wanted = [
        kernel.project for kernel in kernels(workspace, interpreters(workspace, names)) if kernel.status != "registered"
    ]
    for name in wanted:
        register_kernel(workspace, graph, name, workspace.root, on_wait)
    return tuple(wanted)


def make_code_workspace(
    workspace: Workspace,
    graph: Graph,
    names: list[str],
    location: Path,
    install: bool = False,
    progress: ProgressFactory | None = None,
    on_wait: Callable[[str], None] = lambda holder: None,
) -> CodeWorkspace:
    """Write the workspace file at `location`; with `install`, install the missing venvs and
    register the missing kernels; say which interpreters and kernels are (still) missing."""
    # The file does not depend on the venvs: it is written first, whatever an install does.
    write_atomically(location, json.dumps(workspace_document(workspace, names, location), indent=2) + "\n")
    run = _install_missing(workspace, graph, names, progress, on_wait) if install else None
    registered = _register_missing(workspace, graph, names, on_wait) if install else ()
    present = interpreters(workspace, names)
    return CodeWorkspace(location, present, kernels(workspace, present), run, registered)
