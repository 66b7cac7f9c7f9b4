"""Shapes of Poetry monorepos in the wild (issue 12), with real Poetry and uv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import build_repo, git, pep621, tree_listing
from tests.integration.conftest import mono

pytestmark = pytest.mark.integration

POETRY1_WITH_DEV_DEPENDENCIES = """\
[tool.poetry]
name = "old-lib"
version = "1.0.0"
description = "A Poetry 1 library"
authors = ["someone <someone@example.invalid>"]
packages = [{ include = "old_lib" }]

[tool.poetry.dependencies]
python = ">=3.11,<4.0"

[tool.poetry.dev-dependencies]
pytest = ">=8"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""

NO_TESTS = """\
[project]
name = "quiet"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[tool.poetry]
package-mode = false
"""


def test_poetry1_dev_dependencies_are_installed_and_their_pytest_runs(tmp_path: Path) -> None:
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
            "libs/old/pyproject.toml": POETRY1_WITH_DEV_DEPENDENCIES,
            "libs/old/old_lib/__init__.py": "ANSWER = 42\n",
            "libs/old/tests/test_old.py": "from old_lib import ANSWER\n\n\ndef test_it():\n    assert ANSWER == 42\n",
        },
    )
    locked = mono("-C", str(repo), "lock", "old-lib")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    tested = mono("-C", str(repo), "test", "old-lib")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "test old-lib: passed" in tested.stdout


def test_a_project_without_tests_or_pytest_has_no_tests_and_passes(tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "repo", {".gitignore": ".venv/\n.mono/\n", "eng/x/quiet/pyproject.toml": NO_TESTS})
    assert mono("-C", str(repo), "lock", "quiet").returncode == 0
    tested = mono("-C", str(repo), "test", "--all")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "test quiet: no tests" in tested.stdout


def test_install_and_test_never_write_a_lock(tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "repo", {"eng/x/quiet/pyproject.toml": NO_TESTS})
    before = tree_listing(repo / "eng")
    for command in ("install", "test"):
        result = mono("-C", str(repo), command, "quiet")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "quiet has no poetry.lock (eng/x/quiet/poetry.lock) (hint: run ./mono lock quiet first)" in result.stdout
    assert tree_listing(repo / "eng") == before


NEEDS_312 = """\
[project]
name = "newer"
version = "0.1.0"
dependencies = []

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
python = "^3.12"
"""


def test_a_poetry_style_python_constraint_gets_a_python_that_fits(tmp_path: Path) -> None:
    # The tool runs on 3.11; these machines also have pyenv's 3.12 and 3.13, which fit ^3.12.
    repo = build_repo(tmp_path / "repo", {".gitignore": ".venv/\n.mono/\n", "eng/x/newer/pyproject.toml": NEEDS_312})
    assert mono("-C", str(repo), "lock", "newer").returncode == 0
    installed = mono("-C", str(repo), "install", "newer")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    python = repo / "eng/x/newer/.venv/bin/python"
    version = subprocess.run([str(python), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert version.strip() in {"(3, 12)", "(3, 13)", "(3, 14)"}, version


def test_a_missing_readme_is_reported_as_what_it_is(tmp_path: Path) -> None:
    pyproject = NO_TESTS.replace('version = "0.1.0"\n', 'version = "0.1.0"\nreadme = "README.md"\n')
    repo = build_repo(
        tmp_path / "repo",
        {".gitignore": ".venv/\n.mono/\n", "eng/x/quiet/pyproject.toml": pyproject, "eng/x/quiet/README.md": "# q\n"},
    )
    assert mono("-C", str(repo), "lock", "quiet").returncode == 0
    (repo / "eng/x/quiet/README.md").unlink()
    (repo / ".mono/state/locked/quiet").unlink()  # as on a fresh clone: the lock is inspected
    checked = mono("-C", str(repo), "lock", "--check", "quiet")
    assert checked.returncode == 1
    assert (
        "eng/x/quiet/pyproject.toml: poetry check says 'Declared README file does not exist: README.md'"
        in checked.stdout
    ), checked.stdout
    assert "changed since poetry.lock" not in checked.stdout


def test_a_librarys_changed_constraint_makes_its_users_locks_stale_on_a_fresh_clone(tmp_path: Path) -> None:
    library = (
        '[project]\nname = "core"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["six>=1.10", "packaging ~= 24.0"]\n\n[tool.poetry]\npackages = [{ include = "core" }]\n'
    )
    app = (
        '[project]\nname = "web"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["core"]\n\n'
        "[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\n"
        'core = { path = "../../../libs/core", develop = true }\n'
    )
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n.mono/\n",
            "libs/core/pyproject.toml": library,
            "libs/core/core/__init__.py": "",
            "apps/shop/web/pyproject.toml": app,
        },
    )
    assert mono("-C", str(repo), "lock", "web").returncode == 0

    def check_on_a_fresh_clone() -> subprocess.CompletedProcess[str]:
        shutil.rmtree(repo / ".mono/state", ignore_errors=True)  # no records, as after a clone
        return mono("-C", str(repo), "lock", "--check", "web")

    fresh = check_on_a_fresh_clone()
    assert fresh.returncode == 0, fresh.stdout  # Poetry's way of writing the constraints reads as the same
    pyproject = repo / "libs/core/pyproject.toml"
    pyproject.write_text(library.replace('"six>=1.10"', '"six>=1.16"'))
    stale = check_on_a_fresh_clone()
    assert stale.returncode == 1
    assert "core changed its constraint on six (>=1.10 -> >=1.16)" in stale.stdout, stale.stdout


