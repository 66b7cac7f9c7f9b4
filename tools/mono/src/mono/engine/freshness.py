"""Whether a project's work is done already: its venv in step with its inputs, its last passing
test run still good. It imports little (no Poetry, uv or build code): a warm `install --all` or
`test --all` with nothing to do needs only this (mono.commands.install, mono.commands.test)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from mono.engine.cache import install_inputs_key, suite_inputs_key
from mono.model.graph import Graph
from mono.model.layout import record, venv_python
from mono.model.project import Workspace
from mono.repo.state import read_stamp
from mono.repo.venvs import venv_fingerprint

# How a project's venv stands against its install record.
InstallState = Literal["up to date", "not installed", "inputs changed", "venv changed"]
# Between the inputs key and the venv's fingerprint in an install record.
_VENV = " venv:"


def venv_is_whole(folder: Path) -> bool:
    """False when the venv is missing or damaged (no interpreter, or no pyvenv.cfg)."""
    return (
        venv_python(folder).exists()
        and (folder / ".venv" / "pyvenv.cfg").is_file()
        and os.access(venv_python(folder), os.X_OK)
    )


def install_record(inputs: str, folder: Path) -> str:
    """What an install of the project in `folder` from `inputs` records: the inputs key and what
    the install left in the venv, so a package removed by hand later is noticed."""
    return f"{inputs}{_VENV}{venv_fingerprint(folder / '.venv')}"


def install_state(workspace: Workspace, graph: Graph, name: str) -> InstallState:
    """Whether the project's venv is in step: installed from the inputs of now, and holding what
    that install left in it (nothing removed, added or reinstalled since, mono.repo.venvs)."""
    folder = workspace.folder(name)
    if not venv_is_whole(folder):
        return "not installed"  # deleted or damaged venv
    recorded = read_stamp(record(workspace.root, "installed", name))
    if recorded is None:
        return "not installed"
    inputs, _, fingerprint = recorded.partition(_VENV)
    if inputs != install_inputs_key(workspace, graph, name) or not fingerprint:
        return "inputs changed"  # a record from before venvs were fingerprinted is just stale
    return "up to date" if fingerprint == venv_fingerprint(folder / ".venv") else "venv changed"


def needs_install(workspace: Workspace, graph: Graph, name: str) -> bool:
    """True when the project's venv is missing, was installed from other inputs than now, or
    changed since it was installed."""
    return install_state(workspace, graph, name) != "up to date"


def suite_passed(workspace: Workspace, graph: Graph, name: str) -> bool:
    """True when the project's tests passed with everything they can see as it is now, in the
    venv as it is now: running them again would tell nothing new."""
    key = suite_inputs_key(workspace, graph, name)
    return read_stamp(record(workspace.root, "tested", name)) == key and not needs_install(workspace, graph, name)
