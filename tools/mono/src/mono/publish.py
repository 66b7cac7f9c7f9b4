"""`mono publish` and `mono version`: internal libraries on a package index.

A published library's metadata has no path dependencies: its internal dependencies become
version constraints on their current versions (`core>=0.3.0,<0.4.0`, Poetry's caret), so it
installs from the index like any package. It is built from a temporary copy and uploaded with
Poetry; nothing in the repository changes.

A repository is named as in Poetry: its upload URL is `POETRY_REPOSITORIES_<NAME>_URL` (or
`poetry config repositories.<name> URL`), its credentials `POETRY_HTTP_BASIC_<NAME>_USERNAME`
and `..._PASSWORD`. Its simple index, read to see what is published, is
`MONO_REPOSITORIES_<NAME>_SIMPLE_URL`, else derived from the upload URL (`.../legacy/` becomes
`.../simple/`, otherwise `simple/` is appended, as pypiserver and PyPI lay them out).
"""

from __future__ import annotations

import html.parser
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from mono.buildcontext import copy_project_files, pin_internal
from mono.errors import MonoError
from mono.poetry import poetry
from mono.workspace import Project, Workspace, normalize_name

SOURCE_DATE_EPOCH = "315532800"


@dataclass(frozen=True)
class Repository:
    """Where libraries are published: Poetry's name for it, its upload and simple URLs."""

    name: str
    upload_url: str
    simple_url: str


