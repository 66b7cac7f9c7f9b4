"""`mono add LIB --to PROJECT`: declare an internal library in a project's pyproject.toml.

The library goes into both tables Poetry 2 reads, `[project].dependencies` (by name) and
`[tool.poetry.dependencies]` (its path, editable), or only the second in a Poetry 1 project;
tomlkit keeps the file's formatting and comments. Because Poetry does not follow a library's
own path dependencies (python-poetry/poetry#10178, docs/layout.md), every library the new one
reaches is declared too, and so is the whole set in every project that uses PROJECT.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import Array, Table

from mono.errors import MonoError
from mono.graph import Graph
from mono.workspace import Workspace, normalize_name

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Edit:
    """A pyproject.toml to rewrite: its project, the libraries it gains, the new text."""

    project: str
    path: Path
    added: tuple[str, ...]
    text: str


def _declared(document: tomlkit.TOMLDocument) -> set[str]:
    names = set()
    project = document.get("project")
    if isinstance(project, Table):
        for requirement in project.get("dependencies") or []:
            match = _NAME.match(str(requirement))
            if match:
                names.add(normalize_name(match.group(1)))
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, Table) else None
    table = poetry.get("dependencies") if isinstance(poetry, Table) else None
    if isinstance(table, Table):
        names |= {normalize_name(key) for key in table}
    return names


def declare(text: str, libraries: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """`text` with each library (name -> path from the project) declared; returns what was added."""
    document = tomlkit.parse(text)
    already = _declared(document)
    added = tuple(name for name in sorted(libraries) if name not in already)
    if not added:
        return text, ()
    project = document.get("project")
    pep621 = isinstance(project, Table) and "name" in project
    if pep621:
        assert isinstance(project, Table)
        dependencies = project.get("dependencies")
        if not isinstance(dependencies, Array):
            dependencies = tomlkit.array()
            project["dependencies"] = dependencies
        for name in added:
            dependencies.append(name)
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    poetry = tool.setdefault("poetry", tomlkit.table(is_super_table=True))
    table = poetry.setdefault("dependencies", tomlkit.table())
    for name in added:
        table[name] = tomlkit.parse(f'x = {{ path = "{libraries[name]}", develop = true }}')["x"]
    return tomlkit.dumps(document), added


def plan_add(workspace: Workspace, graph: Graph, library: str, target: str) -> tuple[Edit, ...]:
    """The edits `mono add LIBRARY --to TARGET` makes; bad requests raise MonoError (exit 2)."""
    lib = workspace.projects.get(normalize_name(library))
    if lib is None:
        raise MonoError(f"no project named {library!r}", "run './mono list' to see the libraries")
    if lib.kind != "lib":
        raise MonoError(f"{lib.name} is of kind {lib.kind}, not a library: only libraries can be added")
    project = workspace.projects.get(normalize_name(target))
    if project is None:
        raise MonoError(f"--to {target!r}: no such project", "run './mono list' to see the projects")
    if project.name == lib.name or project.name in graph.with_dependencies({lib.name}):
        chain = [project.name, *_path(graph, lib.name, project.name)]
        raise MonoError(f"adding {lib.name} to {project.name} would make a cycle: {' -> '.join(chain)}")
    wanted = graph.with_dependencies({lib.name})
    edits = []
    for name in sorted(graph.with_dependents({project.name})):
        user = workspace.projects[name]
        folder = user.directory(workspace.root)
        paths = {
            item: Path(os.path.relpath(workspace.projects[item].directory(workspace.root), folder)).as_posix()
            for item in wanted
        }
        pyproject = folder / "pyproject.toml"
        text, added = declare(pyproject.read_text(encoding="utf-8"), paths)
        if added:
            edits.append(Edit(name, pyproject, added, text))
    return tuple(edits)


def _path(graph: Graph, start: str, goal: str) -> list[str]:
    """A dependency path from start to goal (they are known to be connected)."""
    if start == goal:
        return [start]
    for step in graph.depends_on[start]:
        if goal in graph.with_dependencies({step}):
            return [start, *_path(graph, step, goal)]
    return [start, goal]


def declare_published(text: str, library: str, version: str, repository: str, simple_url: str) -> str:
    """`text` with `library` declared by version (^version) from the named repository, which is
    added as an explicit Poetry source (used only for what names it) when it is not there."""
    from mono.publish import caret

    document = tomlkit.parse(text)
    if normalize_name(library) in _declared(document):
        raise MonoError(f"{library} is declared already", "remove it first to switch it to a published version")
    project = document.get("project")
    if isinstance(project, Table) and "name" in project:
        dependencies = project.get("dependencies")
        if not isinstance(dependencies, Array):
            dependencies = tomlkit.array()
            project["dependencies"] = dependencies
        dependencies.append(f"{library}{caret(version)}")
        entry = f'x = {{ source = "{repository}" }}'
    else:
        entry = f'x = {{ version = "^{version}", source = "{repository}" }}'
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    poetry = tool.setdefault("poetry", tomlkit.table(is_super_table=True))
    poetry.setdefault("dependencies", tomlkit.table())[library] = tomlkit.parse(entry)["x"]
    sources = poetry.get("source")
    if not isinstance(sources, list) or not any(source.get("name") == repository for source in sources):
        source = tomlkit.table()
        source.update({"name": repository, "url": simple_url, "priority": "explicit"})
        if isinstance(sources, list):
            sources.append(source)
        else:
            poetry["source"] = tomlkit.aot()
            poetry["source"].append(source)
    return tomlkit.dumps(document)
