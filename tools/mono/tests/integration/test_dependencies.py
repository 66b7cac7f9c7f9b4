"""Third-party dependencies with real Poetry and the real package index: `add`, `upgrade` and
`outdated` on a repository built from data, with old versions of small pure packages locked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import build_repo, git
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

BUILD = '\n[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n'


def _pep621(name: str, requirements: str, extra: str = "") -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{requirements}]\n\n{extra}"
    )


APP = "[tool.poetry]\npackage-mode = false\n"
CORE_PATH = '[tool.poetry.dependencies]\ncore = { path = "../../../lib/core", develop = true }\n\n'
# Each project as first locked (old versions pinned), then as committed: ranges that allow newer.
PINNED = {
    "lib/core/pyproject.toml": _pep621("core", "", BUILD.lstrip()),
    "app/a/web/pyproject.toml": _pep621("web", '"core", "six==1.15.0", "idna==3.4"', CORE_PATH + APP),
    "eda/a/study/pyproject.toml": (
        '[tool.poetry]\nname = "study"\nversion = "1.0.0"\ndescription = ""\nauthors = []\npackage-mode = false\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nsix = "==1.16.0"\n\n[tool.poetry.group.dev.dependencies]\n'
        'packaging = "*"\n' + BUILD
    ),
    "eda/a/old/pyproject.toml": _pep621("old", '"six==1.15.0"', APP),
    "eda/a/plain/pyproject.toml": _pep621("plain", "", APP + BUILD),
}
RANGES = {"six==1.15.0": "six>=1.10", 'six = "==1.16.0"': 'six = ">=1.10"', "idna==3.4": "idna>=3"}


def _relaxed(text: str) -> str:
    for pinned, allowed in RANGES.items():
        text = text.replace(pinned, allowed)
    return text.replace('"six>=1.10"', '"six<1.16"') if 'name = "old"' in text else text


def locked(project: Path, package: str) -> str | None:
    """The version of `package` in the project's poetry.lock."""
    data = tomllib.loads((project / "poetry.lock").read_text())
    return next((entry["version"] for entry in data["package"] if entry["name"] == package), None)


def newest_released(package: str) -> str:
    """The newest version pip sees on the index (independent of the tool)."""
    command = [sys.executable, "-m", "pip", "index", "versions", package]
    found = re.match(rf"{package} \((\S+)\)", subprocess.run(command, capture_output=True, text=True).stdout)
    assert found, f"pip cannot list {package}"
    return found.group(1)