def test_read_only_commands_write_nothing_in_the_repository(tmp_path: Path) -> None:
    # No .gitignore for .mono/: a repository that has never heard of the tool.
    repo = build_repo(
        tmp_path / "repo",
        {
            "libs/core/pyproject.toml": pep621("core"),
            "libs/core/core/__init__.py": "",
            "apps/web/pyproject.toml": pep621("web", {"core": "../../libs/core"}),
            "apps/web/web.py": "import core\n",
            "apps/web/Dockerfile": "FROM python:3.11-slim\n",
        },
    )
    # Only the app is locked: a library used by path needs no lock of its own (check agrees below).
    assert mono("-C", str(repo), "lock", "web").returncode == 0
    # The lock is the only thing a writing command adds that git shows: its state hides itself.
    assert git(repo, "status", "--porcelain") == "?? apps/web/poetry.lock\n"
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "locks")
    shutil.rmtree(repo / ".mono")
    cache = tmp_path / "cache"
    for command in (["list"], ["graph"], ["affected"], ["check"], ["lock", "--check"]):
        result = mono("-C", str(repo), *command, env={"XDG_CACHE_HOME": str(cache)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert git(repo, "status", "--porcelain", "--ignored") == "", command
    # What they had to keep (Poetry's output of each check) is under the user's cache folder.
    assert sorted(log.name for log in cache.rglob("logs/check/*.log")) == ["web.log"]


def _poetry1_backend(name: str, requires: str, backend: str, deps: str = "") -> str:
    return (
        f'[tool.poetry]\nname = "{name}"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n\n'
        f'[tool.poetry.dependencies]\npython = "^3.11"\n{deps}\n'
        f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{backend}"\n'
    )


HATCHLING = """\
[project]
name = "hatched"
version = "0.1.0"
requires-python = ">=3.11"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""


def test_projects_with_old_and_other_build_backends_install(tmp_path: Path) -> None:
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n",
            # Poetry 1.0's backend, and a poetry-core older than editable installs (PEP 660).
            "libs/ancient/pyproject.toml": _poetry1_backend("ancient", "poetry>=0.12", "poetry.masonry.api"),
            "libs/ancient/ancient/__init__.py": "NAME = 'ancient'\n",
            "libs/old-core/pyproject.toml": _poetry1_backend(
                "old-core", "poetry-core==1.0.0", "poetry.core.masonry.api"
            ),
            "libs/old-core/old_core/__init__.py": "NAME = 'old-core'\n",
            "libs/hatched/pyproject.toml": HATCHLING,
            "libs/hatched/hatched/__init__.py": "NAME = 'hatched'\n",
            "apps/web/pyproject.toml": _poetry1_backend(
                "web",
                "poetry-core>=1.0.0",
                "poetry.core.masonry.api",
                'old-core = { path = "../../libs/old-core", develop = true }\n',
            ),
            "apps/web/web/__init__.py": "",
        },
    )
    assert mono("-C", str(repo), "lock", "--all").returncode == 0
    installed = mono("-C", str(repo), "install", "--all")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # web, because uv cannot install its library old-core as editable.
    for user, library in (("ancient", "ancient"), ("old-core", "old-core"), ("web", "old-core")):
        assert f"mono: warning: {user}: {library}'s build backend cannot make editable installs" in installed.stderr
    assert "hatched" not in installed.stderr  # a backend uv can install stays editable
    where = {
        folder: subprocess.run(
            [str(repo / folder / ".venv/bin/python"), "-c", f"import {package}; print({package}.__file__)"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for folder, package in (("libs/hatched", "hatched"), ("apps/web", "old_core"))
    }  # fmt: skip
    assert where["libs/hatched"] == str(repo / "libs/hatched/hatched/__init__.py")  # editable
    assert "site-packages" in where["apps/web"]  # a copy
    # The copy follows its sources: the next install installs it again.
    (repo / "libs/old-core/old_core/__init__.py").write_text("NAME = 'changed'\n")
    assert mono("-C", str(repo), "install", "web").returncode == 0
    changed = subprocess.run(
        [str(repo / "apps/web/.venv/bin/python"), "-c", "import old_core; print(old_core.NAME)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert changed.stdout.strip() == "changed"


OPTIONAL_TEST_GROUP = """\
[tool.poetry]
name = "grouped"
version = "1.0.0"
description = ""
authors = []
packages = [{ include = "grouped" }]

[tool.poetry.dependencies]
python = ">=3.11,<4.0"

[tool.poetry.group.test]
optional = true

[tool.poetry.group.test.dependencies]
pytest = ">=8"
"""


def test_pytest_in_an_optional_group_says_how_to_include_it_and_then_runs(tmp_path: Path) -> None:
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n",
            "libs/grouped/pyproject.toml": OPTIONAL_TEST_GROUP,
            "libs/grouped/grouped/__init__.py": "",
            "libs/grouped/tests/test_it.py": "def test_it():\n    assert True\n",
        },
    )
    assert mono("-C", str(repo), "lock", "grouped").returncode == 0
    tested = mono("-C", str(repo), "test", "grouped")
    assert tested.returncode == 1
    expected = (
        "pytest is only in grouped's optional group test, which is not installed by default: "
        'set [tool.mono] groups = ["test"] in libs/grouped/pyproject.toml to install it'
    )
    assert expected in tested.stdout, tested.stdout
    pyproject = repo / "libs/grouped/pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.mono]\ngroups = ["test"]\n')
    tested = mono("-C", str(repo), "test", "grouped")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "test grouped: passed" in tested.stdout


def test_a_root_project_does_not_run_the_tests_of_the_projects_inside_it(tmp_path: Path) -> None:
    root_project = (
        '[tool.poetry]\nname = "root"\nversion = "0.1.0"\ndescription = ""\nauthors = []\npackage-mode = false\n\n'
        '[tool.poetry.dependencies]\npython = ">=3.11,<4.0"\n\n[tool.poetry.group.dev.dependencies]\npytest = ">=8"\n'
    )
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n",
            "pyproject.toml": root_project,
            "tests/test_root.py": "def test_root():\n    assert True\n",
            "libs/a/pyproject.toml": pep621("a"),
            "libs/a/a/__init__.py": "",
            "libs/a/tests/test_a.py": "import a\n\n\ndef test_a():\n    assert False, 'ran in the root project'\n",
        },
    )
    assert mono("-C", str(repo), "lock", "root").returncode == 0
    tested = mono("-C", str(repo), "test", "root")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    log = (repo / ".mono/logs/test/root.log").read_text()
    assert "1 passed" in log and "test_a.py" not in log and "ran in the root project" not in log


def test_a_library_without_a_build_system_is_installed_as_poetry_builds_it(tmp_path: Path) -> None:
    # No [build-system]: uv (and pip) would build it with setuptools, as version 0.0.0, and leave
    # lib.egg-info in the repository; Poetry builds it with poetry-core.
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n",
            "libs/lib/pyproject.toml": poetry1_text("lib", "1.2.0"),
            "libs/lib/lib/__init__.py": "VALUE = 1\n",
            "apps/app/pyproject.toml": poetry1_text(
                "app", "0.1.0", 'lib = { path = "../../libs/lib", develop = true }\n'
            ),
            "apps/app/app/__init__.py": "",
        },
    )
    assert mono("-C", str(repo), "lock", "app").returncode == 0
    installed = mono("-C", str(repo), "install", "app")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "mono: warning: app: lib has no [build-system], so uv would build it with setuptools" in installed.stderr
    python = str(repo / "apps/app/.venv/bin/python")
    asked = "import importlib.metadata as m, lib; print(m.version('lib'), lib.VALUE)"
    assert subprocess.run([python, "-c", asked], capture_output=True, text=True, check=True).stdout.split() == [
        "1.2.0",
        "1",
    ]
    assert git(repo, "status", "--porcelain") == "?? apps/app/poetry.lock\n"  # no lib.egg-info
    (repo / "libs/lib/lib/__init__.py").write_text("VALUE = 2\n")
    assert mono("-C", str(repo), "install", "app").returncode == 0  # a copy: installed again
    assert subprocess.run([python, "-c", asked], capture_output=True, text=True, check=True).stdout.split() == [
        "1.2.0",
        "2",
    ]


def poetry1_text(name: str, version: str, dependencies: str = "") -> str:
    return (
        f'[tool.poetry]\nname = "{name}"\nversion = "{version}"\ndescription = ""\nauthors = []\n\n'
        f'[tool.poetry.dependencies]\npython = "^3.11"\n{dependencies}'
    )


def test_a_lock_written_before_poetry_2_1_is_installed_by_poetry(tmp_path: Path) -> None:
    # From a lock without markers `poetry export` can leave packages out; `poetry sync` cannot.
    repo = build_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".venv/\n",
            "libs/old/pyproject.toml": POETRY1_WITH_DEV_DEPENDENCIES,
            "libs/old/old_lib/__init__.py": "",
        },
    )
    assert mono("-C", str(repo), "lock", "old-lib").returncode == 0
    lock = repo / "libs/old/poetry.lock"
    lock.write_text(lock.read_text().replace('lock-version = "2.1"', 'lock-version = "2.0"'))
    installed = mono("-C", str(repo), "install", "old-lib")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "old-lib's poetry.lock has lock-version 2.0 (older than 2.1)" in installed.stderr
    assert "installing with Poetry's installer" in installed.stderr
    log = (repo / ".mono/logs/install/old-lib.log").read_text()
    assert "poetry --no-ansi sync" in log and "uv pip sync" not in log
    assert subprocess.run([str(repo / "libs/old/.venv/bin/python"), "-c", "import pytest, old_lib"]).returncode == 0
