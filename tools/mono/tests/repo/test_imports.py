"""What a Python file imports."""

from __future__ import annotations

from pathlib import Path

from mono.repo.imports import imported_names


def test_absolute_imports_only(tmp_path: Path) -> None:
    code = tmp_path / "m.py"
    code.write_text("import os.path, json as j\nfrom core.x import y\nfrom . import sibling\nfrom .. import up\n")
    assert imported_names(code) == {"os", "json", "core"}


def test_a_file_that_does_not_parse_imports_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    assert imported_names(broken) == set()
    assert imported_names(tmp_path / "missing.py") == set()
