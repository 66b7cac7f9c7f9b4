"""Jupyter for a project: its own kernel (`mono kernel`) and a notebook paired with its script.

The kernel is registered for the user (where Jupyter, VS Code and PyCharm look) under the
project's name, and runs the project's own .venv; registering again replaces it, so the command
is idempotent. The notebook is a jupytext pairing: `NAME.py` (percent format, the file that is
committed and reviewed) and `NAME.ipynb`, kept in sync by jupytext.
"""

from __future__ import annotations

from pathlib import Path

from mono.errors import MonoError
from mono.poetry import venv_python
from mono.proc import child_environment, run
from mono.workspace import Project, Workspace

_REMOVE = (
    "import sys\n"
    "from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel\n"
    "try:\n    KernelSpecManager().remove_kernel_spec(sys.argv[1])\nexcept (NoSuchKernel, KeyError):\n    sys.exit(3)\n"
)
_NOT_REGISTERED = 3


def _require_module(workspace: Workspace, project: Project, module: str, log: Path) -> Path:
    python = venv_python(project.directory(workspace.root))
    check = run(
        [str(python), "-c", f"import {module}"], cwd=workspace.root, env=child_environment(), log=log, check=False
    )
    if check.returncode != 0:
        raise MonoError(f"{project.name}'s venv has no {module}", f"add it to {project.path}/pyproject.toml and lock")
    return python


def register_kernel(workspace: Workspace, project: Project, log: Path) -> str:
    """Register (or replace) the user's Jupyter kernel named after the project; says where."""
    python = _require_module(workspace, project, "ipykernel", log)
    command = [str(python), "-m", "ipykernel", "install", "--user", "--name", project.name]
    result = run([*command, "--display-name", project.name], cwd=workspace.root, env=child_environment(), log=log)
    where = result.output.strip().splitlines()[-1].split(" in ", 1)[-1] if result.output.strip() else "?"
    return f"kernel {project.name}: registered in {where}; it runs {python}"


def remove_kernel(workspace: Workspace, project: Project, log: Path) -> str:
    """Remove the user's kernel named after the project, if there is one."""
    python = _require_module(workspace, project, "jupyter_client", log)
    result = run([str(python), "-c", _REMOVE, project.name], cwd=workspace.root, env=child_environment(), log=log,
                 check=False)  # fmt: skip
    if result.returncode == _NOT_REGISTERED:
        return f"kernel {project.name}: not registered; nothing to remove"
    if result.returncode != 0:
        raise MonoError(f"could not remove kernel {project.name}: {result.tail(1)}")
    return f"kernel {project.name}: removed"


def analysis_script(workspace: Workspace, project: Project) -> Path:
    """The project's percent-format script: NAME.py, else its only top-level `# %%` script."""
    folder = project.directory(workspace.root)
    named = folder / f"{project.name}.py"
    if named.is_file():
        return named
    scripts = [path for path in sorted(folder.glob("*.py")) if "# %%" in path.read_text(encoding="utf-8")]
    if len(scripts) != 1:
        found = ", ".join(path.name for path in scripts) or "none"
        raise MonoError(f"{project.path}: expected {project.name}.py or one '# %%' script (found: {found})")
    return scripts[0]


def pair_notebook(workspace: Workspace, project: Project, log: Path) -> Path:
    """Pair the project's script with a notebook (jupytext, percent format); returns the notebook."""
    python = _require_module(workspace, project, "jupytext", log)
    script = analysis_script(workspace, project)
    command = [str(python), "-m", "jupytext", "--set-formats", "ipynb,py:percent", str(script)]
    run(command, cwd=script.parent, env=child_environment(), log=log)
    notebook = script.with_suffix(".ipynb")
    if not notebook.is_file():
        raise MonoError(f"jupytext did not write {notebook.name}", f"see {log}")
    return notebook
