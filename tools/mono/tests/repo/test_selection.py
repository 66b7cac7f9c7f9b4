from __future__ import annotations

from pathlib import Path

import pytest

from mono.errors import ProjectNotFound
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace
from mono.repo.selection import SelectionRequest, find_project, select


def choose(repo: Path, cwd: Path | None = None, **request: object) -> list[str]:
    workspace = load_workspace(repo)
    return select(workspace, build_graph(workspace), SelectionRequest(**request), cwd or repo)  # type: ignore[arg-type]


def test_nothing_asked_means_every_project_in_dependency_order(repo: Path) -> None:
    chosen = choose(repo)
    assert len(chosen) == 6 and chosen.index("core") < chosen.index("util")
    assert choose(repo, all=True) == chosen


def test_by_name_and_normalised_name(repo: Path) -> None:
    assert choose(repo, targets=("web", "CORE")) == ["core", "web"]


def test_by_repo_relative_path_and_by_path_from_cwd(repo: Path) -> None:
    assert choose(repo, targets=("lib/util",)) == ["util"]
    assert choose(repo, cwd=repo / "lib" / "core", targets=(".",)) == ["core"]
    assert choose(repo, cwd=repo / "app" / "shop", targets=("web/",)) == ["web"]


def test_a_path_inside_a_project_selects_its_owner(repo: Path) -> None:
    workspace = load_workspace(repo)
    assert find_project(workspace, "lib/core/core/__init__.py", repo) == "core"


def test_unknown_name_suggests_a_close_match(repo: Path) -> None:
    with pytest.raises(ProjectNotFound) as raised:
        choose(repo, targets=("utill",))
    assert "no project named or at 'utill'" in str(raised.value) and "did you mean 'util'?" in str(raised.value)


def test_affected_combines_with_names(repo: Path) -> None:
    (repo / "lib/util/util/__init__.py").write_text("changed = True\n")
    assert choose(repo, affected=True) == ["util", "web"]
    assert choose(repo, affected=True, targets=("lonely",)) == ["lonely", "util", "web"]
