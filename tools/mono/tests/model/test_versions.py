"""Versions and constraints, read as packaging and poetry-core read them."""

from __future__ import annotations

import pytest

from mono.errors import MonoError
from mono.model.versions import bumped, caret, pep440_allows, same_version, supported_pythons


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.3.1", ">=0.3.1,<0.4.0"), ("1.2.0", ">=1.2.0,<2.0.0"), ("0.0.3", ">=0.0.3,<0.0.4"), ("2.1", ">=2.1,<3.0")],
)
def test_caret_is_poetrys(version: str, expected: str) -> None:
    assert caret(version) == expected


def test_caret_of_something_that_is_not_a_version_is_one_line() -> None:
    with pytest.raises(MonoError, match="not a PEP 440 version"):
        caret("banana")


def test_versions_compare_as_versions() -> None:
    assert same_version("1.0.0-rc1", "1.0.0rc1") and same_version("2.0", "2.0.0")
    assert not same_version("1.0", "1.1") and same_version("not.a.version!", "not.a.version!")


def test_pep440_allows_says_when_it_cannot_tell() -> None:
    assert pep440_allows(">=3.11", "3.11.4") is True
    assert pep440_allows(">=3.12", "3.11.4") is False
    assert pep440_allows("^3.11", "3.11.4") is None  # Poetry style: not PEP 440


@pytest.mark.parametrize(
    ("constraint", "allowed"),
    [
        ("^3.12", ["3.12", "3.13", "3.14", "3.15"]),
        ("~3.11", ["3.11"]),
        ("3.12.*", ["3.12"]),
        ("~=3.14", ["3.14", "3.15"]),
    ],
)
def test_poetry_style_python_constraints(constraint: str, allowed: list[str]) -> None:
    pythons = supported_pythons(constraint)
    assert pythons is not None
    assert sorted({(v.major, v.minor) for v in pythons}) == [tuple(map(int, a.split("."))) for a in allowed]


@pytest.mark.parametrize(
    ("version", "part", "expected"),
    [("1.2.3", "patch", "1.2.4"), ("1.2.3", "minor", "1.3.0"), ("1.2.3", "major", "2.0.0"), ("1.2.3", "1.4", "1.4")],
)
def test_bumps(version: str, part: str, expected: str) -> None:
    assert bumped(version, part) == expected


def test_a_bump_backwards_is_refused() -> None:
    with pytest.raises(MonoError, match="not newer"):
        bumped("1.2.3", "1.2.0")
