"""Versions and constraints: PEP 440 through `packaging`, Poetry's ^, ~, * and || through poetry-core.

Both libraries are imported where a function needs them: `list`, `graph` and `affected` use
none of this and must start fast.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from mono.errors import MonoError

if TYPE_CHECKING:
    from packaging.version import Version
    from poetry.core.constraints.version import VersionConstraint


def parse_version(text: str) -> Version | None:
    """`text` as a PEP 440 version, or None when it is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def same_version(first: str, second: str) -> bool:
    """True when two version strings name one version (1.0.0-rc1 == 1.0.0rc1); else compared as text."""
    parsed, other = parse_version(first), parse_version(second)
    if parsed is None or other is None:
        return first == second
    return parsed == other


def is_version(text: str) -> bool:
    """True when `text` is a PEP 440 version."""
    return parse_version(text) is not None


def poetry_constraint(text: str) -> VersionConstraint | None:
    """A constraint as Poetry reads it (PEP 440, ^, ~, *, ||), or None when Poetry cannot read it."""
    from poetry.core.constraints.version import parse_constraint
    from poetry.core.constraints.version.exceptions import ParseConstraintError

    try:
        return parse_constraint(text)
    except (ParseConstraintError, ValueError):
        return None


def same_constraint(first: str, second: str) -> bool:
    """True when two constraints allow the same versions as Poetry reads them (`^2.0` is
    `>=2.0,<3.0`); constraints Poetry cannot read are compared as text."""
    parsed, other = poetry_constraint(first), poetry_constraint(second)
    if parsed is None or other is None:
        return first.replace(" ", "") == second.replace(" ", "")
    return parsed == other


def constraint_allows(constraint: str, version: str) -> bool | None:
    """Whether a constraint (PEP 440 or Poetry's ^, ~, *) allows `version`; None when unreadable."""
    from poetry.core.constraints.version import Version as PoetryVersion

    parsed = poetry_constraint(constraint.strip().strip("()").strip() or "*")
    return None if parsed is None or parse_version(version) is None else parsed.allows(PoetryVersion.parse(version))


def caret(version: str) -> str:
    """Poetry's ^VERSION as a PEP 440 range: `0.3.1` -> `>=0.3.1,<0.4.0`, `1.2.0` -> `>=1.2.0,<2.0.0`."""
    constraint = poetry_constraint(f"^{version}")
    if constraint is None or parse_version(version) is None:
        raise MonoError(f"{version!r} is not a PEP 440 version")
    return str(constraint)


def pep440_allows(constraint: str, version: str) -> bool | None:
    """Whether a PEP 440 specifier set allows `version` (pre-releases too); None when it is not PEP 440."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(constraint).contains(version, prereleases=True)
    except InvalidSpecifier:
        return None


def python_fits(constraint: str, version: str) -> bool | None:
    """Whether a requires-python (PEP 440 or Poetry style) allows Python `version`; None when unreadable."""
    from poetry.core.constraints.version import Version as PoetryVersion

    parsed = poetry_constraint(constraint)
    return None if parsed is None else parsed.allows(PoetryVersion.parse(version))


@cache
def _pythons() -> tuple[tuple[str, Version], ...]:
    from packaging.version import Version

    # A practical stand-in for "every Python": each minor version at its first and a late patch
    # level, with 2.7 and 4.0 at the edges (a project that allows 4.0 does not fit a library capped "<4").
    texts = ["2.7.0", "2.7.99", *(f"3.{minor}.{patch}" for minor in range(16) for patch in (0, 99)), "4.0.0"]
    return tuple((text, Version(text)) for text in texts)


def all_pythons() -> frozenset[Version]:
    """The Pythons `supported_pythons` chooses from."""
    return frozenset(version for _, version in _pythons())


def supported_pythons(constraint: str) -> frozenset[Version] | None:
    """The Pythons of `all_pythons()` a requires-python (PEP 440 or Poetry style) allows; None if unreadable."""
    from poetry.core.constraints.version import Version as PoetryVersion

    if not constraint.strip():
        return all_pythons()  # an empty requires-python allows every Python
    parsed = poetry_constraint(constraint)
    if parsed is None:
        return None
    return frozenset(version for text, version in _pythons() if parsed.allows(PoetryVersion.parse(text)))


def bumped(version: str, part: str) -> str:
    """`version` bumped by `part` (major, minor, patch) or replaced by an explicit, newer X.Y.Z."""
    current = parse_version(version)
    if current is None:
        raise MonoError(f"the current version {version!r} is not a PEP 440 version")
    major, minor, micro = current.major, current.minor, current.micro
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{micro + 1}"
    explicit = parse_version(part)
    if explicit is None:
        raise MonoError(f"{part!r} is not patch, minor, major or a version", "e.g. 1.4.0")
    if explicit <= current:
        raise MonoError(f"{part} is not newer than the current version {version}")
    return str(explicit)
