"""Which build systems the tool builds in its own process, and the wheel it builds there."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from mono.external.poetry_core import BACKEND, NotBuiltHere, build_editable_wheel, builds_here, pinned_version

PINNED = pinned_version()
MAJOR = int(PINNED.split(".")[0])
CORE = {"requires": ["poetry-core"], "build-backend": BACKEND}


@pytest.mark.parametrize(
    "build_system",
    [
        {"requires": ["poetry-core"], "build-backend": BACKEND},
        {"requires": ["poetry-core>=1.0.0"], "build-backend": BACKEND},
        {"requires": [f"poetry_core>={MAJOR}.0,<{MAJOR + 1}"], "build-backend": BACKEND},
        {"requires": [f"Poetry.Core=={PINNED}"], "build-backend": BACKEND},
        {"requires": ['poetry-core>=1 ; python_version >= "3"'], "build-backend": BACKEND},
    ],
)
def test_poetry_core_in_a_range_holding_the_pinned_version_is_built_here(build_system: dict[str, Any]) -> None:
    assert builds_here({"build-system": build_system, "tool": {"poetry": {"name": "core"}}})


@pytest.mark.parametrize(
    "build_system",
    [
        {},
        {"requires": ["poetry-core"]},  # no backend named: setuptools' legacy one
        {"requires": [f"poetry-core<{MAJOR}"], "build-backend": BACKEND},
        {"requires": [f"poetry-core>{PINNED}"], "build-backend": BACKEND},
        {"requires": ["poetry-core", "cython"], "build-backend": BACKEND},  # the backend needs more than itself
        {"requires": ["poetry-core[extra]"], "build-backend": BACKEND},
        {"requires": ["poetry-core @ https://example.invalid/core.whl"], "build-backend": BACKEND},
        {"requires": ['poetry-core ; python_version < "3"'], "build-backend": BACKEND},
        {"requires": ["poetry-core"], "build-backend": BACKEND, "backend-path": ["."]},
        {"requires": ["poetry>=0.12"], "build-backend": "poetry.masonry.api"},
        {"requires": ["setuptools"], "build-backend": "setuptools.build_meta"},
        {"requires": ["poetry-core>="], "build-backend": BACKEND},  # not a requirement
        {"requires": "poetry-core", "build-backend": BACKEND},
        {"requires": [3], "build-backend": BACKEND},
    ],
)
def test_anything_else_is_left_to_the_build_frontend(build_system: dict[str, Any]) -> None:
    assert not builds_here({"build-system": build_system})


@pytest.mark.parametrize(
    "pyproject",
    [
        {},  # no [build-system]: setuptools' legacy backend
        {"build-system": "poetry-core"},
        # A build script runs in the interpreter that builds and tags the wheel for it.
        {"build-system": CORE, "tool": {"poetry": {"build": {"script": "build.py"}}}},
        {"build-system": CORE, "tool": {"poetry": {"build": "build.py"}}},
    ],
)
def test_a_build_script_or_no_build_system_is_left_to_the_build_frontend(pyproject: dict[str, Any]) -> None:
    assert not builds_here(pyproject)


def test_the_editable_wheel_points_at_the_sources_and_carries_the_metadata(tmp_path: Path) -> None:
    project = tmp_path / "core"
    (project / "src/core").mkdir(parents=True)
    (project / "src/core/__init__.py").write_text("def hello() -> None: ...\n", encoding="utf-8")
    (project / "README.md").write_text("The core library.\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "core"\nversion = "1.2.3"\nrequires-python = ">=3.11"\n'
        'description = "shared code"\nreadme = "README.md"\n'
        'dependencies = ["six>=1.16"]\n[project.scripts]\ncore-hello = "core:hello"\n'
        f'[tool.poetry]\npackages = [{{ include = "core", from = "src" }}]\n'
        f'[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "{BACKEND}"\n',
        encoding="utf-8",
    )
    (tmp_path / "out").mkdir()
    wheel = build_editable_wheel(project, tmp_path / "out")
    assert wheel.parent == tmp_path / "out" and wheel.name == "core-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("core.pth").decode().strip() == str(project / "src")
        metadata = archive.read("core-1.2.3.dist-info/METADATA").decode()
        scripts = archive.read("core-1.2.3.dist-info/entry_points.txt").decode()
    assert not any(name.startswith("core/") for name in names)  # editable: no copy of the sources
    assert "Summary: shared code" in metadata and "Requires-Dist: six (>=1.16)" in metadata
    assert "The core library." in metadata
    assert "core-hello=core:hello" in scripts.replace(" ", "")
    again = tmp_path / "again"
    again.mkdir()
    assert build_editable_wheel(project, again).read_bytes() == wheel.read_bytes()  # reproducible


def test_a_project_poetry_core_cannot_read_is_not_built_here(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "broken"\nversion = "1"\nreadme = "MISSING.md"\n', encoding="utf-8"
    )
    with pytest.raises(NotBuiltHere, match=r"MISSING\.md|readme|README"):
        build_editable_wheel(tmp_path, tmp_path)
