"""A poetry.lock read in-process as `poetry export --format requirements.txt` writes it.

These build locks from data and pin the lines down; tests/integration/test_export_in_process.py
compares the same reading with the real `poetry export` on fixtures and on locks Poetry made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mono.repo.requirements import (
    Export,
    NotExportable,
    export_requirements,
    python_versions,
    requirements_from_lock,
)

PYPROJECT = {"project": {"name": "web", "requires-python": ">=3.11,<4.0", "dependencies": ["six"]}}
PYTHON = 'python_version >= "3.11" and python_version < "4.0"'


def package(name: str, version: str = "1.0", **fields: Any) -> dict[str, Any]:
    entry = {"name": name, "version": version, "optional": False, "python-versions": ">=3.8", "groups": ["main"]}
    entry.setdefault("files", [{"file": f"{name}-{version}.tar.gz", "hash": f"sha256:{name}"}])
    return {**entry, **fields}


def exported(packages: list[dict[str, Any]], groups: tuple[str, ...] = (), pyproject: Any = None) -> list[str]:
    lock = {"package": packages, "metadata": {"lock-version": "2.1", "content-hash": "x"}}
    text = export_requirements(Export(pyproject or PYPROJECT, lock, Path("/repo/app/web"), groups))
    return text.removesuffix("\n").split("\n")


def test_each_package_of_the_groups_asked_for_with_the_project_python_and_its_hashes() -> None:
    files = [{"file": "a.whl", "hash": "sha256:bb"}, {"file": "b.tar.gz", "hash": "aa"}, {"file": "c", "hash": "md5:x"}]
    lines = exported(
        [
            package("six", "1.17.0", files=files),
            package("pytest", "8.3.0", groups=["dev"]),
            package("sphinx", groups=["docs"]),
        ]
    )
    # Sorted lines, sorted hashes, a bare hash taken as sha256, md5 left out, other groups too.
    assert lines == [f"six==1.17.0 ; {PYTHON} \\", "    --hash=sha256:aa \\", "    --hash=sha256:bb"]
    assert exported([package("pytest", "8.3.0", groups=["dev"], files=[])], ("dev",)) == [f"pytest==8.3.0 ; {PYTHON}"]


def test_a_recorded_marker_meets_the_project_python_and_one_per_group_is_joined_for_the_groups_asked_for() -> None:
    colorama = package("colorama", markers='sys_platform == "win32"', files=[])
    assert exported([colorama]) == [f'colorama==1.0 ; {PYTHON} and sys_platform == "win32"']
    # Poetry's algebra simplifies, as the export does: only 3.11 is below 3.12 here.
    tomli = package("tomli", markers='python_version < "3.12"', files=[])
    assert exported([tomli]) == ['tomli==1.0 ; python_version == "3.11"']
    both = package(
        "click",
        groups=["main", "dev"],
        markers={"main": 'sys_platform == "win32"', "dev": 'sys_platform == "linux"'},
        files=[],
    )
    assert exported([both]) == [f'click==1.0 ; {PYTHON} and sys_platform == "win32"']
    assert exported([both], ("dev",)) == [
        f'click==1.0 ; {PYTHON} and (sys_platform == "win32" or sys_platform == "linux")'
    ]


def test_a_package_needed_only_through_an_extra_of_the_project_is_left_out() -> None:
    socks = package("pysocks", markers='extra == "socks"', files=[])
    assert exported([socks, package("six", files=[])]) == [f"six==1.0 ; {PYTHON}"]


def test_path_and_remote_packages_are_written_as_poetry_writes_them(tmp_path: Path) -> None:
    lines = exported(
        [
            package("core", "0.1.0", source={"type": "directory", "url": "../../lib/core"}, develop=True, files=[]),
            package("util", "0.2.0", source={"type": "directory", "url": "../../lib/util"}, develop=False, files=[]),
            package("wheel", "1.0", source={"type": "file", "url": "dist/wheel-1.0-py3-none-any.whl"}),
            package(
                "greet",
                "2.0",
                source={"type": "git", "url": "https://example.invalid/greet.git", "reference": "main"}
                | {"resolved_reference": "abc123"},
                files=[],
            ),
        ]
    )
    assert lines == [
        f"-e file:///repo/lib/core ; {PYTHON}",
        f"greet @ git+https://example.invalid/greet.git@abc123 ; {PYTHON}",
        f"util @ file:///repo/lib/util ; {PYTHON}",
        f"wheel @ file:///repo/app/web/dist/wheel-1.0-py3-none-any.whl ; {PYTHON} \\",
        "    --hash=sha256:wheel",
    ]


def test_the_project_python_is_requires_python_unless_poetry_narrows_it() -> None:
    assert python_versions({"project": {"requires-python": ">=3.10"}}) == ">=3.10"
    narrowed = {"project": {"requires-python": ">=3.10"}, "tool": {"poetry": {"dependencies": {"python": "^3.11"}}}}
    assert python_versions(narrowed) == "^3.11"
    assert python_versions({}) == "~2.7 || >=3.4"  # what Poetry takes for a project naming none
    assert exported([package("six", files=[])], pyproject=narrowed) == [f"six==1.0 ; {PYTHON}"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"metadata": {"lock-version": "2.0"}}, "lock-version 2.0 records no markers"),
        ({"package": [package("six", source={"type": "legacy", "reference": "team", "url": "u"})]}, "source team"),
        ({"package": [{"name": "six"}]}, "an entry Poetry must read"),
        ({"package": ["six"]}, "an entry Poetry must read"),
    ],
)
def test_what_only_poetry_can_export_is_left_to_it(change: dict[str, Any], why: str) -> None:
    lock = {"package": [package("six")], "metadata": {"lock-version": "2.1"}} | change
    with pytest.raises(NotExportable, match=why):
        export_requirements(Export(PYPROJECT, lock, Path("/repo"), ()))


def test_a_lock_is_read_whatever_its_hash_and_an_unreadable_one_is_left_to_poetry(tmp_path: Path) -> None:
    # Freshness is Poetry's Locker's question (mono.external.poetry.lock_is_fresh), not this reading's.
    (tmp_path / "poetry.lock").write_text('[metadata]\nlock-version = "2.1"\ncontent-hash = "x"\n')
    assert requirements_from_lock(tmp_path / "poetry.lock", PYPROJECT, ()) == "\n"
    (tmp_path / "poetry.lock").write_text("[metadata\n")
    with pytest.raises(NotExportable, match=r"poetry\.lock cannot be read"):
        requirements_from_lock(tmp_path / "poetry.lock", PYPROJECT, ())
