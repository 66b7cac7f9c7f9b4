"""The edit model of a pyproject.toml, on tomlkit: changes that keep the file's layout and comments.

Each function takes the file's text and returns the new text; writing it is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import tomlkit
from packaging.requirements import Requirement
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


def _group_dependencies(document: tomlkit.TOMLDocument, group: str) -> Any:
    """The dependency table of a Poetry group (created when missing); Poetry 1's
    `[tool.poetry.dev-dependencies]` for "dev" where the file has one."""
    poetry = _poetry_table(document, create=True)
    legacy = poetry.get("dev-dependencies")
    if group == "dev" and isinstance(legacy, dict):
        return legacy
    groups = poetry.setdefault("group", tomlkit.table(is_super_table=True))
    return groups.setdefault(group, tomlkit.table(is_super_table=True)).setdefault("dependencies", tomlkit.table())


def _fill(table: Any, entries: Mapping[str, object]) -> None:
    """Add `entries` to a dependency table; one that was empty (new) then ends with a blank line,
    as a table followed by another does (`_dumps` trims it at the end of the file)."""
    # Only a table with nothing at all in it; one that holds a blank line ends with it already.
    new = getattr(getattr(table, "value", None), "body", None) == []
    for key, value in entries.items():
        table[key] = value
    if new:
        table.add(tomlkit.nl())


def _dumps(document: tomlkit.TOMLDocument, original: str) -> str:
    """The document's text; a table `_new_table` made last in the file leaves no blank line after it."""
    text = tomlkit.dumps(document)
    return text[:-1] if text.endswith("\n\n") and not original.endswith("\n\n") else text


def _inline(text: str) -> object:
    """An inline table parsed from `{ ... }` text, ending its line (parsed without the newline,
    it would take over the blank line that separates its table from the next)."""
    return tomlkit.parse(f"x = {text}\n")["x"]


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
    entries = {name: _inline(f'{{ path = "{libraries[name]}", develop = true }}') for name in added}
    _fill(_poetry_dependencies(document, create=True), entries)
    return _dumps(document, text), added


def _poetry_spec(requirement: Requirement, constraint: str) -> object:
    """A requirement as Poetry's tables write it: `"^1.2"`, or an inline table with extras and markers."""
    if not requirement.extras and requirement.marker is None:
        return constraint
    parts = [f"version = {tomlkit.string(constraint).as_string()}"]
    if requirement.extras:
        parts.append(
            f"extras = [{', '.join(tomlkit.string(extra).as_string() for extra in sorted(requirement.extras))}]"
        )
    if requirement.marker is not None:
        parts.append(f"markers = {tomlkit.string(str(requirement.marker)).as_string()}")
    return _inline(f"{{ {', '.join(parts)} }}")


def declare_requirement(
    text: str, requirement: str, group: str | None = None, latest: str | None = None
) -> tuple[str, str]:
    """`text` with a third-party requirement (PEP 508, valid) declared the way the file declares
    its others: `[project].dependencies` in a PEP 621 project, `[tool.poetry.dependencies]` in a
    Poetry 1 one, the group's table with `group`. Without a version it gets Poetry's default on
    `latest` (`^latest`, or `>=latest,<next major` in `[project]`). Returns the text and what
    was written, as the file now says it."""
    parsed = Requirement(requirement)
    document = tomlkit.parse(text)
    parts = split_requirement(requirement.strip())
    specifier = parts.version.strip("() ") if parts is not None and parsed.specifier else ""  # as the user wrote it
    if group is None and _is_pep621(document):
        written = requirement.strip()
        if not specifier and latest is not None and parts is not None:
            written = parts.with_version(caret(latest))
        dependencies = _project_dependencies(document, create=True)
        assert dependencies is not None
        dependencies.append(written)
        return _dumps(document, text), written
    constraint = specifier or (f"^{latest}" if latest is not None else "*")
    table = _group_dependencies(document, group) if group is not None else _poetry_dependencies(document, True)
    _fill(table, {parsed.name: _poetry_spec(parsed, constraint)})
    return _dumps(document, text), f"{parsed.name} = {table[parsed.name].as_string().strip()}"


def _add_source(document: tomlkit.TOMLDocument, repository: str, simple_url: str) -> None:
    """Add the repository as an explicit Poetry source (used only for what names it), once."""
    poetry = _poetry_table(document, create=True)
    assert poetry is not None
    sources = poetry.get("source")
    if isinstance(sources, list) and any(source.get("name") == repository for source in sources):
        return
    source = tomlkit.table()
    source.update({"name": repository, "url": simple_url, "priority": "explicit"})
    source.add(tomlkit.nl())  # a blank line before whatever table follows
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
    _fill(_poetry_dependencies(document, create=True), {library: _inline(entry)})
    _add_source(document, repository, simple_url)
    return _dumps(document, text)


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


def pin_requirement(text: str, package: str, version: str) -> str:
    """`text` requiring `package` (normalised) at exactly `version` in its main group: its main
    declarations get `==version`, or one is added. `upgrade` locks with this, then again with the
    file as it was, so Poetry keeps the locked version and the lock matches the real file."""
    document = tomlkit.parse(text)
    pin, found = exact(version), False

    def wanted(name: str) -> str | None:
        nonlocal found
        found = found or name == package
        return pin if name == package else None

    _rewrite_requirements(_project_dependencies(document), wanted)
    table = _poetry_dependencies(document)
    for key in list(table or []):
        spec = table[key]
        if normalize_name(key) == package and (isinstance(spec, str) or (isinstance(spec, dict) and "version" in spec)):
            found = True
            if isinstance(spec, str):
                table[key] = pin
            else:
                spec["version"] = pin
    if not found and _is_pep621(document):
        dependencies = _project_dependencies(document, create=True)
        assert dependencies is not None
        dependencies.append(f"{package}{pin}")
    elif not found:
        _fill(_poetry_dependencies(document, create=True), {package: pin})
    return _dumps(document, text)
