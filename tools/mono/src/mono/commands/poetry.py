"""`mono poetry PROJECT ARGS...`: the pinned Poetry in a project's folder, with the repository's index setting."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mono.commands.exec_ import Launch
from mono.external.poetry import poetry_environment, poetry_executable
from mono.model.project import Workspace


def plan_poetry(workspace: Workspace, name: str, args: Sequence[str]) -> Launch:
    """How to run `poetry ARGS` in project `name` as ./mono runs Poetry (in-project venv, pip's
    index through the mirror plugin), but answering the user: prompts stay on at a terminal."""
    env = poetry_environment(workspace.root)
    if sys.stdin.isatty():
        env.pop("POETRY_NO_INTERACTION", None)  # `poetry remove` may ask, as Poetry alone would
    return Launch((poetry_executable(), *args), workspace.folder(name), env)
