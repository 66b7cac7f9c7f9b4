"""Make a project's .venv hold exactly what its poetry.lock says, with uv or with Poetry.

uv route: Poetry exports the locked set (with hashes, internal libraries as editable path
requirements) and `uv pip sync` makes the venv match it, removing anything else. Poetry stays
the resolver and the lock stays Poetry's; only the installing is faster. uv's cache takes file
locks, so parallel installs share it safely.

Poetry route (`installer = "poetry"`): `poetry sync`. Parallel Poetry processes race on
Poetry's shared artifact and HTTP caches (python-poetry/poetry#7370, #11048), so every Poetry
command that writes to that cache runs one at a time (see mono.poetry).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from mono.config import Installer
from mono.index import index_url
from mono.poetry import poetry, venv_python
from mono.proc import child_environment, run, tool_executable
from mono.state import state_dir
from mono.toml import read_toml, table
from mono.workspace import Project, Workspace


def uv_executable() -> str:
    """uv from the tool's own environment (.mono/venv), else from PATH."""
    return tool_executable("uv")


def uv_environment() -> dict[str, str]:
    """Environment for uv: pip's index (as Poetry uses it), no downloaded Pythons, no user config."""
    env = child_environment()
    env.setdefault("UV_INDEX_URL", index_url())
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.setdefault("UV_NO_CONFIG", "1")
    return env


def default_groups(data: dict[str, Any]) -> list[str]:
    """The dependency groups `poetry sync` installs by default: every group not marked optional."""
    groups = table(data, "tool", "poetry", "group")
    return sorted(name for name, spec in groups.items() if not (isinstance(spec, dict) and spec.get("optional")))


def installs_itself(data: dict[str, Any]) -> bool:
    """True when Poetry would install the project itself into its venv (package mode)."""
    return table(data, "tool", "poetry").get("package-mode", True) is not False


def _python_for(data: dict[str, Any]) -> str:
    """The interpreter for a new venv: this one when requires-python allows it, else a request for uv."""
    requires = table(data, "project").get("requires-python") or table(data, "tool", "poetry", "dependencies").get(
        "python"
    )
    if not isinstance(requires, str):
        return sys.executable
    try:
        allowed = SpecifierSet(requires)
    except InvalidSpecifier:
        return sys.executable  # a Poetry-style constraint such as ^3.11: Poetry validates it
    running = ".".join(str(part) for part in sys.version_info[:3])
    return sys.executable if allowed.contains(running) else requires


def _fresh_venv(folder: Path, python: str, log: Path) -> None:
    venv = folder / ".venv"
    if venv.exists() and not (venv_python(folder).exists() and (venv / "pyvenv.cfg").is_file()):
        shutil.rmtree(venv)  # damaged: start again
    if not venv.exists():
        command = [uv_executable(), "venv", "--quiet", "--python-preference", "only-system", "--python", python]
        run([*command, str(venv)], cwd=folder, env=uv_environment(), log=log)


def _sync_with_uv(workspace: Workspace, project: Project, log: Path) -> None:
    folder = project.directory(workspace.root)
    data = read_toml(folder / "pyproject.toml", f"{project.path}/pyproject.toml")
    requirements = state_dir(workspace.root) / "requirements" / f"{project.name}.txt"
    requirements.parent.mkdir(parents=True, exist_ok=True)
    groups = default_groups(data)
    export = ["export", "--format", "requirements.txt", "--output", str(requirements)]
    poetry([*export, *(["--with", ",".join(groups)] if groups else [])], workspace.root, folder, log)
    if installs_itself(data):
        with requirements.open("a", encoding="utf-8") as handle:
            handle.write(f"-e {folder.as_uri()}\n")
    _fresh_venv(folder, _python_for(data), log)
    sync = [uv_executable(), "pip", "sync", "--python", str(venv_python(folder)), str(requirements)]
    run(sync, cwd=folder, env=uv_environment(), log=log)


def sync_venv(workspace: Workspace, project: Project, installer: Installer, log: Path) -> None:
    """Make the project's .venv match its poetry.lock exactly (extra packages are removed)."""
    if installer == "poetry":
        poetry(["sync"], workspace.root, project.directory(workspace.root), log)
    else:
        _sync_with_uv(workspace, project, log)


def venv_is_whole(folder: Path) -> bool:
    """False when the venv is missing or damaged (no interpreter, or no pyvenv.cfg)."""
    return (
        venv_python(folder).exists()
        and (folder / ".venv" / "pyvenv.cfg").is_file()
        and os.access(venv_python(folder), os.X_OK)
    )
