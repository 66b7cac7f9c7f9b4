from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.helpers import pep621, tree_listing, write_tree


def test_list_json_has_the_contract_fields(repo: Path, cli: CliRunner) -> None:
    result = cli(repo, "list", "--json")
    assert result.code == 0
    projects = {item["name"]: item for item in json.loads(result.out)}
    assert projects["web"]["path"] == "app/shop/web"
    assert projects["web"]["kind"] == "app"
    assert projects["web"]["depends_on"] == ["util"]
    assert projects["study"]["depends_on"] == ["core"]


def test_list_text_is_a_table(repo: Path, cli: CliRunner) -> None:
    lines = cli(repo, "list").out.splitlines()
    assert lines[0].split() == ["name", "kind", "path", "depends", "on"]
    assert any(line.split()[:3] == ["web", "app", "app/shop/web"] for line in lines)


def test_graph_formats(repo: Path, cli: CliRunner) -> None:
    assert "util -> core" in cli(repo, "graph").out
    assert json.loads(cli(repo, "graph", "--format", "json").out)["edges"]
    assert cli(repo, "graph", "--format", "dot").out.startswith("digraph")


def test_affected_json(repo: Path, cli: CliRunner) -> None:
    (repo / "lib/util/util/__init__.py").write_text("changed = True\n")
    data = json.loads(cli(repo, "affected", "--json").out)
    assert data["changed_files"] == ["lib/util/util/__init__.py"]
    assert data["changed_projects"] == ["util"]
    assert [project["name"] for project in data["projects"]] == ["util", "web"]
    assert cli(repo, "affected").out.split() == ["util", "web"]


def test_help_lists_every_command(repo: Path, cli: CliRunner) -> None:
    result = cli(repo, "--help")
    assert result.code == 0
    for command in ("list", "graph", "affected", "lock", "install", "test", "run"):
        assert command in result.out


def _break_pyproject(repo: Path) -> None:
    (repo / "lib/util/pyproject.toml").write_text("[project\n")


def _missing_path_dependency(repo: Path) -> None:
    (repo / "app/shop/web/pyproject.toml").write_text(pep621("web", {"ghost": "../../../lib/ghost"}))


def _make_cycle(repo: Path) -> None:
    (repo / "lib/core/pyproject.toml").write_text(pep621("core", {"util": "../util"}))


def _nothing(repo: Path) -> None:
    pass


BAD_INPUT = [
    pytest.param(
        _nothing, ["test", "utill"], "no project named or at 'utill' (hint: did you mean 'util'?)", id="unknown-project"
    ),
    pytest.param(_break_pyproject, ["list"], "lib/util/pyproject.toml: not valid TOML", id="malformed-pyproject"),
    pytest.param(
        _missing_path_dependency, ["graph"], "path dependency 'ghost' points at '../../../lib/ghost'", id="missing-path"
    ),
    pytest.param(_make_cycle, ["install", "--all"], "dependency cycle: ", id="cycle"),
    pytest.param(_nothing, ["list", "--frobnicate"], "No such option '--frobnicate'", id="unknown-flag"),
    pytest.param(
        _nothing, ["test", "--affected", "--since", "no-such-ref"], "no commit named 'no-such-ref'", id="bad-ref"
    ),
    pytest.param(_nothing, ["affected", "--since", "v9"], "no commit named 'v9'", id="bad-ref-affected"),
    pytest.param(
        _nothing, ["run", "core"], "core has nothing to run: lib/core/pyproject.toml has no", id="run-nothing"
    ),
    pytest.param(_nothing, ["exec", "web"], "no command to run in web (hint: put it after --", id="exec-nothing"),
    pytest.param(
        _nothing, ["poetry", "nowhere", "add", "six"], "no project named or at 'nowhere'", id="poetry-nowhere"
    ),
    pytest.param(_nothing, ["frobnicate"], "No such command 'frobnicate'", id="unknown-command"),
    pytest.param(_nothing, ["graph", "--format", "png"], "Invalid value for '--format'", id="bad-choice"),
]


@pytest.mark.parametrize(("prepare", "args", "expected"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    repo: Path, cli: CliRunner, prepare: object, args: list[str], expected: str
) -> None:
    prepare(repo)  # type: ignore[operator]
    before = tree_listing(repo)
    result = cli(repo, *args)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("mono: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.err
    assert tree_listing(repo) == before


def test_cycle_message_prints_the_cycle(repo: Path, cli: CliRunner) -> None:
    _make_cycle(repo)
    err = cli(repo, "list").err
    assert "dependency cycle: core -> util -> core" in err or "dependency cycle: util -> core -> util" in err


def test_affected_outside_a_git_repository(tmp_path: Path, cli: CliRunner) -> None:
    write_tree(tmp_path, {"lib/a/pyproject.toml": pep621("a")})
    result = cli(tmp_path, "test", "--affected")
    assert result.code == 2
    assert "not inside a git repository" in result.err and len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / ".mono").exists()


def test_dash_c_with_a_missing_folder(tmp_path: Path, cli: CliRunner) -> None:
    result = cli(tmp_path / "absent", "list")
    assert result.code == 2 and "no such folder" in result.err


def test_affected_says_what_it_compared_with(repo: Path, cli: CliRunner) -> None:
    result = cli(repo, "affected")
    assert result.err.startswith("mono: compared with ") and "merge-base with main" in result.err
    from tests.helpers import git

    git(repo, "branch", "-m", "main", "master")
    assert "no main or origin/main branch" in cli(repo, "affected").err


def test_run_rejects_a_port_that_is_not_a_number(repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "abc")
    result = cli(repo, "run", "web")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "mono: error: PORT='abc' is not a port number (hint: use a number from 1 to 65535, e.g. PORT=8000)"
    ]


def test_run_refuses_a_taken_port_before_installing_or_serving(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        monkeypatch.setenv("PORT", str(port))
        result = cli(repo, "run", "web")
    assert result.code == 2 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mono: error: port {port} on 127.0.0.1 is already in use"), lines
    assert "PORT=" in lines[0] and "serving" not in result.err and "installing" not in result.err


def test_a_mistyped_command_gets_the_close_ones_suggested(repo: Path, cli: CliRunner) -> None:
    result = cli(repo, "lsit")
    assert result.code == 2
    assert "No such command 'lsit'. (Did you mean one of: 'lint', 'list'?)" in result.err


def test_state_never_shows_in_git_status(repo: Path, cli: CliRunner) -> None:
    # The repository's .gitignore says nothing of .mono/; the commands that write there still
    # leave `git status` clean, and `affected` does not count the tool's files as changes.
    assert not (repo / ".gitignore").exists()
    cli(repo, "install", "core")  # skipped (no lock of its own), but it holds the work lock and logs
    assert (repo / ".mono/logs").is_dir()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""
    result = cli(repo, "affected", "--json")
    assert json.loads(result.out)["changed_files"] == []
