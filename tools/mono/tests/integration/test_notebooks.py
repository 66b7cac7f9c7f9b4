"""`mono kernel` and `mono notebook` on a copy of the EDA project, with its real venv."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO_ROOT, build_repo
from tests.integration.conftest import IGNORED, mono

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("eda") / "repo"
    for folder in ("eda/demo/eda-project-1", "lib/iris-data"):
        shutil.copytree(FIXTURES / folder, repo / folder, ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "pyproject.toml", repo / "pyproject.toml")
    (repo / "eda/demo/eda-project-1/eda-project-1.ipynb").unlink(missing_ok=True)
    return build_repo(repo, {".gitignore": ".venv/\n.mono/\n__pycache__/\n"})


def test_the_kernel_is_registered_idempotently_runs_the_projects_venv_and_can_be_removed(
    analysis: Path, tmp_path: Path
) -> None:
    env = {"JUPYTER_DATA_DIR": str(tmp_path / "jupyter")}
    first = mono("-C", str(analysis), "kernel", "eda-project-1", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    spec_file = tmp_path / "jupyter/kernels/eda-project-1/kernel.json"
    spec = json.loads(spec_file.read_text())
    venv_python = analysis / "eda/demo/eda-project-1/.venv/bin/python"
    assert Path(spec["argv"][0]) == venv_python and spec["display_name"] == "eda-project-1"
    again = mono("-C", str(analysis), "kernel", "eda-project-1", env=env)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert [p.name for p in (tmp_path / "jupyter/kernels").iterdir()] == ["eda-project-1"]
    removed = mono("-C", str(analysis), "kernel", "eda-project-1", "--remove", env=env)
    assert removed.returncode == 0 and "removed" in removed.stdout and not spec_file.exists()
    nothing = mono("-C", str(analysis), "kernel", "eda-project-1", "--remove", env=env)
    assert nothing.returncode == 0 and "not registered" in nothing.stdout


def test_a_project_without_ipykernel_gets_one_line(analysis: Path) -> None:
    result = mono("-C", str(analysis), "kernel", "iris-data")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mono: error: iris-data's venv has no ipykernel (hint: add it to lib/iris-data/pyproject.toml and lock)"
    )


def test_the_script_is_paired_with_a_notebook_that_holds_its_cells(analysis: Path) -> None:
    result = mono("-C", str(analysis), "notebook", "eda-project-1")
    assert result.returncode == 0, result.stdout + result.stderr
    folder = analysis / "eda/demo/eda-project-1"
    notebook = json.loads((folder / "eda-project-1.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert any("frame.groupby" in source for source in sources)
    assert notebook["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert "formats: ipynb,py:percent" in (folder / "eda-project-1.py").read_text()