def _variable(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def repository(root: Path, name: str) -> Repository:
    """The repository called `name`, from Poetry's settings; one line (exit 2) when unknown."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise MonoError(f"--repository {name!r} is not a repository name", "letters, digits, '-', '_' and '.'")
    upload = os.environ.get(f"POETRY_REPOSITORIES_{_variable(name)}_URL")
    if not upload:
        result = poetry(["config", f"repositories.{name}.url"], root, root, None, check=False)
        upload = result.output.strip().splitlines()[-1] if result.returncode == 0 and result.output.strip() else ""
    if not upload.startswith(("http://", "https://")):
        raise MonoError(
            f"repository {name!r} is not configured",
            f"set POETRY_REPOSITORIES_{_variable(name)}_URL (or: poetry config repositories.{name} URL)",
        )
    simple = os.environ.get(f"MONO_REPOSITORIES_{_variable(name)}_SIMPLE_URL")
    if not simple:
        base = upload.rstrip("/")
        simple = base[: -len("/legacy")] + "/simple/" if base.endswith("/legacy") else base + "/simple/"
    return Repository(name, upload, simple if simple.endswith("/") else simple + "/")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.files.append(href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def published_versions(index: Repository, name: str) -> set[str]:
    """The versions of `name` on the repository's simple index (empty when it has none)."""
    url = f"{index.simple_url}{normalize_name(name)}/"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            page = answer.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return set()
        raise MonoError(f"cannot read {url}: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise MonoError(f"cannot reach repository {index.name!r} at {url}: {error}") from error
    links = _Links()
    links.feed(page)
    versions = set()
    for file in links.files:
        try:
            version = parse_wheel_filename(file)[1] if file.endswith(".whl") else parse_sdist_filename(file)[1]
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        versions.add(str(version))
    return versions


def is_published(version: str, versions: set[str]) -> bool:
    """True when `version` is among `versions`, compared as versions (1.0.0-rc1 == 1.0.0rc1)."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return version in versions
    return any(_same(wanted, other) for other in versions)


def _same(wanted: Version, other: str) -> bool:
    try:
        return Version(other) == wanted
    except InvalidVersion:
        return False


def caret(version: str) -> str:
    """Poetry's ^VERSION as a PEP 440 range: `0.3.1` -> `>=0.3.1,<0.4.0`, `1.2.0` -> `>=1.2.0,<2.0.0`."""
    parsed = Version(version)
    major, minor = parsed.major, parsed.minor
    upper = f"{major + 1}.0.0" if major > 0 else (f"0.{minor + 1}.0" if minor > 0 else f"0.0.{parsed.micro + 1}")
    return f">={version},<{upper}"


@dataclass(frozen=True)
class Published:
    """What `publish` uploaded."""

    name: str
    version: str
    files: tuple[str, ...]
    requires: dict[str, str]  # internal dependency -> constraint


def _internal_dependencies(workspace: Workspace, library: Project) -> dict[str, str]:
    return {
        name: workspace.projects[name].version or "0"
        for name in library.depends_on
        if name not in library.version_dependencies
    }


def publish(workspace: Workspace, library: Project, index: Repository, log: Path) -> Published:
    """Build the library (path dependencies as version constraints) and upload it; refuse a
    version that is there already, and internal dependencies that are not published yet."""
    if library.kind != "lib":
        raise MonoError(f"{library.name} is of kind {library.kind}: only libraries are published")
    version = library.version or ""
    if is_published(version, published_versions(index, library.name)):
        raise MonoError(
            f"{library.name} {version} is published on {index.name!r} already",
            f"bump it first: ./mono version {library.name} patch",
        )
    internal = _internal_dependencies(workspace, library)
    missing = [f"{n} {v}" for n, v in sorted(internal.items()) if not is_published(v, published_versions(index, n))]
    if missing:
        raise MonoError(
            f"{library.name} needs internal libraries that {index.name!r} does not have: {', '.join(missing)}",
            "publish those first",
        )
    with tempfile.TemporaryDirectory(prefix=f"mono-publish-{library.name}-") as scratch:
        copy = Path(scratch) / library.name
        copy_project_files(workspace, library.directory(workspace.root), copy)
        pyproject = copy / "pyproject.toml"
        pyproject.write_text(pin_internal(pyproject.read_text(encoding="utf-8"), internal, caret), encoding="utf-8")
        dist = Path(scratch) / "dist"
        poetry(
            ["build", "--output", str(dist)],
            workspace.root,
            copy,
            log,
            extra_env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
        poetry(["publish", "--repository", index.name, "--dist-dir", str(dist)], workspace.root, copy, log)
        files = tuple(sorted(path.name for path in dist.iterdir()))
    return Published(library.name, version, files, {name: caret(v) for name, v in internal.items()})


def bumped(version: str, part: str) -> str:
    """`version` bumped by `part` (major, minor, patch) or replaced by an explicit X.Y.Z."""
    try:
        current = Version(version)
    except InvalidVersion as error:
        raise MonoError(f"the current version {version!r} is not a PEP 440 version") from error
    major, minor, micro = current.major, current.minor, current.micro
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{micro + 1}"
    try:
        explicit = Version(part)
    except InvalidVersion as error:
        raise MonoError(f"{part!r} is not patch, minor, major or a version", "e.g. 1.4.0") from error
    if explicit <= current:
        raise MonoError(f"{part} is not newer than the current version {version}")
    return str(explicit)


def set_version(text: str, version: str) -> str:
    """A pyproject.toml's text with its version set (PEP 621 or Poetry 1 table), layout kept."""
    document = tomlkit.parse(text)
    project = document.get("project")
    tool = document.get("tool")
    poetry_table = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(project, dict) and "version" in project:
        project["version"] = version
    elif isinstance(poetry_table, dict) and "version" in poetry_table:
        poetry_table["version"] = version
    else:
        raise MonoError("the pyproject.toml has no version to bump", "set [project] version")
    return tomlkit.dumps(document)


def retarget(text: str, library: str, version: str) -> str:
    """A dependent's pyproject.toml with its by-version requirement on `library` moved to ^version."""
    constraint = caret(version)
    document = tomlkit.parse(text)
    project = document.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    if dependencies is not None:
        for index, requirement in enumerate(list(dependencies)):
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$", str(requirement))
            if match and normalize_name(match.group(1)) == library:
                dependencies[index] = f"{match.group(1)}{match.group(2) or ''}{constraint}{match.group(4) or ''}"
    tool = document.get("tool")
    table = tool.get("poetry", {}).get("dependencies") if isinstance(tool, dict) else None
    if isinstance(table, dict):
        for key in list(table):
            spec = table[key]
            if normalize_name(key) != library:
                continue
            if isinstance(spec, str):
                table[key] = f"^{version}"
            elif isinstance(spec, dict) and "version" in spec:
                spec["version"] = f"^{version}"
    return tomlkit.dumps(document)
