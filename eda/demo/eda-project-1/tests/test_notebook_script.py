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
