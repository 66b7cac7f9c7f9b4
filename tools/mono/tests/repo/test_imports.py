"""What a Python file imports."""

from __future__ import annotations

from pathlib import Path

from mono.repo.imports import imported_modules, owning_module, provided_modules
from mono.repo.pyproject import PyProject


def test_absolute_imports_only(tmp_path: Path) -> None:
    code = tmp_path / "m.py"
    code.write_text("import os.path, json as j\nfrom core.x import y\nfrom . import sibling\nfrom .. import up\n")
    assert imported_modules(code) == {"os.path", "json", "core.x", "core.x.y"}


def test_a_file_that_does_not_parse_imports_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    assert imported_modules(broken) == set()
    assert imported_modules(tmp_path / "missing.py") == set()


def test_a_namespace_package_stands_for_the_packages_in_it(tmp_path: Path) -> None:
    # Two libraries share the namespace mycorp (no __init__.py): each is imported as its part.
    for name in ("lib1", "lib2"):
        (tmp_path / name / "mycorp" / name).mkdir(parents=True)
        (tmp_path / name / "mycorp" / name / "__init__.py").write_text("")
    pyproject = PyProject({"tool": {"poetry": {"packages": [{"include": "mycorp"}]}}}, "pyproject.toml")
    assert provided_modules(tmp_path / "lib1", pyproject, "lib1") == {"mycorp.lib1"}
    regular = PyProject({"tool": {"poetry": {"packages": [{"include": "core", "from": "src"}]}}}, "pyproject.toml")
    (tmp_path / "core/src/core").mkdir(parents=True)
    (tmp_path / "core/src/core/__init__.py").write_text("")
    assert provided_modules(tmp_path / "core", regular, "core") == {"core"}
    assert provided_modules(tmp_path / "none", PyProject({}, "pyproject.toml"), "my-lib") == {"my_lib"}
    owners = {"mycorp.lib1": "lib1", "mycorp.lib2": "lib2", "mycorp.lib2.extra": "extra"}
    assert owning_module("mycorp.lib2.models", owners) == "mycorp.lib2"
    assert owning_module("mycorp.lib2.extra.x", owners) == "mycorp.lib2.extra"
    assert owning_module("mycorp", owners) is None
