"""The tool's own code stays lint-clean and strictly typed."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.helpers import REPO_ROOT

TOOL = REPO_ROOT / "tools" / "mono"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=TOOL, capture_output=True, text=True, check=False)


def test_ruff_lint() -> None:
    result = run("ruff", "check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run("ruff", "format", "--check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


MAX_FUNCTION_LINES = 40
MAX_MODULE_LINES = 400


def test_functions_and_modules_stay_small() -> None:
    """Past ~40 lines a function usually does two things; past ~400 a module is two (STYLE.md)."""
    too_long = []
    for path in sorted((TOOL / "src").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        shown = path.relative_to(TOOL).as_posix()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{shown}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{shown}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)
