from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, REPO_ROOT, build_repo

EXAMPLES = ("lib/helloworld", "app/demo/flask-app-1")
IGNORED = shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache", "dist")


def mono(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """Run the real launcher, as a user would."""
    return subprocess.run(
        ["sh", str(LAUNCHER), *args],
        cwd=cwd or REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_examples(target: Path) -> Path:
    """A new git repository holding copies of the example app and library (no venvs)."""
    for example in EXAMPLES:
        shutil.copytree(REPO_ROOT / example, target / example, ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    return build_repo(target, {".gitignore": ".venv/\n.mono/\n__pycache__/\n"})


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("examples") / "repo")
