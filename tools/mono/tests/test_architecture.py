"""The layers of src/mono hold: import-linter's contracts (pyproject.toml [tool.importlinter])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tool: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over the `mono` package found in `tool`/src, with `tool`'s contracts."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tool / "pyproject.toml"), "--no-cache"],
        cwd=tool,
        env={"PYTHONPATH": str(tool / "src"), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_are_kept() -> None:
    result = lint_imports(TOOL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def copy_of_the_tool(tmp_path: Path) -> Path:
    copy = tmp_path / "mono"
    shutil.copytree(TOOL / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(TOOL / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_an_import_against_the_layers_breaks_the_contract(tmp_path: Path) -> None:
    copy = copy_of_the_tool(tmp_path)
    model = copy / "src/mono/model/names.py"
    model.write_text(model.read_text() + "\nfrom mono.repo import discovery  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode == 1 and "mono.model.names -> mono.repo.discovery" in result.stdout, result.stdout


def test_a_subprocess_outside_external_breaks_the_contract(tmp_path: Path) -> None:
    copy = copy_of_the_tool(tmp_path)
    engine = copy / "src/mono/engine/runner.py"
    engine.write_text(engine.read_text() + "\nimport subprocess  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode == 1 and "mono.engine.runner -> subprocess" in result.stdout, result.stdout
