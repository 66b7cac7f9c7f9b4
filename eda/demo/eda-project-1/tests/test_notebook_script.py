"""The analysis runs as a script, and headlessly as a notebook through its own Jupyter kernel."""

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "eda-project-1.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_script_runs_top_to_bottom_and_writes_a_real_png(tmp_path: Path) -> None:
    env = {"FIGURES_DIR": str(tmp_path), "PATH": "", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "150 flowers, 3 species" in result.stdout
    assert "setosa petal_length max=1.9 < others min=3.0: True" in result.stdout
    figure = (tmp_path / "petals.png").read_bytes()
    assert figure.startswith(PNG_SIGNATURE) and len(figure) > 10_000


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The project's kernel, registered as `./mono kernel` does, into a private Jupyter folder."""
    prefix = tmp_path / "jupyter"
    command = [sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "eda-project-1"]
    subprocess.run(command, capture_output=True, check=True, timeout=120)
    spec = json.loads((prefix / "share/jupyter/kernels/eda-project-1/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable  # the kernel runs this project's venv
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share/jupyter"))
    return "eda-project-1"


def test_the_notebook_runs_headlessly_through_the_projects_kernel(
    kernel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    notebook = jupytext.read(SCRIPT)
    NotebookClient(notebook, kernel_name=kernel, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert "150 flowers, 3 species" in outputs
    figure = (tmp_path / "figures" / "petals.png").read_bytes()
    assert figure.startswith(PNG_SIGNATURE)
    # And the notebook shows it inline, as an image output of the cell that draws it.
    images = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
              if "image/png" in output.get("data", {})]  # fmt: skip
    assert len(images) == 1
