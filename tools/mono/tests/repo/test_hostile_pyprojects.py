"""Whatever a pyproject.toml holds where the tool looks (issue 12's shapes), discovery and
`check` give an answer or one MonoError line, never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mono.commands.check import check_repository
from mono.errors import MonoError
from mono.repo.discovery import load_workspace
from tests.conftest import CliRunner
from tests.helpers import build_repo, pep621

# Values of every TOML type, nested a little: what a hostile or careless file may put anywhere.
SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.floats(allow_nan=False))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    max_leaves=6,
)
# The places issue 12 taught the tool to read, in a project's file and in the root's.
PROJECT_PLACES = (
    ("tool", "mono", "groups"),
    ("tool", "mono", "docker-context"),
    ("tool", "poetry", "packages"),
    ("tool", "poetry", "group"),
    ("tool", "poetry", "dev-dependencies"),
    ("tool", "poetry", "name"),
    ("build-system", "build-backend"),
    ("tool", "pdm"),
)
ROOT_PLACES = (
    ("tool", "uv", "workspace", "exclude"),
    ("tool", "poetry", "workspace", "exclude"),
    ("tool", "poetry", "exclude"),
    ("tool", "poetry", "packages"),
    ("tool", "mono", "exclude"),
    ("tool", "mono", "docker"),
)


def _placed(document: dict[str, Any], place: tuple[str, ...], value: Any) -> dict[str, Any]:
    table = document
    for key in place[:-1]:
        child = table.get(key)
        table[key] = child if isinstance(child, dict) else {}
        table = table[key]
    table[place[-1]] = value
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    project_place=st.sampled_from(PROJECT_PLACES),
    root_place=st.sampled_from(ROOT_PLACES),
    project_value=VALUES,
    root_value=VALUES,
)
def test_any_value_at_the_places_read_is_an_answer_or_one_line(
    project_place: tuple[str, ...], root_place: tuple[str, ...], project_value: Any, root_value: Any
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        project = tomlkit.parse(pep621("core")).unwrap()
        (root / "libs/core/core").mkdir(parents=True)
        (root / "libs/core/pyproject.toml").write_text(tomlkit.dumps(_placed(project, project_place, project_value)))
        root_document = _placed({"tool": {"poetry": {"name": "root"}}}, root_place, root_value)
        (root / "pyproject.toml").write_text(tomlkit.dumps(root_document))
        try:
            load_workspace(root)
            check_repository(root)
        except MonoError as error:
            assert "\n" not in str(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["/tmp/victim", "../../escape", "a/../../b", "..", "x\\y", "my tool"]) | st.text(max_size=20)
)
def test_a_hostile_project_name_never_makes_a_path_leave_the_tools_folders(name: str) -> None:
    from mono.model import layout

    root = Path("/repo")
    for made in (
        layout.record(root, "locked", name),
        layout.requirements_file(root, name),
        layout.log_path(root, "lock", name),
        layout.wheel_cache(root, name),
    ):
        assert made.is_relative_to(root / ".mono") and ".." not in made.relative_to(root).parts
    outside = layout.log_path(root, "check", name, read_only=True)
    assert outside.parent == layout.outside_folder(root) / "logs" / "check"


def test_a_project_named_like_a_path_writes_nothing_there(tmp_path: Path, cli: CliRunner) -> None:
    # A folder whose path is its own normal form (no capitals, no '_'), so the name leads there.
    outside = Path(tempfile.mkdtemp(prefix="monovictim", dir="/tmp"))
    if outside.name != outside.name.lower().replace("_", "-"):
        outside = outside.rename(outside.with_name(outside.name.lower().replace("_", "-")))
    try:
        _writes_nothing_at(outside, tmp_path / "repo", cli)
    finally:
        shutil.rmtree(outside)


def _writes_nothing_at(outside: Path, root: Path, cli: CliRunner) -> None:
    victim = outside / "victim"
    victim.write_text("precious\n")
    files = {
        "libs/evil/pyproject.toml": pep621("x").replace('name = "x"', f'name = "{victim}"'),
        "libs/evil/poetry.lock": "[metadata]\n",
        "libs/up/pyproject.toml": pep621("x").replace('name = "x"', 'name = "../../../up"'),
    }
    build_repo(root, files)
    for command in (["check"], ["lock", "--check", "--all"], ["install", "--all"]):
        cli(root, *command)
    assert victim.read_text() == "precious\n"
    assert sorted(path.name for path in outside.iterdir()) == ["victim"]  # no victim.log, no victim.txt
