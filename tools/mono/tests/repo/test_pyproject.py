"""The read model: PEP 621 with Poetry 2, Poetry 1, dev-dependencies and groups, package mode."""

from __future__ import annotations

import tomllib

import pytest

from mono.errors import InvalidPyproject
from mono.repo.pyproject import PyProject


def parse(text: str) -> PyProject:
    return PyProject(tomllib.loads(text), "lib/x/pyproject.toml")


POETRY1 = """
[tool.poetry]
name = "Old_Lib"
version = "1.2.0"
packages = [{ include = "old_pkg", from = "src" }]

[tool.poetry.dependencies]
python = "^3.12"
core = { path = "../core", develop = true }
requests = { version = "^2.0", optional = true }

[tool.poetry.dev-dependencies]
pytest = "^8"

[tool.poetry.group.docs]
optional = true
[tool.poetry.group.docs.dependencies]
sphinx = "*"
[tool.poetry.group.lint.dependencies]
ruff = { path = "../ruff-fork" }
"""

PEP621 = """
[project]
name = "web"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["core", "Flask[async] >=3 ; python_version >= '3.11'"]

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
core = { path = "../../lib/core", develop = true }
"""


def test_poetry1_projects_are_read_from_tool_poetry() -> None:
    project = parse(POETRY1)
    assert (project.style, project.name, project.version) == ("poetry1", "Old_Lib", "1.2.0")
    assert project.requires_python == "^3.12"
    assert project.installs_itself and project.default_groups == ["dev", "lint"]
    assert project.package_includes() == [("src/old_pkg", "old_pkg")]


def test_every_table_declares_names_but_only_the_main_group_is_required() -> None:
    project = parse(POETRY1)
    assert project.declared_names() == {"core", "requests", "pytest", "sphinx", "ruff"}
    assert project.required_names() == {"core"}  # requests is an extra
    assert [dep.name for dep in project.path_dependencies()] == ["core", "ruff"]
    assert [dep.name for dep in project.path_dependencies(main_only=True)] == ["core"]


def test_pep621_projects_with_poetry_tables() -> None:
    project = parse(PEP621)
    assert (project.style, project.name, project.requires_python) == ("pep621", "web", ">=3.11")
    assert project.main_names() == {"core", "flask"} and not project.installs_itself
    assert project.package_includes() == []
    assert project.lock_inputs()["project"]["dependencies"] == ["core", "Flask[async] >=3 ; python_version >= '3.11'"]


def test_a_root_of_settings_only_is_not_a_project() -> None:
    assert not parse("[tool.mono]\nworkers = 2\n").is_project
    assert parse('[tool.poetry]\nname = "x"\n').is_project


def test_a_path_that_is_not_a_string_is_one_line() -> None:
    with pytest.raises(InvalidPyproject, match=r"lib/x/pyproject\.toml: path of dependency 'core' must be a string"):
        list(parse("[tool.poetry.dependencies]\ncore = { path = 3 }\n").path_dependencies())


def test_poetry1_dev_dependencies_are_the_dev_group_poetry_installs() -> None:
    assert parse('[tool.poetry.dev-dependencies]\npytest = "*"\n').default_groups == ["dev"]
    assert parse("[tool.poetry.dev-dependencies]\n").default_groups == []


def test_python_in_the_main_group_table_is_the_projects_python() -> None:
    written = '[tool.poetry]\nname = "x"\n\n[tool.poetry.group.main.dependencies]\npython = "^3.10"\n'
    assert parse(written).requires_python == "^3.10"