@pytest.fixture(scope="module")
def locked_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository with every project locked at the old versions, committed with ranges."""
    root = build_repo(
        tmp_path_factory.mktemp("deps") / "repo",
        {
            "pyproject.toml": "[tool.mono]\n",
            ".gitignore": ".venv/\n.mono/\n",
            "lib/core/core/__init__.py": "",
            **PINNED,
        },
    )
    first = mono("-C", str(root), "lock", "--all")
    assert first.returncode == 0, first.stdout + first.stderr
    for relative in PINNED:
        (root / relative).write_text(_relaxed((root / relative).read_text()))
    again = mono("-C", str(root), "lock", "--all")  # Poetry keeps what is locked where it is allowed
    assert again.returncode == 0, again.stdout + again.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "locked")
    assert locked(root / "app/a/web", "six") == "1.15.0" and locked(root / "eda/a/study", "six") == "1.16.0"
    return root


@pytest.fixture
def repo(locked_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(locked_repo, copy, ignore=shutil.ignore_patterns(".mono", ".venv"))
    return copy


def _changed(repo: Path) -> list[str]:
    return sorted(line[3:] for line in git(repo, "status", "--porcelain").splitlines())


def test_add_with_and_without_a_version_writes_the_files_style_and_relocks(repo: Path) -> None:
    six = newest_released("six")
    added = mono("-C", str(repo), "add", "six", "--to", "plain")
    assert added.returncode == 0, added.stderr
    assert (
        "add: plain now requires six>=" in added.stdout and "(from the package index); relocked plain" in added.stdout
    )
    major = int(six.split(".")[0])
    assert (
        f'dependencies = ["six>={six},<{major + 1}.0.0"]\n\n[tool.poetry]'
        in (repo / "eda/a/plain/pyproject.toml").read_text()
    )
    assert locked(repo / "eda/a/plain", "six") == six
    dev = mono("-C", str(repo), "add", "idna>=3.5,<3.7", "--to", "study", "--group", "dev")
    assert dev.returncode == 0, dev.stderr
    assert 'packaging = "*"\nidna = ">=3.5,<3.7"\n\n[build-system]' in (repo / "eda/a/study/pyproject.toml").read_text()
    assert locked(repo / "eda/a/study", "idna") == "3.6"
    by_library = mono("-C", str(repo), "add", "attrs==23.1.0", "--to", "core")
    assert by_library.returncode == 0 and "relocked core, web" in by_library.stdout, by_library.stderr
    assert locked(repo / "app/a/web", "attrs") == "23.1.0" == locked(repo / "lib/core", "attrs")
    assert _changed(repo) == [
        "app/a/web/poetry.lock",
        "eda/a/plain/poetry.lock",
        "eda/a/plain/pyproject.toml",
        "eda/a/study/poetry.lock",
        "eda/a/study/pyproject.toml",
        "lib/core/poetry.lock",
        "lib/core/pyproject.toml",
    ]
    check = mono("-C", str(repo), "lock", "--check")
    assert check.returncode == 0, check.stdout


def test_upgrade_moves_two_projects_and_reports_the_blocked_third(repo: Path) -> None:
    six = newest_released("six")
    result = mono("-C", str(repo), "upgrade", "six")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"web\s+1\.15\.0 -> {six}", result.stdout) and re.search(
        rf"study\s+1\.16\.0 -> {six}", result.stdout
    )
    assert "old      1.15.0: blocked by eda/a/old/pyproject.toml [project] dependencies: '<1.16'" in result.stdout
    assert f"upgrade: six {six}: relocked study, web; old left as it is" in result.stdout
    assert locked(repo / "app/a/web", "six") == six and locked(repo / "eda/a/study", "six") == six
    assert locked(repo / "eda/a/old", "six") == "1.15.0"
    assert locked(repo / "app/a/web", "idna") == "3.4"  # only the package moves
    assert _changed(repo) == ["app/a/web/poetry.lock", "eda/a/study/poetry.lock"]
    check = mono("-C", str(repo), "lock", "--check")
    assert check.returncode == 0, check.stdout


def test_a_failing_relock_puts_every_lock_and_pyproject_back(repo: Path) -> None:
    # study is relocked first and succeeds; web then cannot be resolved (a constraint no release meets).
    web = repo / "app/a/web/pyproject.toml"
    web.write_text(web.read_text().replace('"idna>=3"', '"idna>=99"'))
    git(repo, "commit", "-q", "-am", "web asks for what does not exist")
    result = mono("-C", str(repo), "upgrade", "six", "--to", "1.16.0", "web", "study", "old")
    assert result.returncode == 2 and "left out by the constraints of old" in result.stderr  # refused first
    result = mono("-C", str(repo), "upgrade", "six", "--to", "1.17.0", "web", "study")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "idna" in result.stderr and "Traceback" not in result.stderr
    assert (repo / ".mono/logs/upgrade/study.log").is_file()  # study was relocked before web failed
    assert _changed(repo) == []
    assert locked(repo / "eda/a/study", "six") == "1.16.0"


def test_outdated_prints_one_table_and_valid_json(repo: Path) -> None:
    six = newest_released("six")
    table = mono("-C", str(repo), "outdated")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["package", "locked", "newest", "allowed", "newest", "released"]
    row = next(line for line in lines if line.startswith("six "))
    assert "old 1.15.0, study 1.16.0, web 1.15.0" in row and f"old 1.15.0, study {six}, web {six}" in row
    assert row.rstrip().endswith(six)
    data = json.loads(mono("-C", str(repo), "outdated", "--json", "old").stdout)
    assert [item["package"] for item in data] == ["six"]
    assert data[0]["projects"] == [{"name": "old", "path": "eda/a/old", "locked": "1.15.0", "allowed": "1.15.0"}]
    assert data[0]["released"] == six
    assert _changed(repo) == []
