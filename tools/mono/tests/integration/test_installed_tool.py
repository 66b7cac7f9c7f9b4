"""mono installed like any Python tool (issue 12): the wheel in a venv of its own, as pipx makes
it, run in a repository that holds no copy of this one, with no launcher and nothing on PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, build_repo, git

pytestmark = pytest.mark.integration

TOOL = REPO_ROOT / "tools" / "mono"
# The programs the wheel must bring into its own venv (Poetry finds its plugins there too).
BROUGHT = ("poetry", "uv", "ruff")


@dataclass(frozen=True)
class Installed:
    """The `mono` console script of a fresh venv, and an environment without the launcher."""

    script: Path
    env: Mapping[str, str]

    def __call__(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.script), *args],
            cwd=cwd,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def environment_without_the_tools() -> dict[str, str]:
    """This environment minus the launcher's MONO_ROOT and any venv, and with no folder on PATH
    that holds Poetry, uv or ruff: the installed tool must find them in its own venv."""
    env = {key: value for key, value in os.environ.items() if key not in {"MONO_ROOT", "VIRTUAL_ENV", "PYTHONHOME"}}
    folders = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(f for f in folders if not any((Path(f) / name).exists() for name in BROUGHT))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The tool's wheel, built and pip-installed into a new venv with the pinned versions."""
    work = tmp_path_factory.mktemp("installed")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # No build isolation: poetry-core, the build backend, is a dependency of this very venv.
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work), str(TOOL)], check=True)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    constraints = ["-c", str(TOOL / "constraints.txt"), "-c", str(REPO_ROOT / "requirements.txt")]
    wheel = next(work.glob("mono-*.whl"))
    install = [*pip, "--python", str(venv / "bin/python"), "install", "--no-compile", *constraints, str(wheel)]
    subprocess.run(install, check=True)
    return Installed(venv / "bin" / "mono", environment_without_the_tools())


LIB = """\
[project]
name = "core"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[tool.poetry.group.dev.dependencies]
pytest = ">=8"

[build-system]
requires = ["poetry-core>=2.0,<3.0"]
build-backend = "poetry.core.masonry.api"
"""

APP = """\
[project]
name = "web"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["core"]

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
core = { path = "../../../lib/core", develop = true }
"""


def someones_repo(root: Path) -> Path:
    """A Poetry monorepo of someone else's: a library with one test, an app that uses it by path."""
    return build_repo(
        root,
        {
            ".gitignore": ".venv/\n__pycache__/\n",
            "lib/core/pyproject.toml": LIB,
            "lib/core/core/__init__.py": "ANSWER = 42\n",
            "lib/core/tests/test_core.py": "from core import ANSWER\n\n\ndef test_answer():\n    assert ANSWER == 42\n",
            "app/shop/web/pyproject.toml": APP,
            "app/shop/web/app.py": "from core import ANSWER\n\nprint(ANSWER)\n",
        },
    )


def test_the_wheel_brings_its_programs_and_no_launcher_is_around(installed: Installed) -> None:
    for name in BROUGHT:
        assert (installed.script.parent / name).is_file(), f"{name} is not installed with the wheel"
    assert "MONO_ROOT" not in installed.env
    version = installed("--version", cwd=installed.script.parent)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "mono, version 0.1.0"


def test_list_graph_and_affected_act_on_the_repository_run_in_even_from_a_subfolder(
    installed: Installed, tmp_path: Path
) -> None:
    repo = someones_repo(tmp_path / "repo")
    listed = installed("list", "--json", cwd=repo / "lib" / "core")
    assert listed.returncode == 0, listed.stderr
    kinds = {
        project["name"]: (project["path"], project["kind"], project["depends_on"])
        for project in json.loads(listed.stdout)
    }
    assert kinds == {"core": ("lib/core", "lib", []), "web": ("app/shop/web", "app", ["core"])}
    graph = installed("graph", cwd=repo / "app")
    assert graph.returncode == 0, graph.stderr
    assert "web -> core" in graph.stdout
    (repo / "lib/core/core/__init__.py").write_text("ANSWER = 42  # changed, not committed\n")
    affected = installed("affected", cwd=repo / "lib" / "core" / "tests")
    assert affected.returncode == 0, affected.stderr
    assert affected.stdout.split() == ["core", "web"]


def test_lock_install_and_test_run_real_poetry_and_uv_from_the_tools_own_venv(
    installed: Installed, tmp_path: Path
) -> None:
    repo = someones_repo(tmp_path / "repo")
    # Locking resolves through the mirror plugin, installing exports through the export plugin:
    # both are found only because they sit in Poetry's (the tool's) venv.
    for command in ("lock", "install", "test"):
        result = installed(command, cwd=repo)
        assert result.returncode == 0, f"mono {command}:\n{result.stdout}{result.stderr}"
        assert f"{command}: 2 passed, 0 failed" in result.stdout
    assert "test core: passed" in result.stdout and "test web: no tests" in result.stdout
    assert "1 passed" in (repo / ".mono/logs/test/core.log").read_text()  # the library's test ran
    assert (repo / "lib/core/.venv").is_dir() and (repo / "app/shop/web/.venv").is_dir()
    # What shows in git status is what was asked for: the two locks (.mono/ ignores itself).
    assert git(repo, "status", "--porcelain").split() == [
        "??",
        "app/shop/web/poetry.lock",
        "??",
        "lib/core/poetry.lock",
    ]
