"""Discovery: every pyproject.toml below the repository root becomes a Project record."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, cast

from mono.errors import DuplicateProject, InvalidPyproject, MissingPathDependency
from mono.model import paths
from mono.model.config import REPOSITORY_KEYS, Config, DockerContext, parse_config, unknown_key
from mono.model.kinds import Kind
from mono.model.names import is_unsafe_name, shown_name
from mono.model.project import Duplicate, PathDependency, Project, Style, Workspace
from mono.repo.facts import PROJECT_SETTINGS, Facts, FactsCache, cached_facts, project_facts
from mono.repo.files import NOT_SEARCHED, paths_inside
from mono.repo.pyproject import PyProject
from mono.repo.statcache import ListingCache, folder_listings, walk_listings


class _Parsed(NamedTuple):
    """What discovery knows of one pyproject.toml and the disk around it; a tuple, not a
    dataclass: ten thousand are made per run."""

    name: str
    path: str
    kind: Kind
    style: Style
    version: str | None
    path_dependencies: tuple[PathDependency, ...]
    has_lock: bool
    test_inputs: tuple[str, ...]
    declared: tuple[str, ...]  # every dependency name it declares (normalised), path or not
    test_env: tuple[str, ...]
    kind_guessed: bool  # no setting and no known folder: its kind follows from how it is used
    sources_outside: tuple[str, ...]
    docker_context: DockerContext | None
    # Not a Poetry project (PDM's, uv's, or tools' settings only): kept only when a Poetry
    # project uses it by path.
    foreign: bool


def _is_read(root: Path, path: Path) -> bool:
    """True for a pyproject.toml discovery reads: a file, and not a link to a file outside the
    repository (which is not the repository's, whatever it holds)."""
    return path.is_file() and (not path.is_symlink() or paths_inside(root, path))


def _root_pyproject(root: Path) -> Path | None:
    path = root / "pyproject.toml"
    return path if _is_read(root, path) else None


def load_config(root: Path) -> Config:
    """The settings of the repository at `root`; defaults when it has no root pyproject.toml.

    When the root pyproject.toml is a project too, its `[tool.mono]` holds the settings of both:
    the repository's keys are read here, the project's by discovery."""
    path = _root_pyproject(root)
    if path is None:
        return Config()
    pyproject = PyProject.read(path, "pyproject.toml")
    settings = pyproject.mono_settings
    if pyproject.is_project:
        known = PROJECT_SETTINGS | REPOSITORY_KEYS
        for key in settings:
            if key not in known:
                raise unknown_key(key, set(known), "pyproject.toml [tool.mono]")
        settings = {key: value for key, value in settings.items() if key not in PROJECT_SETTINGS}
    return parse_config(settings)


def root_exclusions(root: Path, config: Config) -> tuple[str, ...]:
    """The folder globs discovery leaves out: `[tool.mono] exclude`, and what the root
    pyproject.toml's workspace settings and own packages say holds no projects."""
    path = _root_pyproject(root)
    written = PyProject.read(path, "pyproject.toml").excluded_folders() if path is not None else []
    return (*config.exclude, *written)


def in_excluded_folder(relative: str, exclude: tuple[str, ...]) -> bool:
    """True when repo-relative file `relative` lies in a folder discovery leaves out by `exclude`."""
    parts = relative.split("/")[:-1]
    folders = ("/".join(parts[: index + 1]) for index in range(len(parts)))
    return any(fnmatch.fnmatch(folder, pattern) for folder in folders for pattern in exclude)


# A folder of these names is never entered: hidden ones, NOT_SEARCHED, and a template's folder
# (cookiecutter, copier), whose pyproject.toml is not a project.
_SKIPPED_NAME = re.compile("|".join(["^[.]", r"\{\{", r"\{%", *(f"^{re.escape(name)}$" for name in NOT_SEARCHED)]))


def _entered(exclude: tuple[str, ...]) -> Callable[[str, list[str]], list[str]]:
    """Which sub-folders of a folder discovery walks into: not a skipped name, nor a folder an
    `exclude` glob matches (and so nothing below it)."""
    # fnmatch's rules (POSIX: case kept), compiled into one pattern: one match a folder.
    excluded = (
        re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in exclude)).match if exclude else None
    )

    def entered(relative: str, names: list[str]) -> list[str]:
        kept = [name for name in names if not _SKIPPED_NAME.search(name)]
        if excluded is None:
            return kept
        prefix = f"{relative}/" if relative else ""
        return [name for name in kept if not excluded(prefix + name)]

    return entered


