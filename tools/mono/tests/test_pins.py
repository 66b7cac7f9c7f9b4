from __future__ import annotations

import re
import tomllib

from tests.helpers import REPO_ROOT

TOOL = REPO_ROOT / "tools" / "mono"


def pins(text: str) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", text, flags=re.MULTILINE)
    return {name.lower(): version for name, version in found}


def test_constraints_match_the_tools_lock() -> None:
    lock = tomllib.loads((TOOL / "poetry.lock").read_text())
    locked = {package["name"].lower(): package["version"] for package in lock["package"]}
    constraints = pins((TOOL / "constraints.txt").read_text())
    assert constraints, "constraints.txt pins nothing"
    assert {name: locked.get(name) for name in constraints} == constraints


def test_requirements_pin_poetry_2_and_its_plugins() -> None:
    requirements = pins((REPO_ROOT / "requirements.txt").read_text())
    assert requirements["poetry"].startswith("2.")
    assert {"poetry-plugin-pypi-mirror", "poetry-plugin-export", "uv"} <= set(requirements)


def test_requirements_agree_with_the_tools_lock_and_constraints() -> None:
    # The launcher installs requirements.txt with constraints.txt and the tool, which depends on
    # the same programs (for pipx): one version each, or pip cannot install them together.
    requirements = pins((REPO_ROOT / "requirements.txt").read_text())
    lock = tomllib.loads((TOOL / "poetry.lock").read_text())
    main = {package["name"].lower(): package["version"] for package in lock["package"] if "main" in package["groups"]}
    constraints = pins((TOOL / "constraints.txt").read_text())
    assert {name: main.get(name) for name in requirements} == requirements
    assert {name: constraints.get(name) for name in requirements} == requirements
