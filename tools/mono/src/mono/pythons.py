"""Which Pythons a requires-python allows, PEP 440 or Poetry style, over a practical set of versions."""

from __future__ import annotations

import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from mono.toml import table

# A practical stand-in for "every Python": each minor version at its first and a late patch level,
# with 2.7 and 4.0 at the edges (a project that allows 4.0 does not fit a library capped "<4").
PYTHONS = (
    Version("2.7.0"),
    Version("2.7.99"),
    *(Version(f"3.{minor}.{patch}") for minor in range(16) for patch in (0, 99)),
    Version("4.0.0"),
)
_POETRY_TERM = re.compile(r"\s*(\^|~=|~|==|!=|<=|>=|<|>|=)?\s*(\*|\d+(?:\.(?:\d+|\*))*)\s*,?\s*")


def _caret_upper(numbers: list[int]) -> str:
    """Poetry's ^: the first non-zero part goes up (^3.11 -> 4, ^0.2 -> 0.3)."""
    for index, number in enumerate(numbers):
        if number != 0 or index == len(numbers) - 1:
            return ".".join(str(part) for part in [*numbers[:index], number + 1])
    return "1"


def poetry_specifier(constraint: str) -> SpecifierSet | None:
    """A Poetry constraint ("^3.11", "~3.11", ">=3.8 <4", "3.11.*") as PEP 440, or None if it is not one."""
    parts: list[str] = []
    position, text = 0, constraint.strip()
    while position < len(text):
        match = _POETRY_TERM.match(text, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        operator, version = match.group(1) or "==", match.group(2)
        if version == "*":
            continue
        if operator in {"^", "~"}:
            if "*" in version:
                return None
            numbers = [int(part) for part in version.split(".")]
            upper = _caret_upper(numbers) if operator == "^" or len(numbers) == 1 else f"{numbers[0]}.{numbers[1] + 1}"
            parts += [f">={version}", f"<{upper}"]
        else:
            parts.append(f"{'==' if operator == '=' else operator}{version}")
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None


def supported_pythons(constraint: str) -> frozenset[Version] | None:
    """The Pythons of PYTHONS a requires-python (PEP 440 or Poetry style) allows; None if unreadable."""
    try:
        alternatives = [SpecifierSet(constraint)]
    except InvalidSpecifier:
        converted = [poetry_specifier(part) for part in re.split(r"\|\|?", constraint)]
        if any(spec is None for spec in converted):
            return None
        alternatives = [spec for spec in converted if spec is not None]
    return frozenset(python for python in PYTHONS if any(spec.contains(python, True) for spec in alternatives))


def requires_python(pyproject: dict[str, Any]) -> str | None:
    """The project's Python constraint: [project] requires-python, else Poetry 1's `python` dependency."""
    value = table(pyproject, "project").get("requires-python")
    if value is None:
        value = table(pyproject, "tool", "poetry", "dependencies").get("python")
    return value if isinstance(value, str) else None