def find_pyprojects(root: Path, exclude: tuple[str, ...] = (), folders: ListingCache | None = None) -> list[str]:
    """Repo-relative folders (below the root) that hold a pyproject.toml, in sorted order; each
    folder listed anew only when its stat moved since `folders` (a cache) last saw it."""
    cache = folders if folders is not None else folder_listings(root)
    # strings, not Paths: tens of thousands of folders on a large repository
    walked = walk_listings(cache, os.fspath(root), _entered(exclude))
    # A link is looked at anew each time: where it points may have changed.
    found = [
        relative
        for relative, kind in walked
        if relative and (kind == "file" or _is_read(root, root / relative / "pyproject.toml"))
    ]
    cache.save(keep_unused=False)  # every folder was listed: the others are gone or left out
    return sorted(found)


def _guessed_kind(item: _Parsed, used_by_path: set[str], root: Path) -> Kind:
    """The kind of a project no setting or folder names: a library when others depend on it by
    path, an app when it has a Dockerfile, else other."""
    if item.path in used_by_path:
        return "lib"
    folder = root if item.path == "." else root / item.path
    return "app" if (folder / "Dockerfile").is_file() else "other"


def _check_dependencies(facts: Facts, shown_as: str, root: Path, known: frozenset[str]) -> None:
    """MissingPathDependency for a path dependency whose target is neither a project found nor
    anything on disk."""
    for dependency, written_name in zip(facts.path_dependencies, facts.written_names, strict=True):
        # Most targets are projects found already; only others need a look at the disk.
        if dependency.target not in known and not os.path.exists(root / dependency.target):
            raise MissingPathDependency(shown_as, written_name, dependency.path)


def _test_inputs(facts: Facts, project_path: str, shown_as: str, root: Path) -> tuple[str, ...]:
    inputs = [paths.join(project_path, item) for item in facts.test_inputs]
    outside = [
        item
        for item, target in zip(facts.test_inputs, inputs, strict=True)
        if paths.leaves_repository(target) or not paths_inside(root, root / target)  # a symlink out, too
    ]
    if outside:
        raise InvalidPyproject(f"{shown_as} [tool.mono] test-inputs", f"'{outside[0]}' leaves the repository")
    return tuple(sorted(set(inputs)))


def _is_foreign(facts: Facts, path: str, folder: str, has_lock: bool) -> bool:
    """Not a Poetry project: tools' settings only, or a project PDM or uv manages (their table,
    backend or lock, and no poetry.lock). Asked of thousands of files: the facts first, the disk
    only when they do not tell."""
    if path == ".":
        return False
    if facts.settings_only:
        return True
    if has_lock or facts.poetry_table:
        return False
    return facts.other_tools or os.path.isfile(f"{folder}/pdm.lock") or os.path.isfile(f"{folder}/uv.lock")


def _parse(root: Path, path: str, config: Config, known: frozenset[str], cache: FactsCache) -> _Parsed:
    """What one pyproject.toml says (from `cache` when the file is unchanged), and what the disk
    around it says."""
    facts = cached_facts(cache, root, path, config)
    folder = str(root) if path == "." else f"{root}/{path}"
    shown_as = "pyproject.toml" if path == "." else f"{path}/pyproject.toml"
    _check_dependencies(facts, shown_as, root, known)
    has_lock = os.path.isfile(f"{folder}/poetry.lock")
    return _Parsed(
        foreign=_is_foreign(facts, path, folder, has_lock),
        kind_guessed=facts.kind is None,
        sources_outside=facts.sources_outside,
        test_inputs=_test_inputs(facts, path, shown_as, root) if facts.test_inputs else (),
        name=facts.name,
        path=path,
        kind=cast("Kind", facts.kind or "other"),  # a string: a type built per call costs 10 us
        style=facts.style,
        version=facts.version,
        path_dependencies=facts.path_dependencies,
        has_lock=has_lock,
        declared=facts.declared,
        test_env=facts.test_env,
        docker_context=cast("DockerContext | None", facts.docker_context),
    )


