"""Editable installs of internal libraries built in the tool's process (mono.external.poetry_core):
the venv gets what uv's own PEP 517 build of them gives, and follows their sources the same way."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, build_repo, git
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

UV = REPO_ROOT / ".mono/venv/bin/uv"


def library(name: str, requires: str, description: str = "shared code") -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\ndescription = "{description}"\n'
        f'requires-python = ">=3.11"\nreadme = "README.md"\ndependencies = ["six>=1.16"]\n\n'
        f'[project.scripts]\n{name}-hello = "{name}:hello"\n\n'
        f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )


# Poetry 1's tables, which poetry-core 1 needs; a range the pinned poetry-core is outside of.
LEGACY = """\
[tool.poetry]
name = "legacy"
version = "0.1.0"
description = "old code"
authors = ["tests <tests@example.invalid>"]
readme = "README.md"

[tool.poetry.dependencies]
python = ">=3.11"
six = ">=1.16"

[build-system]
requires = ["poetry-core>=1.9,<2"]
build-backend = "poetry.core.masonry.api"
"""

APP = """\
[project]
name = "web"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["core", "legacy"]

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
core = { path = "../../../lib/core", develop = true }
legacy = { path = "../../../lib/legacy", develop = true }
"""


def site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def dist_info(venv: Path, name: str) -> Path:
    return next(site_packages(venv).glob(f"{name}-*.dist-info"))


def run(python: Path, code: str) -> str:
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = build_repo(
        tmp_path_factory.mktemp("editables") / "repo",
        {
            ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
            "lib/core/pyproject.toml": library("core", "poetry-core>=2.0"),
            "lib/core/README.md": "The core library.\n",
            "lib/core/core/__init__.py": "VALUE = 1\n\n\ndef hello() -> None:\n    print('hello from core')\n",
            # A range the pinned poetry-core is outside of: built by uv, through PEP 517, as before.
            "lib/legacy/pyproject.toml": LEGACY,
            "lib/legacy/README.md": "The old library.\n",
            "lib/legacy/legacy/__init__.py": "def hello() -> None:\n    print('hello from legacy')\n",
            "app/x/web/pyproject.toml": APP,
            "app/x/web/app.py": "import core\n",
        },
    )
    locked = mono("-C", str(repo), "lock", "web")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "locked")
    done = mono("-C", str(repo), "install", "web")
    assert done.returncode == 0 and "install web: ok" in done.stdout, done.stdout + done.stderr
    return repo


def test_a_poetry_core_library_is_installed_from_a_wheel_built_in_process(installed: Path) -> None:
    log = (installed / ".mono/logs/install/web.log").read_text(encoding="utf-8")
    assert "core: editable wheel built in-process by poetry-core" in log
    assert "Building core @" not in log  # uv built nothing of it
    assert "Building legacy @ file://" in log  # outside the pinned version's range: uv's own build
    venv = installed / "app/x/web/.venv"
    url = json.loads((dist_info(venv, "core") / "direct_url.json").read_text(encoding="utf-8"))["url"]
    assert url.startswith((installed / ".mono/cache/editables/core").as_uri()) and url.endswith(".whl")
    assert git(installed, "status", "--porcelain") == ""


def test_the_venv_holds_what_uvs_own_editable_build_gives(installed: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "venv"
    python = REPO_ROOT / ".mono/venv/bin/python"
    subprocess.run([str(UV), "venv", "-q", "--python", str(python), str(scratch)], check=True)
    subprocess.run(
        [str(UV), "pip", "install", "-q", "--no-deps", "--python", str(scratch / "bin/python"),
         "-e", str(installed / "lib/core")],
        check=True,
    )  # fmt: skip
    ours, uvs = installed / "app/x/web/.venv", scratch
    assert (site_packages(ours) / "core.pth").read_text() == (site_packages(uvs) / "core.pth").read_text()
    for name in ("METADATA", "entry_points.txt", "WHEEL"):
        assert (dist_info(ours, "core") / name).read_text() == (dist_info(uvs, "core") / name).read_text(), name
    assert run(ours / "bin/python", "import core; print(core.__file__)") == str(installed / "lib/core/core/__init__.py")
    script = subprocess.run([str(ours / "bin/core-hello")], capture_output=True, text=True, check=True)
    assert script.stdout.strip() == "hello from core"


def test_it_follows_the_sources_and_a_changed_library_gets_a_new_wheel(installed: Path) -> None:
    venv = installed / "app/x/web/.venv"
    source = installed / "lib/core/core/__init__.py"
    source.write_text("VALUE = 2\n\n\ndef hello() -> None:\n    print('hello from core')\n", encoding="utf-8")
    assert run(venv / "bin/python", "import core; print(core.VALUE)") == "2"  # editable: no install needed

    before = json.loads((dist_info(venv, "core") / "direct_url.json").read_text(encoding="utf-8"))["url"]
    pyproject = installed / "lib/core/pyproject.toml"
    pyproject.write_text(library("core", "poetry-core>=2.0", description="shared code, described again"))
    again = mono("-C", str(installed), "install", "web")
    assert again.returncode == 0 and "install web: ok" in again.stdout, again.stdout + again.stderr
    after = json.loads((dist_info(venv, "core") / "direct_url.json").read_text(encoding="utf-8"))["url"]
    assert after != before
    assert "Summary: shared code, described again" in (dist_info(venv, "core") / "METADATA").read_text()
    assert "install web: up to date" in mono("-C", str(installed), "install", "web").stdout
