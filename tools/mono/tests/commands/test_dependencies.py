"""Third-party dependencies across projects: what `upgrade` plans and `outdated` reports, from
locks written as data and releases given by the test (the real index and Poetry are the
integration tier's: tests/integration/test_dependencies.py); and `add`'s refusals."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from mono.commands.outdated import outdated
from mono.commands.upgrade import Blocked, Move, plan_upgrade
from mono.engine.releases import Release
from mono.errors import MonoError
from mono.repo.discovery import load_workspace
from tests.conftest import CliRunner
from tests.helpers import build_repo, tree_listing


def _pyproject(name: str, requirements: str = "", poetry: str = "") -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{requirements}]\n\n[tool.poetry]\npackage-mode = false\n{poetry}"
    )


def _lock(*packages: tuple[str, str, dict[str, str]]) -> str:
    text = ""
    for name, version, dependencies in packages:
        text += f'[[package]]\nname = "{name}"\nversion = "{version}"\n\n'
        if dependencies:
            text += "[package.dependencies]\n" + "".join(f'{k} = "{v}"\n' for k, v in dependencies.items()) + "\n"
    return text + '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.11"\ncontent-hash = "x"\n'


SIX = (Release("1.17.0", ("",)), Release("1.16.0", ("",)), Release("1.15.0", ("",)))
IDNA = (Release("3.10", (">=3.6",)), Release("3.7", (">=3.5",)))


def releases(packages: Iterable[str]) -> dict[str, tuple[Release, ...]]:
    known = {"six": SIX, "idna": IDNA}
    return {package: known.get(package, ()) for package in packages}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return build_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.mono]\n",
            "lib/core/pyproject.toml": _pyproject("core"),
            "app/a/web/pyproject.toml": _pyproject("web", '"six>=1.10"'),
            "app/a/web/poetry.lock": _lock(("six", "1.15.0", {}), ("idna", "3.10", {})),
            "app/a/api/pyproject.toml": _pyproject("api", poetry='\n[tool.poetry.group.dev.dependencies]\nsix = "*"\n'),
            "app/a/api/poetry.lock": _lock(("six", "1.16.0", {})),
            "eda/a/old/pyproject.toml": _pyproject("old", '"six<1.16"'),
            "eda/a/old/poetry.lock": _lock(("six", "1.15.0", {}), ("idna", "3.7", {})),
            "eda/a/pinned/pyproject.toml": _pyproject("pinned", '"legacy"'),
            "eda/a/pinned/poetry.lock": _lock(("legacy", "1.0", {"idna": "<3.8"}), ("idna", "3.7", {})),
            "eda/a/fresh/pyproject.toml": _pyproject("fresh"),
            "eda/a/fresh/poetry.lock": _lock(("six", "1.17.0", {})),
        },
    )


ALL = ("api", "core", "fresh", "old", "pinned", "web")


def test_upgrade_moves_the_projects_that_allow_the_newest_and_reports_the_blocked(repo: Path) -> None:
    plan = plan_upgrade(load_workspace(repo), ALL, "Six", None, releases)
    assert (plan.package, plan.version) == ("six", "1.17.0")
    assert plan.moves == (Move("api", "1.16.0"), Move("web", "1.15.0"))
    assert plan.current == ("fresh",)
    assert plan.blocked == (Blocked("old", "1.15.0", "eda/a/old/pyproject.toml [project] dependencies", "<1.16"),)


def test_a_constraint_from_another_locked_package_blocks_too(repo: Path) -> None:
    plan = plan_upgrade(load_workspace(repo), ALL, "idna", None, releases)
    assert plan.version == "3.10" and plan.current == ("web",) and plan.moves == (Move("old", "3.7"),)
    assert plan.blocked == (Blocked("pinned", "3.7", "eda/a/pinned/poetry.lock (legacy 1.0)", "<3.8"),)


def test_upgrade_to_a_version_is_refused_where_a_constraint_leaves_it_out(repo: Path) -> None:
    workspace = load_workspace(repo)
    with pytest.raises(MonoError, match=r"six 1.16.0 is left out by the constraints of old \(eda/a/old/pyproject"):
        plan_upgrade(workspace, ALL, "six", "1.16.0", releases)
    plan = plan_upgrade(workspace, ("web", "api", "fresh"), "six", "1.16.0", releases)
    assert plan.moves == (Move("web", "1.15.0"), Move("fresh", "1.17.0")) and plan.current == ("api",)


@pytest.mark.parametrize(
    ("package", "version", "message"),
    [
        ("six", "9.9", "six 9.9 is not released on the package index"),
        ("six", "latest", "--to 'latest' is not a version"),
        ("requests", None, "no selected project locks requests"),
        ("core", None, "core is a project of this repository"),
    ],
)
def test_upgrade_refuses_what_it_cannot_do(repo: Path, package: str, version: str | None, message: str) -> None:
    with pytest.raises(MonoError, match=message):
        plan_upgrade(load_workspace(repo), ALL, package, version, releases)


def test_outdated_lists_each_package_behind_with_the_newest_each_project_may_have(repo: Path) -> None:
    rows = outdated(load_workspace(repo), ALL, releases)
    assert [(row.package, row.released) for row in rows] == [("idna", "3.10"), ("six", "1.17.0")]
    idna, six = rows
    assert [(item.project, item.version, item.allowed) for item in idna.locked] == [
        ("old", "3.7", "3.10"),
        ("pinned", "3.7", "3.7"),
        ("web", "3.10", "3.10"),
    ]
    assert {item.project: item.allowed for item in six.locked} == {
        "api": "1.17.0",
        "fresh": "1.17.0",
        "old": "1.15.0",
        "web": "1.17.0",
    }
    assert outdated(load_workspace(repo), ("fresh",), releases) == ()
    projects = idna.as_json()["projects"]
    assert isinstance(projects, list)
    assert projects[0] == {"name": "old", "path": "eda/a/old", "locked": "3.7", "allowed": "3.10"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["add", "six>=", "--to", "web"], "'six>=' is not a valid requirement: "),
        (["add", "six @ https://example.invalid/six.whl", "--to", "web"], "names a URL"),
        (["add", "six>=1", "--to", "nothing"], "--to 'nothing': no such project"),
        (["add", "six", "--to", "web"], "web declares six already (app/a/web/pyproject.toml [project] dependencies"),
        (["add", "Six", "--to", "api"], "[tool.poetry.group.dev.dependencies]: '*'"),
        (["add", "core>=1", "--to", "web"], "core is a project of this repository"),
        (["add", "core", "--to", "web", "--group", "dev"], "--group is for third-party packages"),
        (["add", "six", "--to", "core", "--published"], "--published is for internal libraries"),
        (["upgrade", "six", "--to", "1.16.0"], "left out by the constraints of old"),
    ],
)
def test_bad_requests_are_one_line_exit_2_and_change_nothing(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.setattr("mono.commands.upgrade.fetch_releases", releases)
    before = {path: (repo / path).read_bytes() for path in tree_listing(repo) if (repo / path).is_file()}
    result = cli(repo, *args)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and expected in result.err, result.err
    assert {path: (repo / path).read_bytes() for path in before} == before


def test_a_package_the_index_lacks_is_refused_before_any_edit(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mono.commands.add.fetch_releases", releases)
    before = (repo / "lib/core/pyproject.toml").read_text()
    result = cli(repo, "add", "nosuch", "--to", "core")
    assert result.code == 2 and "no package named 'nosuch' on the package index" in result.err
    assert (repo / "lib/core/pyproject.toml").read_text() == before
    assert "(hint: did you mean the project 'core'?)" in cli(repo, "add", "cores", "--to", "web").err
