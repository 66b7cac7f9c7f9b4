import json
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "eda-project-1.py"


def test_script_runs_top_to_bottom() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Hello world eda" in result.stdout
    slope = re.search(r"slope=(\d+\.\d+)", result.stdout)
    assert slope is not None, result.stdout
    assert 4.0 < float(slope.group(1)) < 4.6


def test_kernel_registers_with_this_projects_interpreter(tmp_path: Path) -> None:
    # What a user does once to open the analysis in Jupyter; --prefix keeps the test out of ~.
    result = subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp_path), "--name", "eda-project-1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    spec = json.loads((tmp_path / "share/jupyter/kernels/eda-project-1/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["language"] == "python"
