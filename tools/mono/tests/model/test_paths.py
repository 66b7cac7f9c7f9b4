"""Repo-relative paths from what a project writes."""

from __future__ import annotations

from mono.model.paths import is_within, join, leaves_repository


def test_join_normalises_relative_to_the_project() -> None:
    assert join("app/shop/web", "../../../lib/core") == "lib/core"
    assert join(".", "lib/core/") == "lib/core"
    assert join("lib/a", "..\\b") == "lib/b"


def test_paths_that_leave_the_repository() -> None:
    assert leaves_repository(join("lib/a", "../../../x")) and leaves_repository(join("lib/a", "/etc"))
    assert not leaves_repository(join("lib/a", "../b")) and leaves_repository("..")


def test_within() -> None:
    assert is_within("lib/a/x.py", "lib/a") and is_within("lib/a", "lib/a") and is_within("x", ".")
    assert not is_within("lib/ab/x.py", "lib/a")
