"""A venv changed by hand after its install (issue 13): real Poetry and uv notice and repair it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, build_repo
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

TINY = """\
[project]
name = "tiny"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["six>=1.16"]

[tool.poetry]
package-mode = false

[tool.poetry.group.dev.dependencies]
pytest = ">=8"
"""


def imports_six(project: Path) -> bool:
    python = project / ".venv/bin/python"
    return subprocess.run([str(python), "-c", "import six"], capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("installer", ["uv", "poetry"])
def test_a_package_removed_from_a_venv_is_installed_again_by_install_and_test(tmp_path: Path, installer: str) -> None:
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
            "pyproject.toml": f'[tool.mono]\ninstaller = "{installer}"\n',
            "eng/x/tiny/pyproject.toml": TINY,
            "eng/x/tiny/tests/test_tiny.py": "import six\n\n\ndef test_six():\n    assert six.PY3\n",
        },
    )
    project = repo / "eng/x/tiny"
    locked = mono("-C", str(repo), "lock", "tiny")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    first = mono("-C", str(repo), "install", "tiny")
    assert first.returncode == 0 and "install tiny: ok" in first.stdout, first.stdout + first.stderr
    assert "install tiny: up to date" in mono("-C", str(repo), "install", "tiny").stdout
    tested = mono("-C", str(repo), "test", "tiny")
    assert "test tiny: passed" in tested.stdout, tested.stdout + tested.stderr  # running Python changes nothing
    assert "install tiny: up to date" in mono("-C", str(repo), "install", "tiny").stdout

    # A real uninstall (uv venvs have no pip): six's dist-info and module are gone.
    uv = REPO_ROOT / ".mono/venv/bin/uv"
    subprocess.run(
        [str(uv), "pip", "uninstall", "-q", "--python", str(project / ".venv/bin/python"), "six"], check=True
    )
    assert not imports_six(project)
    again = mono("-C", str(repo), "install", "tiny")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "install tiny: ok" in again.stdout
    assert "mono: warning: tiny: its .venv changed since it was installed" in again.stderr
    assert imports_six(project)
    assert "install tiny: up to date" in mono("-C", str(repo), "install", "tiny").stdout

    # By hand, as `rm -rf .venv/lib/python3.11/site-packages/six*` would: test repairs it before running.
    for site in project.glob(".venv/lib/python*/site-packages"):
        (site / "six.py").unlink()
        for dist_info in site.glob("six-*.dist-info"):
            shutil.rmtree(dist_info)
    assert not imports_six(project)
    retested = mono("-C", str(repo), "test", "tiny")
    assert retested.returncode == 0, retested.stdout + retested.stderr
    assert "test tiny: passed" in retested.stdout  # not cached: the venv it passed in is gone
    assert "tiny: its .venv changed since it was installed" in retested.stderr
    assert imports_six(project)
