"""What Python code imports, and by which names an internal library is imported."""

from __future__ import annotations

import ast
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mono.cache import SKIPPED_FOLDERS
from mono.toml import table
from mono.workspace import Project


def package_names(project: Project, pyproject: dict[str, Any]) -> set[str]:
    """The top-level names a library is imported by: its Poetry `packages`, else its name with '_'."""
    names: set[str] = set()
    packages = table(pyproject, "tool", "poetry").get("packages")
    for entry in packages if isinstance(packages, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("include"), str):
            placed = entry["to"] if isinstance(entry.get("to"), str) else entry["include"]
            top = str(placed).split("/")[0].removesuffix(".py")
            if top.isidentifier():  # globs and odd entries are left to the fallback
                names.add(top)
    return names or {project.name.replace("-", "_")}


def imported_names(path: Path) -> set[str]:
    """Top-level names of the absolute imports in one Python file (none when it does not parse)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not ours to report
            tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return set()  # a file that does not parse is a linter's finding, not this check's
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files(folder: Path, other_projects: set[Path]) -> Iterator[Path]:
    """The .py files below `folder`, leaving out environments, caches and the folders of `other_projects`."""
    for current, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.startswith(".") and Path(current, name) not in other_projects
        )
        yield from (Path(current, name) for name in sorted(files) if name.endswith(".py"))
