"""What the uv route installs: the groups Poetry would, the project itself when Poetry would."""

from __future__ import annotations

import sys

from mono.installer import _python_for, default_groups, installs_itself


def test_default_groups_are_the_ones_not_marked_optional() -> None:
    data = {"tool": {"poetry": {"group": {"dev": {}, "docs": {"optional": True}, "lint": {"optional": False}}}}}
    assert default_groups(data) == ["dev", "lint"]
    assert default_groups({}) == []


def test_only_package_mode_projects_install_themselves() -> None:
    assert installs_itself({"project": {"name": "lib"}})
    assert not installs_itself({"tool": {"poetry": {"package-mode": False}}})


def test_the_running_python_is_used_when_requires_python_allows_it() -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert _python_for({"project": {"requires-python": f">={running}"}}) == sys.executable
    assert _python_for({}) == sys.executable
    too_new = f">={sys.version_info.major}.{sys.version_info.minor + 1}"
    assert _python_for({"project": {"requires-python": too_new}}) == too_new  # uv looks for one
