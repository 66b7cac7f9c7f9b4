"""Which script `notebook` pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.commands.notebook import analysis_script
from mono.errors import MonoError
from mono.repo.discovery import load_workspace


def test_the_script_named_after_the_project_wins(repo: Path) -> None:
    folder = repo / "eda/shop/study"
    (folder / "other.py").write_text("# %%\nprint(1)\n")
    (folder / "study.py").write_text("print(2)\n")
    workspace = load_workspace(repo)
    assert analysis_script(workspace, workspace.projects["study"]) == folder / "study.py"


def test_else_the_only_percent_script(repo: Path) -> None:
    folder = repo / "eda/shop/study"
    (folder / "explore.py").write_text("# %%\nprint(1)\n")
    (folder / "helpers.py").write_text("X = 1\n")
    workspace = load_workspace(repo)
    assert analysis_script(workspace, workspace.projects["study"]) == folder / "explore.py"
    (folder / "more.py").write_text("# %%\n")
    with pytest.raises(MonoError, match=r"expected study.py or one '# %%' script \(found: explore.py, more.py\)"):
        analysis_script(workspace, workspace.projects["study"])
