"""Names: our PEP 503/508 rules agree with packaging's on generated input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from mono.model.names import is_valid_name, normalize_name, package_name, requirement_name, split_requirement

NAME_CHARACTERS = st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=12)
VALID_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)


@given(NAME_CHARACTERS)
def test_normalize_name_is_packagings_canonical_name(name: str) -> None:
    assert normalize_name(name) == canonicalize_name(name)


@given(NAME_CHARACTERS)
def test_a_valid_name_is_one_packaging_accepts_in_a_requirement(name: str) -> None:
    # packaging's tokenizer is laxer than the name spec (it takes "0_"), so the test goes one way.
    if is_valid_name(name):
        assert Requirement(name).name == name
        assert is_valid_name(canonicalize_name(name))


def test_names_that_break_the_spec() -> None:
    for name in ("", "-core", "core-", "core_", "hello world", "ünï", "../etc", "a/b"):
        assert not is_valid_name(name), name
    with pytest.raises(InvalidRequirement):
        Requirement("hello world!")


@given(
    VALID_NAMES,
    st.sampled_from(["", "[extra]", "[a,b]"]),
    st.sampled_from(["", ">=1.0", "==2.*", ">=1,<2", " ~= 1.4"]),
    st.sampled_from(["", "; python_version < '3.12'", ";sys_platform=='linux'"]),
)
def test_requirement_name_is_the_name_packaging_parses(name: str, extras: str, version: str, marker: str) -> None:
    requirement = f"{name}{extras}{version}{marker}"
    assert requirement_name(requirement) == canonicalize_name(Requirement(requirement).name)


def test_a_requirement_is_cut_where_an_edit_needs_it() -> None:
    parts = split_requirement("Core[fast] >=1.0 ; python_version < '3.12'")
    assert parts is not None
    assert (parts.name, parts.extras, parts.version, parts.marker) == (
        "Core",
        "[fast]",
        ">=1.0",
        "; python_version < '3.12'",
    )
    assert parts.with_version("==2.0") == "Core[fast]==2.0; python_version < '3.12'"
    assert split_requirement("-e ./lib") is None and requirement_name("") is None


def test_the_package_name_is_importable_form_of_the_name() -> None:
    assert package_name("Iris.Data-Tools") == "iris_data_tools"
