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


# --- what `./mono run` runs ---------------------------------------------------------------------

RUNNABLE = """
[project]
name = "task"
[project.scripts]
task = "task:main"
"""


def test_one_script_is_what_run_runs() -> None:
    assert parse(RUNNABLE).scripts == ["task"]
    assert parse(RUNNABLE).run_setting is None and parse(RUNNABLE).run_command == ("task",)
    two = parse(RUNNABLE + 'other = "task:other"\n')
    assert two.scripts == ["other", "task"] and two.run_command is None  # which one is for the setting to say
    assert parse('[tool.poetry]\nname = "old"\n[tool.poetry.scripts]\nold = "old:main"\n').run_command == ("old",)
    assert parse('[project]\nname = "none"\n').run_command is None


@pytest.mark.parametrize(
    ("setting", "argv"),
    [
        ('"other"', ("other",)),
        ('"python -m task.train --out artifacts/"', ("python", "-m", "task.train", "--out", "artifacts/")),
        ("\"python -c 'print(1)'\"", ("python", "-c", "print(1)")),
        ('["python", "-m", "task", "a b"]', ("python", "-m", "task", "a b")),
    ],
)
def test_the_run_setting_is_a_command_line_or_a_list(setting: str, argv: tuple[str, ...]) -> None:
    pyproject = parse(RUNNABLE + f'other = "task:other"\n[tool.mono]\nrun = {setting}\n')
    assert pyproject.run_setting == argv and pyproject.run_command == argv


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("3", "must be a command: a string or a list of strings"),
        ('["python", 3]', "must be a command: a string or a list of strings"),
        ('"python\\u0000x"', "must be a command: a string or a list of strings"),
        ('"python -c \'unclosed"', "is not a command line (no closing quotation)"),
        ('""', "names no program to run"),
        ("[]", "names no program to run"),
        ('["", "x"]', "names no program to run"),
    ],
)
def test_a_bad_run_setting_is_one_line_naming_the_key(setting: str, problem: str) -> None:
    with pytest.raises(InvalidPyproject) as raised:
        _ = parse(f'[project]\nname = "task"\n[tool.mono]\nrun = {setting}\n').run_setting
    assert str(raised.value) == (
        f'lib/x/pyproject.toml [tool.mono] run: {problem} (hint: for example run = "NAME" '
        '(a [project.scripts] entry) or run = "python -m PACKAGE.main")'
    )


def test_pep_735_groups_are_installed_and_hashed_for_the_lock() -> None:
    base = '[project]\nname = "x"\n'
    grouped = parse(
        base + '[dependency-groups]\ndev = ["six"]\nextra = ["attrs"]\n[tool.poetry.group.extra]\noptional = true\n'
    )
    assert grouped.default_groups == ["dev"] and grouped.group_names == ["dev", "extra"]
    assert "dependency-groups" not in parse(base).lock_inputs()  # files without them hash as before
    assert grouped.lock_inputs()["dependency-groups"] == {"dev": ["six"], "extra": ["attrs"]}
