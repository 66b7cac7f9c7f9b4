"""What the package index has released: versions of a package, newest first, and the newest a
set of constraints and a project's Python allow (as Poetry chooses: no pre-releases, nothing
yanked, only releases whose requires-python covers the project's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mono.external.index import ReleaseFile, index_url, release_files
from mono.model.versions import constraint_allows, parse_version, supported_pythons

# Index queries wait on the network, not on the CPU: more than the 2 cores' worth at once.
INDEX_WORKERS = 8


@dataclass(frozen=True)
class Release:
    """One released version and what its files say about Python ('' where one says nothing)."""

    version: str
    requires_python: tuple[str, ...]

    def fits(self, python: str | None) -> bool:
        """True when one of its files installs on every Python the project's requires-python allows."""
        pythons = supported_pythons(python) if python else None
        if not pythons:
            return True
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        for requires in self.requires_python:
            try:
                if not requires or all(SpecifierSet(requires).contains(str(each)) for each in pythons):
                    return True
            except InvalidSpecifier:
                return True  # a file that says nonsense: Poetry would try it, so may we
        return False


def _version_of(filename: str) -> str | None:
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None  # an .egg, an .exe, a name no tool can read: not something Poetry installs


def releases_from(files: Iterable[ReleaseFile]) -> tuple[Release, ...]:
    """The final releases among `files` (yanked files and pre-releases left out), newest first."""
    found: dict[str, list[str]] = {}
    for file in files:
        version = None if file.yanked else _version_of(file.filename)
        parsed = parse_version(version) if version is not None else None
        if parsed is not None and not (parsed.is_prerelease or parsed.is_devrelease):
            found.setdefault(str(parsed), []).append(file.requires_python)
    ordered = sorted(found, key=lambda text: parse_version(text), reverse=True)  # type: ignore[arg-type, return-value]
    return tuple(Release(version, tuple(found[version])) for version in ordered)


def fetch_releases(packages: Iterable[str]) -> dict[str, tuple[Release, ...]]:
    """Package (normalised) -> its releases on the repository's index, asked in parallel. A
    package the index does not know has none; an index that does not answer raises (exit 1)."""
    wanted, url = sorted(set(packages)), index_url()

    def one(package: str) -> tuple[Release, ...]:
        return releases_from(release_files(url, package, "the package index"))

    if len(wanted) <= 1:
        return {package: one(package) for package in wanted}
    with ThreadPoolExecutor(max_workers=INDEX_WORKERS) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def newest(
    releases: Iterable[Release], python: str | None = None, allows: Callable[[str], bool] = lambda _: True
) -> str | None:
    """The newest release that fits the project's Python and that `allows` lets through."""
    return next((item.version for item in releases if item.fits(python) and allows(item.version)), None)


def allowed_by(constraints: Iterable[str]) -> Callable[[str], bool]:
    """A test: does a version satisfy every constraint (one that cannot be read blocks nothing)?"""
    kept = tuple(constraints)
    return lambda version: all(constraint_allows(constraint, version) is not False for constraint in kept)
