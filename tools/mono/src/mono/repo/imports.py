"""What Python code imports, and what a library is imported as."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from mono.model.names import package_name
from mono.repo.pyproject import PyProject

# How deep namespace packages are followed (acme.data.io): real ones are one or two levels.
_NAMESPACE_DEPTH = 4


def imported_modules(path: Path) -> set[str]:
    """The dotted names of the absolute imports in one Python file (none when it does not
    parse): `import a.b` gives a.b, `from a import b` gives a and a.b."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not ours to report
            tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return set()  # a file that does not parse is a linter's finding, not this check's
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _modules_at(source: Path, dotted: str, depth: int = 0) -> set[str]:
    """`dotted` for a module or a regular package at `source`; for a namespace package (a folder
    without __init__.py, which several libraries may share) the modules in it."""
    try:
        if source.is_file() or not source.is_dir() or (source / "__init__.py").is_file():
            return {dotted}
        children = sorted(source.iterdir()) if depth < _NAMESPACE_DEPTH else []
    except OSError:
        # A path from `packages` the file system cannot look at (a name too long for it, a
        # folder it may not list) holds no modules to find: the name stands as written.
        return {dotted}
    found: set[str] = set()
    for child in children:
        name = child.name.removesuffix(".py")
        if name.isidentifier() and (child.is_dir() or child.suffix == ".py"):
            found |= _modules_at(child, f"{dotted}.{name}", depth + 1)
    return found


def provided_modules(folder: Path, pyproject: PyProject, project_name: str) -> set[str]:
    """The dotted names a library's code is imported by: its Poetry `packages` (the modules
    inside a namespace package), else its name with '_'."""
    found: set[str] = set()
    for source, placed in pyproject.package_includes():
        dotted = placed.removesuffix(".py").replace("/", ".")
        if all(part.isidentifier() for part in dotted.split(".")):
            found |= _modules_at(folder / source, dotted)
    return found or {package_name(project_name)}


def owning_module(module: str, provided: set[str] | dict[str, str]) -> str | None:
    """The longest provided name that `module` is or lies in (a.b.c lies in a.b), or None."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in provided:
            return candidate
    return None
