"""`mono new` planning and `mono add` editing: validation and what gets declared (no Poetry)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mono.commands.add import plan_add
from mono.engine import scaffolding
from mono.engine.scaffolding import plan
from mono.errors import MonoError
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace
from mono.repo.edit import declare_libraries as declare
from tests.conftest import CliRunner
from tests.helpers import FIXTURES, REPO_ROOT, write_tree


def planned(repo: Path, kind: str, target: str, *libs: str):  # type: ignore[no-untyped-def]
    workspace = load_workspace(repo)
    return plan(workspace, build_graph(workspace), kind, target, libs)


def test_a_new_app_lives_under_its_program_with_the_closure_of_its_libraries(repo: Path) -> None:
    request = planned(repo, "app", "shop/My_Shop.Front", "util")
    assert (request.name, request.package, request.path) == ("my-shop-front", "my_shop_front", "app/shop/my-shop-front")
    assert request.libs == ("core", "util")  # util uses core: both are declared
    answers = request.answers(load_workspace(repo))
    assert answers["libs"] == [
        {"name": "core", "package": "core", "path": "../../../lib/core"},
        {"name": "util", "package": "util", "path": "../../../lib/util"},
    ]


def test_a_new_library_takes_a_plain_name(repo: Path) -> None:
    assert planned(repo, "lib", "geo").path == "lib/geo"
    with pytest.raises(MonoError, match="a new library is named NAME"):
        planned(repo, "lib", "shop/geo")


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [
        ("app", "web", "a new app is named PROGRAM/NAME"),
        ("app", "shop/../../etc", "a new app is named PROGRAM/NAME"),
        ("eda", "../x", "program '..' is not a valid name"),
        ("eda", "shop/..", "name '..' is not a valid name"),
        ("eng", "shop/-dash", "name '-dash' is not a valid name"),
        ("model", "shop/has space", "name 'has space' is not a valid name"),
        ("lib", "1st", "does not give an importable package name"),
        ("lib", "class", "does not give an importable package name"),
        ("lib", "Core", "a project named 'core' exists already: lib/core"),
        ("app", "shop/web", "a project named 'web' exists already"),
        ("service", "x", "unknown kind 'service'"),
        ("lib", "a" * 300, "name 'aaaaaaaaaaaaaaaaaaaa...' is 300 characters long"),
        ("lib", "con", "name 'con' is a name Windows reserves for a device"),
        ("eda", "shop/LPT1.data", "name 'LPT1.data' is a name Windows reserves"),
    ],
)
def test_bad_names_are_refused_with_one_line(repo: Path, kind: str, target: str, message: str) -> None:
    with pytest.raises(MonoError, match=message.replace(".", r"\.").replace("(", r"\(")):
        planned(repo, kind, target)


def test_an_existing_folder_is_never_overwritten(repo: Path) -> None:
    write_tree(repo, {"lib/geo/notes.txt": "mine\n"})
    with pytest.raises(MonoError, match="lib/geo exists already"):
        planned(repo, "lib", "geo")


def test_only_libraries_can_be_wired_in(repo: Path) -> None:
    with pytest.raises(MonoError, match="--lib 'web': web is of kind app, not a library"):
        planned(repo, "app", "shop/front", "web")
    with pytest.raises(MonoError, match="--lib 'nope': no such project"):
        planned(repo, "app", "shop/front", "nope")


def test_a_refused_new_changes_nothing(repo: Path, cli: CliRunner) -> None:
    before = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=repo, capture_output=True, text=True)
    for args in (("lib", "../escape"), ("app", "shop/web"), ("lib", "geo", "--lib", "web")):
        result = cli(repo, "new", *args)
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result.err
    after = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=repo, capture_output=True, text=True)
    assert after.stdout == before.stdout


PEP621 = """\
[project]
name = "front"
dependencies = [
    "flask>=3",  # the web framework
]

# Internal libraries by path:
[tool.poetry.dependencies]
core = { path = "../../../lib/core", develop = true }
"""


def test_declare_adds_to_both_tables_and_keeps_comments_and_layout() -> None:
    text, added = declare(PEP621, {"core": "../../../lib/core", "util": "../../../lib/util"})
    assert added == ("util",)  # core was declared already
    assert '    "flask>=3",  # the web framework\n    "util",\n]' in text
    assert "# Internal libraries by path:" in text
    assert 'util = { path = "../../../lib/util", develop = true }' in text
    assert declare(text, {"util": "../../../lib/util"}) == (text, ())


def test_declare_in_a_poetry1_project_uses_its_table_only() -> None:
    text, added = declare(
        '[tool.poetry]\nname = "study"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n', {"core": "../c"}
    )
    assert added == ("core",) and "[project]" not in text
    assert 'core = { path = "../c", develop = true }' in text


def test_add_declares_the_closure_in_the_project_and_in_everything_that_uses_it(repo: Path) -> None:
    workspace = load_workspace(repo)
    edits = {edit.project: edit.added for edit in plan_add(workspace, build_graph(workspace), "lonely", "util")}
    assert edits == {"util": ("lonely",), "web": ("lonely",)}  # web uses util, so it reaches lonely too


def test_add_refuses_cycles_and_projects_that_are_not_libraries(repo: Path) -> None:
    workspace = load_workspace(repo)
    graph = build_graph(workspace)
    with pytest.raises(MonoError, match="would make a cycle: core -> util -> core"):
        plan_add(workspace, graph, "util", "core")
    with pytest.raises(MonoError, match="web is of kind app, not a library"):
        plan_add(workspace, graph, "web", "study")
    with pytest.raises(MonoError, match="--to 'nope': no such project"):
        plan_add(workspace, graph, "core", "nope")


def test_the_app_template_ships_the_example_apps_dockerfile() -> None:
    # One Dockerfile for apps: the template's must not drift from the one the tests build.
    template = REPO_ROOT / "tools/templates/app"
    example = FIXTURES / "app/demo/flask-app-1"
    for name in ("Dockerfile", ".dockerignore"):
        assert (template / name).read_text() == (example / name).read_text(), name


def test_a_program_folder_that_is_a_symlink_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "eda").mkdir(exist_ok=True)
    (repo / "eda/ext").symlink_to(elsewhere)
    with pytest.raises(MonoError, match="eda/ext/study2 leads outside the repository"):
        planned(repo, "eda", "ext/study2")
    assert list(elsewhere.iterdir()) == []


def test_the_loser_of_two_news_of_one_name_touches_nothing_of_the_winners(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = planned(repo, "eda", "lab/survey")  # eda/lab does not exist yet: both make it
    final = repo / "eda/lab/survey"
    winners_record = repo / ".mono/state/tested/survey"

    def lock_while_the_other_finishes(args: list[str], root: Path, folder: Path, log: Path, **options: object) -> None:
        # While this run locks, the other `new` finishes: its project and its record are in place.
        write_tree(repo, {"eda/lab/survey/pyproject.toml": "winner\n", ".mono/state/tested/survey": "key\n"})

    monkeypatch.setattr(scaffolding, "_render", lambda workspace, request, staging, log: staging.mkdir())
    monkeypatch.setattr(scaffolding, "poetry", lock_while_the_other_finishes)
    with pytest.raises(MonoError, match="eda/lab/survey exists already"):
        scaffolding.create(load_workspace(repo), request, repo / "new.log", lambda: None, lambda said: None)
    assert (final / "pyproject.toml").read_text() == "winner\n" and winners_record.read_text() == "key\n"
    assert [path.name for path in (repo / "eda/lab").iterdir()] == ["survey"]  # no staging left