def _root_is_project(root: Path) -> bool:
    path = _root_pyproject(root)
    return path is not None and PyProject.read(path, "pyproject.toml").is_project


def _project(item: _Parsed, by_name: dict[str, _Parsed], name_at: dict[str, str]) -> Project:
    by_path = {name_at[dep.target] for dep in item.path_dependencies if dep.target in name_at}
    by_version = {name for name in item.declared if name in by_name and name not in by_path} - {item.name}
    return Project(
        name=item.name,
        path=item.path,
        kind=item.kind,
        style=item.style,
        version=item.version,
        depends_on=tuple(sorted(by_path | by_version)),
        path_dependencies=item.path_dependencies,
        has_lock=item.has_lock,
        test_inputs=item.test_inputs,
        version_dependencies=tuple(sorted(by_version)),
        test_env=item.test_env,
        sources_outside=item.sources_outside,
        docker_context=item.docker_context,
    )


def discover(root: Path) -> tuple[Workspace, tuple[Duplicate, ...]]:
    """Like load_workspace, but projects sharing a name are returned, not raised.

    Of each shared name the first project (by path) is kept in the workspace; `mono check`
    reports the others instead of stopping at them.
    """
    config = load_config(root)
    found = find_pyprojects(root, root_exclusions(root, config))
    if _root_is_project(root):
        found.insert(0, ".")
    known = frozenset(found)
    cache = project_facts(root, config)
    parsed = [_parse(root, path, config, known, cache) for path in found]
    cache.save(keep_unused=False)  # every pyproject was read: the others are gone
    used_by_path = {dependency.target for item in parsed if not item.foreign for dependency in item.path_dependencies}
    # A project of PDM or uv is left alone, unless a Poetry project installs it by path.
    parsed = [item for item in parsed if not item.foreign or item.path in used_by_path]
    parsed = [
        item._replace(kind=_guessed_kind(item, used_by_path, root)) if item.kind_guessed else item for item in parsed
    ]
    by_name: dict[str, _Parsed] = {}
    shared: dict[str, list[str]] = {}  # in the order their second project was found
    for item in parsed:
        if item.name in by_name:
            shared.setdefault(item.name, [by_name[item.name].path]).append(item.path)
        else:
            by_name[item.name] = item
    name_at = {item.path: item.name for item in parsed}
    projects = {item.name: _project(item, by_name, name_at) for item in by_name.values()}
    duplicates = tuple(Duplicate(name, tuple(places)) for name, places in shared.items())
    return Workspace(root=root, config=config, projects=projects), duplicates


def load_workspace(root: Path) -> Workspace:
    """Discover and parse every project of the repository at `root`; two projects with one name,
    or a name that could pass for a path or an option, raise."""
    workspace, duplicates = discover(root)
    if duplicates:
        first = duplicates[0]
        raise DuplicateProject(first.name, first.paths[0], first.paths[1])
    for project in sorted(workspace.projects.values(), key=lambda project: project.path):
        if is_unsafe_name(project.name):
            # A name becomes a folder, a file, a tag and an argument: one that would be a path,
            # an option or a line break is refused here. One that is merely not a distribution
            # name is reported by `check`, and Poetry's work on it is refused (mono.engine.runner).
            raise InvalidPyproject(
                project.pyproject_shown,
                f"the project name {shown_name(project.name)} is not a valid distribution name",
                "letters, digits, and '-', '_' or '.' between them",
            )
    return workspace
