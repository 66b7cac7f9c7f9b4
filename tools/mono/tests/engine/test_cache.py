from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mono import racy
from mono.engine.cache import install_inputs_key, suite_inputs_key
from mono.errors import InvalidPyproject
from mono.model.graph import build_graph
from mono.repo import statcache
from mono.repo.discovery import load_workspace
from tests.helpers import pep621, poetry1, write_tree


def key(repo: Path, name: str) -> str:
    workspace = load_workspace(repo)
    return suite_inputs_key(workspace, build_graph(workspace), name)


def test_key_changes_with_the_project_and_its_libraries_only(repo: Path) -> None:
    before = {name: key(repo, name) for name in ("core", "util", "web", "lonely")}
    (repo / "lib/util/util/__init__.py").write_text("changed = 1\n")
    after = {name: key(repo, name) for name in before}
    assert after["util"] != before["util"] and after["web"] != before["web"]
    assert after["core"] == before["core"] and after["lonely"] == before["lonely"]


def test_key_ignores_venvs_caches_and_bytecode(repo: Path) -> None:
    before = key(repo, "web")
    write_tree(
        repo,
        {
            "app/shop/web/.venv/lib/x.py": "junk",
            "app/shop/web/__pycache__/app.cpython-311.pyc": "junk",
            "app/shop/web/.pytest_cache/v/cache": "junk",
            "lib/util/util/mod.pyc": "junk",
        },
    )
    assert key(repo, "web") == before


def test_repo_wide_files_change_every_key(repo: Path) -> None:
    before = key(repo, "lonely")
    (repo / "requirements.txt").write_text("poetry==2.5.1\n")
    assert key(repo, "lonely") != before


def test_test_inputs_setting_widens_what_a_project_sees(repo: Path) -> None:
    (repo / "tools/helper/pyproject.toml").write_text(
        pep621("helper", extra='\n[tool.mono]\ntest-inputs = ["../.."]\n')
    )
    before = key(repo, "helper")
    (repo / "README.md").write_text("# changed\n")
    assert key(repo, "helper") != before


def test_test_inputs_may_not_leave_the_repository(repo: Path) -> None:
    (repo / "tools/helper/pyproject.toml").write_text(
        pep621("helper", extra='\n[tool.mono]\ntest-inputs = ["../../.."]\n')
    )
    with pytest.raises(InvalidPyproject, match="leaves the repository"):
        load_workspace(repo)


def test_the_settings_a_suite_names_in_test_env_are_part_of_its_cache_key(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = repo / "lib/core/pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.mono]\ntest-env = ["BASE_IMAGE"]\n')
    monkeypatch.delenv("BASE_IMAGE", raising=False)
    workspace = load_workspace(repo)
    graph = build_graph(workspace)
    without = suite_inputs_key(workspace, graph, "core")
    monkeypatch.setenv("BASE_IMAGE", "local/python:3.11")
    assert suite_inputs_key(workspace, graph, "core") != without
    assert suite_inputs_key(workspace, graph, "util") == suite_inputs_key(workspace, graph, "util")


def test_projects_inside_a_project_are_not_part_of_its_key(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": poetry1("root"),
            "tests/test_root.py": "",
            "libs/a/pyproject.toml": pep621("a"),
            "libs/a/tests/test_a.py": "",
        },
    )
    before = key(root, "root")
    (root / "libs/a/tests/test_a.py").write_text("def test_a():\n    pass\n")
    assert key(root, "root") == before  # its pytest leaves libs/a out
    (root / "tests/test_root.py").write_text("def test_root():\n    pass\n")
    assert key(root, "root") != before


def test_a_folder_named_build_below_the_top_is_source_not_output(tmp_path: Path) -> None:
    # The tool's own suite reads the whole repository: editing tools/build/build.sh must rerun it.
    extra = '\n[tool.mono]\ntest-inputs = ["../.."]\n'
    root = write_tree(
        tmp_path / "repo",
        {"tools/suite/pyproject.toml": pep621("suite", extra=extra), "tools/build/build.sh": "echo one\n"},
    )
    before = key(root, "suite")
    (root / "tools/build/build.sh").write_text("echo two\n")
    after = key(root, "suite")
    assert after != before
    write_tree(root, {"dist/x.whl": "built", "build/lib/x.py": "built"})  # output at the top is not
    assert key(root, "suite") == after


def test_a_projects_own_dist_is_not_part_of_its_key(repo: Path) -> None:
    before = key(repo, "core")
    write_tree(repo, {"lib/core/dist/core-0.1.0-py3-none-any.whl": "built", "lib/core/build/lib/core.py": "x"})
    assert key(repo, "core") == before


# --- hashed only when changed (mono.repo.statcache) ------------------------------------------------


def install_key(repo: Path, name: str) -> str:
    workspace = load_workspace(repo)
    return install_inputs_key(workspace, build_graph(workspace), name)


def test_keys_read_only_the_files_whose_stat_moved(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(racy, "RACY_NS", 0)  # the test's files count as old ones
    statcache._hashes.clear()
    first = key(repo, "web")
    read: list[Path] = []
    original = Path.read_bytes

    def counted(path: Path) -> bytes:
        read.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    assert key(repo, "web") == first
    assert [path for path in read if path.is_relative_to(repo)] == []
    changed = repo / "lib/util/util/__init__.py"
    changed.write_text(changed.read_text() + "# edited\n")
    assert key(repo, "web") != first
    assert [path for path in read if path.is_relative_to(repo)] == [changed]
    statcache._hashes.clear()


def test_a_lock_rewritten_with_its_size_and_mtime_kept_changes_the_install_key(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(racy, "RACY_NS", 0)
    statcache._hashes.clear()
    lock = write_tree(repo, {"lib/core/poetry.lock": "# one\n"}) / "lib/core/poetry.lock"
    before_stat, before = os.stat(lock), install_key(repo, "web")
    time.sleep(0.05)  # past the clock tick of the first write's ctime
    lock.write_text("# two\n")
    os.utime(lock, ns=(before_stat.st_atime_ns, before_stat.st_mtime_ns))
    assert os.stat(lock).st_mtime_ns == before_stat.st_mtime_ns
    assert install_key(repo, "web") != before
    statcache._hashes.clear()
