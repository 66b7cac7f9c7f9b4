"""Lock freshness: which changes call for a relock, and how a lock without a record is judged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mono.engine import locking as lockfile
from mono.engine.cache import lock_inputs_key
from mono.external.proc import Completed
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace


def key(repo: Path, name: str) -> str:
    workspace = load_workspace(repo)
    return lock_inputs_key(workspace, build_graph(workspace), name)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_library_dependency_change_changes_its_dependents_keys_only(repo: Path) -> None:
    before = {name: key(repo, name) for name in ("core", "util", "web", "study", "lonely")}
    edit(repo / "lib/core/pyproject.toml", "dependencies = []", 'dependencies = ["requests>=2"]')
    after = {name: key(repo, name) for name in before}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"core", "util", "web", "study"}


def test_changes_that_cannot_change_a_lock_keep_the_key(repo: Path) -> None:
    before = key(repo, "web")
    pyproject = repo / "lib/core/pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.pytest.ini_options]\naddopts = "-q"\n')
    edit(pyproject, 'name = "core"', 'name = "core"\ndescription = "now described"')
    (repo / "lib/core/core/__init__.py").write_text("VALUE = 1\n")
    assert key(repo, "web") == before


def test_a_version_bump_of_a_library_changes_the_key(repo: Path) -> None:
    before = key(repo, "web")
    edit(repo / "lib/util/pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"')
    assert key(repo, "web") != before


class FakePoetry:
    """Stands in for `poetry check --lock`; records that it was asked."""

    def __init__(self, returncode: int = 0) -> None:
        self.calls = 0
        self.returncode = returncode

    def __call__(
        self, args: list[str], root: Path, folder: Path, log: Path | None, check: bool = True, extra_env: Any = None
    ) -> Completed:
        assert args == ["check", "--lock"]
        self.calls += 1
        return Completed(("poetry", *args), self.returncode, "")


LOCK_FOR_UTIL = """
[[package]]
name = "core"
version = "0.1.0"
files = []
develop = true

[package.source]
type = "directory"
url = "../core"
"""


def freshness(repo: Path, name: str) -> lockfile.Freshness:
    workspace = load_workspace(repo)
    return lockfile.freshness(workspace, build_graph(workspace), name, repo / "check.log")


@pytest.fixture
def fake_poetry(monkeypatch: pytest.MonkeyPatch) -> FakePoetry:
    fake = FakePoetry()
    monkeypatch.setattr(lockfile, "poetry", fake)
    return fake


def test_a_lock_without_a_record_is_inspected_once_then_known_fresh(repo: Path, fake_poetry: FakePoetry) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    assert freshness(repo, "util").fresh
    assert fake_poetry.calls == 1  # the second answer came from the record, without Poetry


def test_a_changed_input_after_a_recorded_lock_is_stale_without_asking_poetry(
    repo: Path, fake_poetry: FakePoetry
) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    edit(repo / "lib/util/pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    state = freshness(repo, "util")
    assert not state.fresh and "changed since the last lock" in state.reason
    assert fake_poetry.calls == 1


def test_a_lock_replaced_by_a_pull_is_inspected_again(repo: Path, fake_poetry: FakePoetry) -> None:
    lock = repo / "lib/util/poetry.lock"
    lock.write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    edit(repo / "lib/util/pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    lock.write_text(LOCK_FOR_UTIL + "\n# relocked by a colleague\n")
    assert freshness(repo, "util").fresh
    assert fake_poetry.calls == 2


def test_a_library_that_gained_a_dependency_makes_its_dependents_lock_stale(
    repo: Path, fake_poetry: FakePoetry
) -> None:
    # Poetry's own check only hashes the project's tables; the library's entry in the lock is
    # compared with the library's pyproject.toml to catch this.
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    edit(repo / "lib/core/pyproject.toml", "dependencies = []", 'dependencies = ["requests>=2"]')
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "core changed its dependencies (+requests)"


def test_a_library_version_that_differs_from_the_lock_is_stale(repo: Path, fake_poetry: FakePoetry) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL.replace('version = "0.1.0"', 'version = "0.0.9"'))
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "core is 0.1.0 but the lock has 0.0.9"


def test_what_poetry_finds_stale_is_stale(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lockfile, "poetry", FakePoetry(returncode=1))
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    state = freshness(repo, "util")
    assert not state.fresh and "pyproject.toml changed" in state.reason


def test_no_lock_is_stale(repo: Path, fake_poetry: FakePoetry) -> None:
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "there is no poetry.lock"
    assert fake_poetry.calls == 0


@pytest.mark.parametrize(
    ("declared", "locked", "fresh"),
    [
        ('"requests>=2.0,<3.0"', '"^2.0"', True),  # the same range, written two ways
        ('"requests (>=2.0)"', '">=2.0"', True),
        ("\"requests[socks]>=3.0 ; python_version >= '3.11'\"", '{ version = ">=3.0", extras = ["socks"] }', True),
        ('"requests>=3.0"', '"^2.0"', False),
    ],
)
def test_a_library_whose_constraint_changed_makes_the_lock_stale_without_a_record(
    repo: Path, fake_poetry: FakePoetry, declared: str, locked: str, fresh: bool
) -> None:
    core = repo / "lib/core/pyproject.toml"
    core.write_text(core.read_text().replace("dependencies = []", f"dependencies = [{declared}]"))
    lock = LOCK_FOR_UTIL.replace("develop = true\n", f"develop = true\n\n[package.dependencies]\nrequests = {locked}\n")
    (repo / "lib/util/poetry.lock").write_text(lock)
    state = freshness(repo, "util")
    assert state.fresh is fresh, state.reason
    if not fresh:
        assert state.reason == "core changed its constraint on requests (^2.0 -> >=3.0)"


@pytest.mark.parametrize(
    ("said", "reason", "invalid"),
    [
        (
            "Error: pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock`",
            "pyproject.toml changed since poetry.lock was written",
            False,
        ),
        (
            "Error: Declared README file does not exist: README.md\n",
            "Declared README file does not exist: README.md",
            True,
        ),
        # Poetry 2 stops before checking on a constraint Poetry 1 accepted (`b = ""`).
        (
            'The "poetry.dev-dependencies" section is deprecated and will be removed.\n'
            "Could not parse version constraint: \n",
            "Could not parse version constraint:",
            True,
        ),
    ],
)
def test_what_poetry_check_says_is_reported_as_it_is(
    repo: Path, monkeypatch: pytest.MonkeyPatch, said: str, reason: str, invalid: bool
) -> None:
    def poetry_says(args: list[str], *rest: Any, **options: Any) -> Completed:
        return Completed(("poetry", *args), 1, said)

    monkeypatch.setattr(lockfile, "poetry", poetry_says)
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    state = freshness(repo, "util")
    assert (state.fresh, state.reason, state.invalid) == (False, reason, invalid)
