"""`mono poetry`, `mono exec` and `mono run` of entry points, for real (Poetry, uv, the templates),
on repositories built from data: every documented command leaves `git status` clean."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, REPO_ROOT, build_repo, dies_with_this_process, git
from tests.integration.conftest import IGNORED, free_port, mono

pytestmark = pytest.mark.integration

# An eng task whose one script prints what it was given and where it runs, and exits with $ECHO_EXIT.
ECHO_PYPROJECT = """
[project]
name = "echo"
version = "0.3.1"
requires-python = ">=3.11"
dependencies = []

[project.scripts]
echo-args = "echo_task:main"

[tool.poetry]
packages = [{ include = "echo_task" }]

[build-system]
requires = ["poetry-core>=2.0,<3.0"]
build-backend = "poetry.core.masonry.api"
"""
ECHO_TASK = """
import json
import os
import sys


def main() -> int:
    print(json.dumps({"args": sys.argv[1:], "prefix": sys.prefix, "cwd": os.getcwd()}))
    return int(os.environ.get("ECHO_EXIT", "0"))
"""
GITIGNORE = ".venv/\n.mono/\n__pycache__/\n"


def settled(repo: Path) -> str:
    """`git status` of the repository after committing everything: '' from here on means clean."""
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settled", "--allow-empty")
    return git(repo, "status", "--porcelain", "--untracked-files=all")


@pytest.fixture(scope="module")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = build_repo(
        tmp_path_factory.mktemp("run-anything") / "repo",
        {
            ".gitignore": GITIGNORE,
            "pyproject.toml": "[tool.mono]\n",
            "eng/x/echo/pyproject.toml": ECHO_PYPROJECT,
            "eng/x/echo/echo_task/__init__.py": ECHO_TASK,
            "eng/x/stale/pyproject.toml": ECHO_PYPROJECT.replace('"echo"', '"stale"'),
            "eng/x/stale/echo_task/__init__.py": ECHO_TASK,
        },
    )
    locked = mono("-C", str(repo), "lock", "echo", "stale")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    assert settled(repo) == ""
    return repo


def test_poetry_runs_in_the_project_and_passes_its_exit_code(tasks: Path) -> None:
    version = mono("-C", str(tasks), "poetry", "echo", "version")
    assert (version.returncode, version.stdout) == (0, "echo 0.3.1\n"), version.stderr
    # Options after the project are Poetry's, not ./mono's; so is the exit code.
    assert mono("-C", str(tasks), "poetry", "eng/x/echo", "version", "--short").stdout == "0.3.1\n"
    wrong = mono("-C", str(tasks), "poetry", "echo", "no-such-command")
    assert wrong.returncode == 1 and "no-such-command" in wrong.stdout + wrong.stderr


def test_poetry_add_uses_the_repositorys_index_setting(tasks: Path) -> None:
    # pip's index is the one setting: pointed at a port nothing listens on, Poetry tries there.
    env = {key: value for key, value in os.environ.items() if key != "POETRY_PYPI_MIRROR_URL"}
    nowhere = f"127.0.0.1:{free_port()}"
    refused = subprocess.run(
        ["sh", str(LAUNCHER), "-C", str(tasks), "poetry", "echo", "add", "--group", "dev", "six"],
        env={**env, "PIP_INDEX_URL": f"http://{nowhere}/simple/"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=dies_with_this_process(),
    )
    assert refused.returncode == 1 and nowhere in refused.stdout + refused.stderr, refused.stdout + refused.stderr
    assert git(tasks, "status", "--porcelain", "--untracked-files=all") == ""  # nothing half-done
    added = mono("-C", str(tasks), "poetry", "echo", "add", "--group", "dev", "six")
    assert added.returncode == 0, added.stdout + added.stderr
    project = tasks / "eng/x/echo"
    # Poetry 2.5 writes a new group as PEP 735's [dependency-groups], which ./mono installs too.
    assert tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]["dev"][0].startswith("six ")
    assert any(package["name"] == "six" for package in tomllib.loads((project / "poetry.lock").read_text())["package"])
    changed = git(tasks, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert changed == [" M eng/x/echo/poetry.lock", " M eng/x/echo/pyproject.toml"]  # nothing else shows
    assert settled(tasks) == ""
    imported = mono("-C", str(tasks), "exec", "echo", "--", "python", "-c", "import six; print(six.__name__)")
    assert (imported.returncode, imported.stdout) == (0, "six\n"), imported.stderr


def test_exec_runs_a_command_in_the_venv_and_passes_its_exit_code(tasks: Path) -> None:
    folder = tasks / "eng/x/echo"
    code = "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV']); print(os.getcwd()); sys.exit(7)"
    result = mono("-C", str(tasks), "exec", "echo", "--", "python", "-c", code)
    assert result.returncode == 7, result.stderr
    assert result.stdout.splitlines() == [str(folder / ".venv"), str(folder / ".venv"), str(folder)]
    script = mono("-C", str(tasks), "exec", "echo", "--", "echo-args", "x")  # the venv's bin is on PATH
    assert script.returncode == 0 and json.loads(script.stdout)["args"] == ["x"], script.stderr
    for args, said in [
        ((), "no command to run in echo (hint: put it after --: ./mono exec echo -- python -V)"),
        (("--", "no-such-program"), "cannot run 'no-such-program' in echo's venv: not found"),
    ]:
        missing = mono("-C", str(tasks), "exec", "echo", *args)
        assert missing.returncode == 2 and missing.stdout == ""
        assert len(missing.stderr.strip().splitlines()) == 1 and said in missing.stderr, missing.stderr


def test_run_runs_the_tasks_script_with_the_arguments_after_the_dashes(tasks: Path) -> None:
    folder = tasks / "eng/x/echo"
    result = mono("-C", str(tasks), "run", "echo", "--", "a", "--b", env={"ECHO_EXIT": "3"})
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout) == {"args": ["a", "--b"], "prefix": str(folder / ".venv"), "cwd": str(folder)}
    assert "mono: running echo-args a --b in eng/x/echo" in result.stderr
    assert settled(tasks) == ""


def test_a_stale_lock_says_to_run_mono_lock(tasks: Path) -> None:
    pyproject = tasks / "eng/x/stale/pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(original.replace("dependencies = []", 'dependencies = ["six"]'))
    try:
        for command in (["install", "stale"], ["test", "stale"], ["run", "stale"], ["exec", "stale", "--", "true"]):
            result = mono("-C", str(tasks), *command)
            said = result.stdout + result.stderr
            assert result.returncode == 1, said
            assert "Run `./mono lock stale` to fix the lock file." in said, said
            assert "poetry lock" not in said
    finally:
        pyproject.write_text(original)


# --- projects made from the templates: their documented commands ----------------------------


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("templates") / "repo"
    shutil.copytree(REPO_ROOT / "tools/templates", repo / "tools/templates", ignore=IGNORED)
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copy2(REPO_ROOT / "pyproject.toml", repo / "pyproject.toml")
    return build_repo(repo, {".gitignore": GITIGNORE})


def make(repo: Path, kind: str, target: str) -> Path:
    result = mono("-C", str(repo), "new", kind, target, "--no-build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tests passed" in result.stdout, result.stdout
    assert settled(repo) == ""
    return repo / kind / target


def test_the_eng_template_runs_its_documented_command_and_leaves_git_clean(workshop: Path) -> None:
    folder = make(workshop, "eng", "etl/curate")
    assert "./mono run curate -- data/sample.csv out/clean.csv" in (folder / "README.md").read_text()
    result = mono("-C", str(workshop), "run", "curate", "--", "data/sample.csv", "out/clean.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kept 2 rows, rejected 1\n"
    assert (folder / "out/clean.csv").read_text().splitlines() == ["id,value", "a,1.5", "c,3"]
    assert git(workshop, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_model_template_trains_with_run_and_leaves_git_clean(workshop: Path) -> None:
    folder = make(workshop, "model", "ml/forecast")
    result = mono("-C", str(workshop), "run", "forecast")
    assert result.returncode == 0, result.stderr
    assert json.loads((folder / "artifacts/model-1.json").read_text())["version"] == "1"
    assert git(workshop, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_eda_templates_notebook_shows_its_figure_inline(workshop: Path) -> None:
    make(workshop, "eda", "study/trend")
    # Executed as a notebook through the venv's own kernel: the figure is an image output.
    execute = (
        "import jupytext, nbclient; nb = jupytext.read('trend.py'); "
        "nbclient.NotebookClient(nb, kernel_name='python3', timeout=120).execute(); "
        "print(sum('image/png' in o.get('data', {}) for c in nb.cells for o in c.get('outputs', [])))"
    )
    result = mono("-C", str(workshop), "exec", "trend", "--", "python", "-c", execute)
    assert (result.returncode, result.stdout.strip()) == (0, "1"), result.stderr
    assert git(workshop, "status", "--porcelain", "--untracked-files=all") == ""
