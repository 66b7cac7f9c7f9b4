"""What the uv route installs: the groups Poetry would, the project itself when Poetry would."""

from __future__ import annotations

import sys
from typing import Any

from mono.engine.installing import python_for
from mono.repo.pyproject import PyProject


def read(data: dict[str, Any]) -> PyProject:
    return PyProject(data, "pyproject.toml")


def test_default_groups_are_the_ones_not_marked_optional() -> None:
    data = {"tool": {"poetry": {"group": {"dev": {}, "docs": {"optional": True}, "lint": {"optional": False}}}}}
    assert read(data).default_groups == ["dev", "lint"]
    assert read({}).default_groups == []


def test_only_package_mode_projects_install_themselves() -> None:
    assert read({"project": {"name": "lib"}}).installs_itself
    assert not read({"tool": {"poetry": {"package-mode": False}}}).installs_itself


def test_the_running_python_is_used_when_requires_python_allows_it() -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert python_for(read({"project": {"requires-python": f">={running}"}})) == sys.executable
    assert python_for(read({})) == sys.executable
    too_new = f">={sys.version_info.major}.{sys.version_info.minor + 1}"
    assert python_for(read({"project": {"requires-python": too_new}})) == too_new  # uv looks for one
