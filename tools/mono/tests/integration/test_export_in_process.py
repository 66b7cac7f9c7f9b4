"""The lock read in-process (mono.repo.requirements) is byte for byte what the real `poetry
export --format requirements.txt --with GROUPS` writes: on the fixtures, and on locks the real
Poetry makes here of projects with markers, extras, groups, path and file dependencies, and a
package locked in two versions for two ranges of Python. Then an install uses it, with no
Poetry started."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from pathlib import Path

import pytest

from mono.external.poetry import poetry
from mono.repo.pyproject import PyProject
from mono.repo.requirements import requirements_from_lock
from tests.helpers import build_repo
from tests.integration.conftest import copy_fixtures, mono

pytestmark = pytest.mark.integration

FIXTURES = (
    "lib/helloworld",
    "lib/iris-data",
    "app/demo/flask-app-1",
    "app/demo/iris-explorer",
    "eda/demo/eda-project-1",
    "model/demo/iris-classifier",
)

MARKED = """\
[project]
name = "marked"
version = "0.1.0"
requires-python = ">=3.10,<4.0"
dependencies = [
    "colorama>=0.4 ; sys_platform == 'win32'",
    "tomli>=2.0 ; python_version < '3.11'",
    "packaging>=23 ; sys_platform == 'linux'",
    "click>=8.1,<8.2 ; python_version < '3.11'",
    "click>=8.2 ; python_version >= '3.11'",
    "uvicorn[standard]>=0.30",
    "greet",
    "plain",
    "tiny",
]

[project.optional-dependencies]
yaml = ["pyyaml>=6.0"]
socks = ["pysocks>=1.7"]

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
greet = { path = "../../../lib/greet", develop = true }
plain = { path = "../../../lib/plain", develop = false }
tiny = { path = "wheels/tiny-1.0-py3-none-any.whl" }

[tool.poetry.group.dev.dependencies]
pytest = "^8.3"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
six = "*"

[tool.poetry.group.lint]
optional = true

[tool.poetry.group.lint.dependencies]
mccabe = "*"

[tool.mono]
groups = ["docs"]
"""


def library(name: str) -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["six"]\n\n'
        '[build-system]\nrequires = ["poetry-core>=2.0,<3.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )


POETRY1 = """\
[tool.poetry]
name = "older"
version = "1.0.0"
description = ""
authors = []
package-mode = false

[tool.poetry.dependencies]
python = "^3.11"
six = "*"
"""


def tiny_wheel(path: Path) -> None:
    """A wheel of one module, written as a build backend would (Poetry reads its metadata)."""
    files = {
        "tiny.py": "VALUE = 1\n",
        "tiny-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\n",
        "tiny-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = ""
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record += f"{name},sha256={digest},{len(text.encode())}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in {**files, "tiny-1.0.dist-info/RECORD": record + "tiny-1.0.dist-info/RECORD,,\n"}.items():
            wheel.writestr(name, text)


def poetry_export(root: Path, folder: Path, groups: list[str]) -> str:
    """What the real `poetry export` writes, as the tool ran it before it read locks itself."""
    output = root / ".mono/exported" / f"{folder.name}.txt"
    with_groups = ["--with", ",".join(groups)] if groups else []
    export = ["export", "--format", "requirements.txt", "--output", str(output), *with_groups]
    poetry(export, root, folder, output.with_suffix(".log"))
    return output.read_text(encoding="utf-8")


def assert_same_as_poetry(root: Path, project: str) -> str:
    folder = root / project
    pyproject = PyProject.read(folder / "pyproject.toml", project)
    groups = pyproject.installed_groups
    expected = poetry_export(root, folder, groups)
    assert requirements_from_lock(folder / "poetry.lock", pyproject.data, groups) == expected, project
    return expected


@pytest.mark.parametrize("project", FIXTURES)
def test_the_fixtures_locks_read_in_process_are_what_poetry_exports(tmp_path: Path, project: str) -> None:
    root = copy_fixtures(tmp_path / "repo", FIXTURES)
    assert assert_same_as_poetry(root, project).count("--hash=sha256:") > 0


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose projects Poetry locked here: `marked` (markers, extras, groups, two
    versions of click), the libraries it uses by path, and a Poetry 1 project."""
    root = build_repo(
        tmp_path_factory.mktemp("marked") / "repo",
        {
            ".gitignore": ".venv/\n.mono/\n",
            "app/x/marked/pyproject.toml": MARKED,
            "lib/greet/pyproject.toml": library("greet"),
            "lib/greet/greet/__init__.py": "",
            "lib/plain/pyproject.toml": library("plain"),
            "lib/plain/plain/__init__.py": "",
            "eng/x/older/pyproject.toml": POETRY1,
        },
        commit=False,
    )
    tiny_wheel(root / "app/x/marked/wheels/tiny-1.0-py3-none-any.whl")
    for project in ("app/x/marked", "eng/x/older"):
        poetry(["lock"], root, root / project, root / ".mono/lock.log")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "locked"], cwd=root, check=True)
    return root


def test_locks_with_markers_extras_groups_and_paths_read_in_process_are_what_poetry_exports(marked: Path) -> None:
    exported = assert_same_as_poetry(marked, "app/x/marked")
    lock = (marked / "app/x/marked/poetry.lock").read_text()
    # What makes the case: per-group markers, two clicks, platform-only packages, extras left out.
    assert "markers = {main = " in lock and lock.count('name = "click"') == 2
    assert 'click==8.1.8 ; python_version == "3.10"' in exported
    assert "uvloop==" in exported and 'sys_platform != "win32"' in exported
    assert "six==" in exported and "mccabe==" not in exported  # docs named by [tool.mono], lint not
    assert "pysocks" not in exported  # only through the project's own extra
    assert "-e file://" in exported and "plain @ file://" in exported and "tiny @ file://" in exported
    assert_same_as_poetry(marked, "eng/x/older")


def test_an_install_reads_the_lock_in_process_and_starts_no_poetry(marked: Path) -> None:
    result = mono("-C", str(marked), "install", "marked")
    assert result.returncode == 0, result.stdout + result.stderr
    log = (marked / ".mono/logs/install/marked.log").read_text()
    assert "read from poetry.lock in-process" in log
    assert "poetry" not in [Path(line.split()[1]).name for line in log.splitlines() if line.startswith("$ ")]
    python = marked / "app/x/marked/.venv/bin/python"
    imported = subprocess.run([str(python), "-c", "import click, greet, plain, tiny, uvloop, six, pytest"], check=False)
    assert imported.returncode == 0
