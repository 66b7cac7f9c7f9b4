"""What one pyproject.toml says of its project, as discovery needs it, and a cache of that keyed
on the file's stat.

A repository of thousands of projects is discovered on every command, and deriving these facts
from a file's tables costs more than the read it saves (150 us a file). So the facts themselves
are kept: derived from the file and the repository's folder settings alone, they stay true while
both are as they were. What depends on other files (a lock beside it, a path dependency's
target, a test input's link) is not a fact here: discovery looks at the disk for those each run.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from mono.errors import InvalidPyproject
from mono.model import paths
from mono.model.config import REPOSITORY_KEYS, Config, check_docker_context, unknown_key
from mono.model.kinds import KINDS, check_kind
from mono.model.layout import pyproject_cache
from mono.model.names import normalize_name
from mono.model.project import PathDependency, Style
from mono.repo.pyproject import PyProject
from mono.repo.statcache import StatCache, signature, sources_fingerprint
from mono.repo.toml import read_toml, table

PROJECT_SETTINGS = frozenset({"kind", "test-inputs", "test-env", "docker-context", "groups", "run"})
_STYLES = ("pep621", "poetry1")


class Facts(NamedTuple):
    """What a pyproject.toml says, checked; a tuple, not a dataclass: ten thousand are loaded per run."""

    name: str  # normalised
    kind: str | None  # None when neither its settings nor its folders say
    style: Style
    version: str | None
    path_dependencies: tuple[PathDependency, ...]  # one per target, sorted by target
    test_inputs: tuple[str, ...]  # as written, relative to the project
    declared: tuple[str, ...]  # every dependency name it declares (normalised), path or not
    test_env: tuple[str, ...]
    sources_outside: tuple[str, ...]
    written_names: tuple[str, ...]  # of path_dependencies, as written (for messages)
    docker_context: str | None
    settings_only: bool  # only tools' settings (ruff's, pytest's), no project
    poetry_table: bool  # it has [tool.poetry]
    other_tools: bool  # its tables or build backend say PDM or uv manage it


def _kind(settings: dict[str, Any], path: str, config: Config, shown_as: str) -> str | None:
    """The kind its settings or the folders above it give; None when neither says."""
    known = PROJECT_SETTINGS | REPOSITORY_KEYS if path == "." else PROJECT_SETTINGS
    for key in settings:
        if key not in known:
            raise unknown_key(key, set(known), f"{shown_as} [tool.mono]")
    if "kind" in settings:
        return check_kind(settings["kind"], f"{shown_as} [tool.mono] kind")
    folders = path.split("/")[:-1] if path != "." else []
    return next((config.kinds[folder] for folder in folders if folder in config.kinds), None)


def _check_groups(pyproject: PyProject) -> None:
    """`[tool.mono] groups`: a list of the file's own Poetry groups."""
    if "groups" not in pyproject.mono_settings:
        return
    where = f"{pyproject.shown_as} [tool.mono] groups"
    value = pyproject.mono_settings["groups"]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidPyproject(where, "must be a list of Poetry group names", 'for example groups = ["test"]')
    known = set(pyproject.group_names)
    unknown = sorted(set(value) - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise InvalidPyproject(where, f"names no group '{unknown[0]}' of this file", f"its groups: {listed}")


def _string_list(value: Any, where: str, problem: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidPyproject(where, problem)
    return tuple(value)


def _test_env(value: Any, shown_as: str) -> tuple[str, ...]:
    names = _string_list(value, f"{shown_as} [tool.mono] test-env", "must be a list of environment variable names")
    if not all(names):
        raise InvalidPyproject(f"{shown_as} [tool.mono] test-env", "must be a list of environment variable names")
    return tuple(sorted(set(names)))


def _sources_outside(pyproject: PyProject, project_path: str) -> tuple[str, ...]:
    """The repo-relative package folders it takes from outside its own folder (and inside the repo)."""
    joined = {paths.join(project_path, source) for source in pyproject.package_sources()}
    inside = {source for source in joined if not paths.leaves_repository(source)}
    return tuple(sorted(source for source in inside if not paths.is_within(source, project_path)))


def _path_dependencies(pyproject: PyProject, project_path: str) -> tuple[tuple[PathDependency, str], ...]:
    """Each path dependency, with its name as written: one per target, sorted by target."""
    found: dict[str, tuple[PathDependency, str]] = {}
    for written in pyproject.path_dependencies():
        target = paths.join(project_path, written.path)
        dependency = PathDependency(normalize_name(written.name), written.path, target, written.develop)
        found[target] = (dependency, written.name)
    return tuple(found[key] for key in sorted(found))


def _project_name(pyproject: PyProject, path: str, root: Path) -> str:
    raw_name = pyproject.name
    if raw_name is None and pyproject.style == "poetry1":
        # Poetry 1 allows no name with package-mode = false: the folder's is used.
        raw_name = path.rsplit("/", 1)[-1] if path != "." else root.name
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise InvalidPyproject(pyproject.shown_as, "the project name must be a non-empty string", "set [project] name")
    return normalize_name(raw_name)


def facts_of(pyproject: PyProject, path: str, root: Path, config: Config) -> Facts:
    """The facts of the pyproject.toml of repo-relative folder `path`; InvalidPyproject or
    ConfigError for one whose settings are wrong."""
    shown_as = pyproject.shown_as
    settings = pyproject.mono_settings
    name = _project_name(pyproject, path, root)
    kind = _kind(settings, path, config, shown_as)
    _check_groups(pyproject)
    _ = pyproject.run_setting  # a bad [tool.mono] run is reported whatever the command
    inputs = _string_list(
        settings.get("test-inputs", []),
        f"{shown_as} [tool.mono] test-inputs",
        "must be a list of paths relative to the project",
    )
    context = settings.get("docker-context")
    dependencies = _path_dependencies(pyproject, path)
    return Facts(
        name=name,
        kind=kind,
        style=pyproject.style,
        version=pyproject.version,
        path_dependencies=tuple(dependency for dependency, _ in dependencies),
        test_inputs=inputs,
        declared=tuple(sorted(pyproject.declared_names())),
        test_env=_test_env(settings.get("test-env", []), shown_as),
        sources_outside=_sources_outside(pyproject, path),
        written_names=tuple(written for _, written in dependencies),
        docker_context=(
            None if context is None else check_docker_context(context, f"{shown_as} [tool.mono] docker-context")
        ),
        settings_only="project" not in pyproject.data and "poetry" not in table(pyproject.data, "tool"),
        poetry_table="poetry" in table(pyproject.data, "tool"),
        other_tools=pyproject.other_tools_project,
    )


# --- the cache -----------------------------------------------------------------------------------


# The types of a Facts' fields as JSON gives them back: the three that may be None, either way.
_FIELD_TYPES = frozenset(
    (str, kind, str, version, list, list, list, list, list, list, context, bool, bool, bool)
    for kind in (str, type(None))
    for version in (str, type(None))
    for context in (str, type(None))
)
_DEPENDENCY_TYPES = (str, str, str, bool)


def _is_facts(value: object, strict: bool) -> bool:
    """A Facts as JSON keeps it (a list of its fields), of the right types throughout: the cache
    is a file in the user's folder, and what it holds is used without the pyproject's checks.
    Ten thousand are checked per run, so with map() and sets, in C rather than a step per item."""
    if type(value) is not list or tuple(map(type, value)) not in _FIELD_TYPES:
        return False
    kind, style, dependencies = value[1], value[2], value[4]
    return (
        (kind is None or kind in KINDS)
        and style in _STYLES
        and set(map(type, chain(value[5], value[6], value[7], value[8], value[9]))) <= {str}
        and len(value[9]) == len(dependencies)
        and all(type(item) is list and tuple(map(type, item)) == _DEPENDENCY_TYPES for item in dependencies)
    )


def _to_cache(facts: Facts) -> list[Any]:
    """Facts as JSON keeps them, lists for tuples (as they come back)."""
    dependencies = [[item.name, item.path, item.target, item.develop] for item in facts.path_dependencies]
    return [*facts[:4], dependencies, *(list(item) for item in facts[5:10]), *facts[10:]]


def _from_cache(value: list[Any]) -> Facts:
    dependencies = tuple(PathDependency(*item) for item in value[4])
    name, kind, style, version, _, inputs, declared, env, outside, written, context, *flags = value
    return Facts(
        name, kind, style, version, dependencies, tuple(inputs), tuple(declared), tuple(env), tuple(outside),
        tuple(written), context, *flags,
    )  # fmt: skip


FactsCache = StatCache[list[Any]]


def project_facts(root: Path, config: Config) -> FactsCache:
    """The cache of the facts of the pyproject.toml files of the repository at `root`, kept in
    the user's cache folder (the read-only commands write nothing inside the repository). Facts
    follow from the tool's code and the repository's folder settings too: a change of either
    starts a new cache."""
    kinds = ",".join(f"{folder}={kind}" for folder, kind in sorted(config.kinds.items()))
    return StatCache(pyproject_cache(root), f"project-facts {sources_fingerprint()} {kinds}", _is_facts)


def cached_facts(cache: FactsCache, root: Path, path: str, config: Config) -> Facts:
    """The facts of the pyproject.toml of repo-relative folder `path`, from `cache` while the
    file's stat is what it was when they were derived."""
    shown_as = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
    file = f"{root}/{shown_as}"
    seen = signature(file)  # before the read: a change during the read shows next time
    if seen is not None:
        known = cache.get(shown_as, seen)
        if known is not None:
            return _from_cache(known)
    facts = facts_of(PyProject(read_toml(Path(file), shown_as), shown_as), path, root, config)
    if seen is not None:
        cache.put(shown_as, seen, _to_cache(facts))
    return facts
