"""The edit model of a pyproject.toml, on tomlkit: changes that keep the file's layout and comments.

Each function takes the file's text and returns the new text; writing it is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array

from mono.errors import MonoError
from mono.model.names import normalize_name, split_requirement
from mono.model.versions import caret
from mono.repo.pyproject import PyProject


# Tables are tested as dicts: tomlkit gives a proxy, not a Table, for one split over the file.
def _project_table(document: tomlkit.TOMLDocument) -> Any:
    project = document.get("project")
    return project if isinstance(project, dict) else None


def _is_pep621(document: tomlkit.TOMLDocument) -> bool:
    project = _project_table(document)
    return project is not None and "name" in project


def _project_dependencies(document: tomlkit.TOMLDocument, create: bool = False) -> Array | None:
    """`[project].dependencies` (created when asked and missing)."""
    project = _project_table(document)
    if project is None:
        return None
    dependencies = project.get("dependencies")
    if not isinstance(dependencies, Array) and create:
        dependencies = tomlkit.array()
        project["dependencies"] = dependencies
    return dependencies if isinstance(dependencies, Array) else None


def _poetry_table(document: tomlkit.TOMLDocument, create: bool = False) -> Any:
    if create:
        tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
        return tool.setdefault("poetry", tomlkit.table(is_super_table=True))
    tool = document.get("tool")
    found = tool.get("poetry") if isinstance(tool, dict) else None
    return found if isinstance(found, dict) else None


def _poetry_dependencies(document: tomlkit.TOMLDocument, create: bool = False) -> Any:
    poetry = _poetry_table(document, create)
    if poetry is None:
        return None
    if create:
        return poetry.setdefault("dependencies", tomlkit.table())
    found = poetry.get("dependencies")
    return found if isinstance(found, dict) else None


def _inline(text: str) -> object:
    """An inline table parsed from `{ ... }` text."""
    return tomlkit.parse(f"x = {text}")["x"]


def _rewrite_requirements(dependencies: Array | None, wanted: Callable[[str], str | None]) -> None:
    """Give each requirement whose normalised name `wanted` maps to a constraint that version part."""
    for index, requirement in enumerate(list(dependencies or [])):
        parts = split_requirement(str(requirement))
        constraint = wanted(normalize_name(parts.name)) if parts is not None else None
        if parts is not None and constraint is not None:
            dependencies[index] = parts.with_version(constraint)  # type: ignore[index]


def declare_libraries(text: str, libraries: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """`text` with each library (name -> path from the project) declared in both tables Poetry 2
    reads (only `[tool.poetry.dependencies]` in a Poetry 1 project); returns what was added."""
    document = tomlkit.parse(text)
    already = PyProject(document.unwrap(), "").main_names()
    added = tuple(name for name in sorted(libraries) if name not in already)
    if not added:
        return text, ()
    if _is_pep621(document):
        dependencies = _project_dependencies(document, create=True)
        assert dependencies is not None
        for name in added:
            dependencies.append(name)
    table = _poetry_dependencies(document, create=True)
    assert table is not None
    for name in added:
        table[name] = _inline(f'{{ path = "{libraries[name]}", develop = true }}')
    return tomlkit.dumps(document), added


def _add_source(document: tomlkit.TOMLDocument, repository: str, simple_url: str) -> None:
    """Add the repository as an explicit Poetry source (used only for what names it), once."""
    poetry = _poetry_table(document, create=True)
    assert poetry is not None
    sources = poetry.get("source")
    if isinstance(sources, list) and any(source.get("name") == repository for source in sources):
        return
    source = tomlkit.table()
    source.update({"name": repository, "url": simple_url, "priority": "explicit"})
    if isinstance(sources, AoT | list):
        sources.append(source)
    else:
        poetry["source"] = tomlkit.aot()
        poetry["source"].append(source)


def declare_published(text: str, library: str, version: str, repository: str, simple_url: str) -> str:
    """`text` with `library` declared by version (^version) from the named repository, which is
    added as an explicit Poetry source when it is not there."""
    document = tomlkit.parse(text)
    if normalize_name(library) in PyProject(document.unwrap(), "").main_names():
        raise MonoError(f"{library} is declared already", "remove it first to switch it to a published version")
    if _is_pep621(document):
        dependencies = _project_dependencies(document, create=True)
        assert dependencies is not None
        dependencies.append(f"{library}{caret(version)}")
        entry = f'{{ source = "{repository}" }}'
    else:
        entry = f'{{ version = "^{version}", source = "{repository}" }}'
    table = _poetry_dependencies(document, create=True)
    assert table is not None
    table[library] = _inline(entry)
    _add_source(document, repository, simple_url)
    return tomlkit.dumps(document)


def exact(version: str) -> str:
    """The requirement on exactly `version`."""
    return f"=={version}"


def pin_internal(text: str, versions: Mapping[str, str], constraint: Callable[[str], str] = exact) -> str:
    """A pyproject.toml with its internal path dependencies turned into version requirements (by
    default exact: `core==0.1.0`): what a wheel of it may say about them."""
    document = tomlkit.parse(text)
    project = _project_table(document)
    _rewrite_requirements(
        _project_dependencies(document), lambda name: constraint(versions[name]) if name in versions else None
    )
    table = _poetry_dependencies(document)
    if table is not None:
        pep621 = project is not None and "dependencies" in project
        for key in list(table.keys()):
            if normalize_name(key) in versions:
                if pep621:
                    del table[key]  # [project].dependencies now says it all
                else:
                    table[key] = constraint(versions[normalize_name(key)])
    return tomlkit.dumps(document)


def set_version(text: str, version: str) -> str:
    """A pyproject.toml's text with its version set (PEP 621 or Poetry 1 table)."""
    document = tomlkit.parse(text)
    project = _project_table(document)
    poetry = _poetry_table(document)
    if project is not None and "version" in project:
        project["version"] = version
    elif poetry is not None and "version" in poetry:
        poetry["version"] = version
    else:
        raise MonoError("the pyproject.toml has no version to bump", "set [project] version")
    return tomlkit.dumps(document)


def retarget(text: str, library: str, version: str) -> str:
    """A dependent's pyproject.toml with its by-version requirement on `library` moved to ^version."""
    document = tomlkit.parse(text)
    _rewrite_requirements(_project_dependencies(document), lambda name: caret(version) if name == library else None)
    table = _poetry_dependencies(document)
    for key in list(table or []):
        spec = table[key]
        if normalize_name(key) != library:
            continue
        if isinstance(spec, str):
            table[key] = f"^{version}"
        elif isinstance(spec, dict) and "version" in spec:
            spec["version"] = f"^{version}"
    return tomlkit.dumps(document)
