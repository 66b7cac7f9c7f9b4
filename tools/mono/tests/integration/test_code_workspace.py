"""`mono code --install` on a repository built from data: real Poetry locks, real venvs, a real
Jupyter kernel; then every interpreter the workspace file names exists and runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import build_repo, git
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

SMALL = """\
[project]
name = "small"
version = "0.1.0"
requires-python = ">=3.11"

[build-system]
requires = ["poetry-core>=2.0,<3.0"]
build-backend = "poetry.core.masonry.api"
"""

STUDY = """\
[project]
name = "study"
version = "0.1.0"
requires-python = ">=3.11,<4.0"
dependencies = ["small", "ipykernel>=6.29"]

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
small = { path = "../../../lib/small", develop = true }
"""

TINY = """\
[project]
name = "tiny"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["six>=1.16"]

[tool.poetry]
package-mode = false
"""


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An EDA project on a library by path, an eng task, both locked (the library is not)."""
    repo = build_repo(
        tmp_path_factory.mktemp("code") / "repo",
        {
            ".gitignore": ".venv/\n__pycache__/\n",
            "pyproject.toml": "[tool.mono]\n",
            "lib/small/pyproject.toml": SMALL,
            "lib/small/small/__init__.py": "VALUE = 1\n",
            "eda/x/study/pyproject.toml": STUDY,
            "eda/x/study/study.py": "# %%\nimport small\nprint(small.VALUE)\n",
            "eng/x/tiny/pyproject.toml": TINY,
        },
    )
    result = mono("-C", str(repo), "lock", "study", "tiny")
    assert result.returncode == 0, result.stdout + result.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "locks")
    return repo


def interpreter_of(document: dict[str, Any], location: Path, folder: dict[str, str]) -> Path:
    """What the Python extension looks for in `folder`: the setting, `${workspaceFolder}` expanded."""
    setting: str = document["settings"]["python.defaultInterpreterPath"]
    return Path(setting.replace("${workspaceFolder}", os.path.normpath(location.parent / folder["path"])))


def test_install_makes_every_interpreter_and_the_kernel_the_file_names(locked: Path, tmp_path: Path) -> None:
    env = {"JUPYTER_DATA_DIR": str(tmp_path / "jupyter")}
    before = mono("-C", str(locked), "code", env=env)
    assert before.returncode == 0, before.stdout + before.stderr
    assert "interpreters missing: study, tiny (hint: ./mono code --install" in before.stdout
    assert "no venv and no poetry.lock: small" in before.stdout

    result = mono("-C", str(locked), "code", "--install", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "install: 2 passed, 0 failed" in result.stdout
    assert "kernel study: registered now; it runs the folder's .venv" in result.stdout
    location = locked / ".mono/mono.code-workspace"
    document = json.loads(location.read_text(encoding="utf-8"))
    assert [folder["name"] for folder in document["folders"]] == ["study", "tiny", "small"]
    pythons = {folder["name"]: interpreter_of(document, location, folder) for folder in document["folders"]}
    assert pythons["study"] == locked / "eda/x/study/.venv/bin/python"
    for name in ("study", "tiny"):
        assert pythons[name].is_file(), name
        ran = subprocess.run(
            [str(pythons[name]), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True
        )
        assert ran.stdout.strip() == str(pythons[name].parent.parent), ran.stderr
    imports = subprocess.run([str(pythons["study"]), "-c", "import small, ipykernel"], capture_output=True, text=True)
    assert imports.returncode == 0, imports.stderr
    assert not pythons["small"].exists()  # no lock of its own: said so, not installed
    assert "no venv and no poetry.lock: small" in result.stdout

    spec = json.loads((tmp_path / "jupyter/kernels/study/kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == str(pythons["study"])
    assert git(locked, "status", "--porcelain") == ""

    again = mono("-C", str(locked), "code", "--install", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "install:" not in again.stdout  # nothing left to do
    assert "kernel study: registered; it runs the folder's .venv" in again.stdout


def test_a_kernel_of_the_same_name_elsewhere_is_reported(locked: Path, tmp_path: Path) -> None:
    kernels = tmp_path / "jupyter/kernels/study"
    kernels.mkdir(parents=True)
    other = {"argv": ["/elsewhere/.venv/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    (kernels / "kernel.json").write_text(json.dumps({**other, "display_name": "study", "language": "python"}))
    env = {"JUPYTER_DATA_DIR": str(tmp_path / "jupyter")}
    installed = mono("-C", str(locked), "install", "study", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    result = mono("-C", str(locked), "code", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kernel study: runs /elsewhere/.venv/bin/python (hint: ./mono kernel study)" in result.stdout
