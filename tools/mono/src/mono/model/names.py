"""Names of distributions and requirements: the rules of PEP 503 and PEP 508, written once.

They are the two regular expressions `packaging` applies (`canonicalize_name`, the name at the
start of a `Requirement`); they are kept here because importing `packaging.utils` costs more
than `list`, `graph` and `affected` may spend starting up (docs/benchmarks.md). The tests check
that they agree with `packaging` on generated input.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

# PEP 508: a name starts and ends with a letter or digit; '-', '_' and '.' may sit in between.
_VALID_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_SEPARATORS = re.compile(r"[-_.]+")
# A requirement: NAME, optional [extras], then the version part, then an optional ; marker.
_NAME_FIRST = r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)"
_REQUIREMENT = re.compile(_NAME_FIRST + r"\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$", re.DOTALL)
_REQUIREMENT_NAME = re.compile(_NAME_FIRST)  # the name alone: discovery reads thousands of these


def normalize_name(name: str) -> str:
    """PEP 503 normal form: lower case, runs of '-', '_' and '.' become one '-'."""
    return _SEPARATORS.sub("-", name).lower()


def is_valid_name(name: str) -> bool:
    """True when `name` is a valid PEP 508 distribution name."""
    return _VALID_NAME.fullmatch(name) is not None


def is_unsafe_name(name: str) -> bool:
    """True for a name no tool should read past: one that would be a path ('/', '\\', '.',
    '..'), an option ('-x'), or a line break or other control character in its output. A name
    that is merely not a distribution name (`My Project`, which Poetry 1 accepted) is not."""
    return (
        any(char in name for char in "/\\")
        or not name.isprintable()
        or name.strip() in {"", ".", ".."}
        or name.startswith("-")
    )


def shown_name(name: str) -> str:
    """A project name as output shows it: as it is when valid, else shell-quoted, so a name
    with spaces (which Poetry 1 accepted) stays one word for whoever reads or pipes the output."""
    if is_valid_name(name):
        return name
    return shlex.quote(name) if name.isprintable() else repr(name)  # a newline must not split a line


def package_name(name: str) -> str:
    """The import name of a project's package: its normalised name with '_' for '-' and '.'."""
    return re.sub(r"[-.]", "_", normalize_name(name))


@dataclass(frozen=True)
class RequirementParts:
    """A PEP 508 requirement cut where an edit needs it: name, extras, version part, marker."""

    name: str  # as written
    extras: str  # "[a,b]" or ""
    version: str  # the rest before the marker, stripped
    marker: str  # "; python_version < '3.12'" or ""

    def with_version(self, constraint: str) -> str:
        """The requirement with its version part replaced by `constraint`."""
        return f"{self.name}{self.extras}{constraint}{self.marker}"


def split_requirement(requirement: str) -> RequirementParts | None:
    """The parts of a PEP 508 requirement string, or None when it does not start with a name."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return None
    return RequirementParts(match.group(1), match.group(2) or "", match.group(3).strip(), match.group(4) or "")


def requirement_name(requirement: str) -> str | None:
    """The normalised name a PEP 508 requirement string is about, or None when it has none."""
    match = _REQUIREMENT_NAME.match(requirement)
    return normalize_name(match.group(1)) if match is not None else None
