"""Lock freshness: which changes call for a relock, and how a lock without a record is judged."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mono.engine import locking as lockfile
from mono.engine.cache import lock_inputs_key
from mono.errors import CommandFailed
from mono.external.poetry import LockCheck, Locked, check_lock, lock_is_fresh
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace
from tests.helpers import FIXTURES


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


class FakeCheck:
    """Stands in for the in-process `poetry check --lock`; records that it was asked."""

    def __init__(self, result: LockCheck | None = None) -> None:
        self.calls = 0
        self.result = result or LockCheck()

    def __call__(self, folder: Path) -> LockCheck:
        self.calls += 1
        return self.result


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
def fake_check(monkeypatch: pytest.MonkeyPatch) -> FakeCheck:
    fake = FakeCheck()
    monkeypatch.setattr(lockfile, "poetry_check_lock", fake)
    return fake


def test_a_lock_without_a_record_is_inspected_once_then_known_fresh(repo: Path, fake_check: FakeCheck) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    assert freshness(repo, "util").fresh
    assert fake_check.calls == 1  # the second answer came from the record, without Poetry


def test_a_changed_input_after_a_recorded_lock_is_stale_without_asking_poetry(
    repo: Path, fake_check: FakeCheck
) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    edit(repo / "lib/util/pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    state = freshness(repo, "util")
    assert not state.fresh and "changed since the last lock" in state.reason
    assert fake_check.calls == 1


def test_a_lock_replaced_by_a_pull_is_inspected_again(repo: Path, fake_check: FakeCheck) -> None:
    lock = repo / "lib/util/poetry.lock"
    lock.write_text(LOCK_FOR_UTIL)
    assert freshness(repo, "util").fresh
    edit(repo / "lib/util/pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    lock.write_text(LOCK_FOR_UTIL + "\n# relocked by a colleague\n")
    assert freshness(repo, "util").fresh
    assert fake_check.calls == 2


def test_a_library_that_gained_a_dependency_makes_its_dependents_lock_stale(repo: Path, fake_check: FakeCheck) -> None:
    # Poetry's own check only hashes the project's tables; the library's entry in the lock is
    # compared with the library's pyproject.toml to catch this.
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    edit(repo / "lib/core/pyproject.toml", "dependencies = []", 'dependencies = ["requests>=2"]')
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "core changed its dependencies (+requests)"


def test_a_library_version_that_differs_from_the_lock_is_stale(repo: Path, fake_check: FakeCheck) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL.replace('version = "0.1.0"', 'version = "0.0.9"'))
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "core is 0.1.0 but the lock has 0.0.9"


def test_what_poetry_finds_stale_is_stale(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lockfile, "poetry_check_lock", FakeCheck(LockCheck(fresh=False)))
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    state = freshness(repo, "util")
    assert not state.fresh and "pyproject.toml changed" in state.reason


def test_no_lock_is_stale(repo: Path, fake_check: FakeCheck) -> None:
    state = freshness(repo, "util")
    assert not state.fresh and state.reason == "there is no poetry.lock"
    assert fake_check.calls == 0


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
    repo: Path, fake_check: FakeCheck, declared: str, locked: str, fresh: bool
) -> None:
    core = repo / "lib/core/pyproject.toml"
    core.write_text(core.read_text().replace("dependencies = []", f"dependencies = [{declared}]"))
    lock = LOCK_FOR_UTIL.replace("develop = true\n", f"develop = true\n\n[package.dependencies]\nrequests = {locked}\n")
    (repo / "lib/util/poetry.lock").write_text(lock)
    state = freshness(repo, "util")
    assert state.fresh is fresh, state.reason
    if not fresh:
        assert state.reason == "core changed its constraint on requests (^2.0 -> >=3.0)"


# --- the in-process check is Poetry's own: real Poetry, as a library ---------------------------


def test_a_committed_lock_is_fresh_and_a_changed_table_makes_it_stale(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES / "lib/helloworld", tmp_path / "helloworld")
    assert check_lock(folder) == LockCheck(fresh=True)
    edit(folder / "pyproject.toml", "dependencies = []", 'dependencies = ["six>=1.16"]')
    assert check_lock(folder) == LockCheck(fresh=False)


def test_the_fixtures_locks_are_fresh_by_poetrys_rule_and_a_damaged_lock_is_stale(tmp_path: Path) -> None:
    locks = sorted(FIXTURES.glob("**/poetry.lock"))
    assert locks
    for lock in locks:
        assert lock_is_fresh(lock.parent, tomllib.loads((lock.parent / "pyproject.toml").read_text())), lock
    pyproject = {"project": {"name": "q", "version": "0.1.0", "dependencies": []}}
    for damaged in ["", "[metadata\n", "metadata = 3\n", "metadata = [1]\n", "[metadata]\ncontent-hash = 3\n"]:
        (tmp_path / "poetry.lock").write_text(damaged)
        assert not lock_is_fresh(tmp_path, pyproject), damaged
    (tmp_path / "poetry.lock").write_bytes(b"\xff\xfe")
    assert not lock_is_fresh(tmp_path, pyproject)


@pytest.mark.parametrize(
    ("pyproject", "error"),
    [
        (
            '[project]\nname = "q"\nversion = "0.1.0"\nreadme = "README.md"\ndependencies = []\n',
            "Declared README file does not exist: README.md",
        ),
        # Poetry 2 stops before checking on a constraint Poetry 1 accepted (`b = ""`).
        (
            '[tool.poetry]\nname = "old"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\n\n[tool.poetry.dev-dependencies]\nb = ""\n',
            "Could not parse version constraint:",
        ),
        (
            '[project]\nname = "q"\nversion = "0.1.0"\ndependencies = []\n[tool.poetry]\npackages = 3\n',
            "tool.poetry.packages must be array",
        ),
    ],
    ids=["readme", "constraint", "schema"],
)
def test_what_poetry_check_finds_wrong_in_the_pyproject_is_said_as_poetry_says_it(
    tmp_path: Path, pyproject: str, error: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "poetry.lock").write_text("")
    assert check_lock(tmp_path) == LockCheck((error,), fresh=False)


def test_what_the_check_finds_wrong_is_reported_as_invalid(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = LockCheck(("Declared README file does not exist: README.md",), fresh=False)
    monkeypatch.setattr(lockfile, "poetry_check_lock", FakeCheck(found))
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)
    state = freshness(repo, "util")
    assert (state.fresh, state.reason, state.invalid) == (False, "Declared README file does not exist: README.md", True)


# --- relocking: one worker for every stale lock of a run ----------------------------------------


class FakeWorker:
    """Stands in for the Poetry worker: writes a lock in each folder it is given, except those
    it is told to fail (it half-writes theirs first, as an interrupted Poetry would)."""

    def __init__(self, failing: Sequence[str] = (), stops_before: str = "") -> None:
        self.runs: list[list[str]] = []
        self.failing = set(failing)
        self.stops_before = stops_before

    def __call__(
        self, root: Path, folders: Sequence[Path], on_locked: Callable[[Locked], None], **options: Any
    ) -> None:
        self.runs.append([folder.name for folder in folders])
        for folder in folders:
            if folder.name == self.stops_before:
                raise KeyboardInterrupt
            lock = folder / "poetry.lock"
            if folder.name in self.failing:
                lock.write_text("# half a lock\n[[package]\n")
                on_locked(Locked(folder, False, f"Resolving dependencies...\nBecause {folder.name} fails.\n"))
            else:
                lock.write_text(f"# locked by the worker: {folder.name}\n")
                on_locked(Locked(folder, True, "Resolving dependencies...\nWriting lock file\n"))


def lock_all(repo: Path, names: Sequence[str], worker: FakeWorker, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(lockfile, "lock_in_one_process", worker)
    workspace = load_workspace(repo)
    batch = lockfile.LockBatch(workspace, build_graph(workspace), names)
    said: dict[str, str] = {}
    for name in names:
        try:
            said[name] = batch.lock(name, repo / f"{name}.log").status
        except CommandFailed as error:
            said[name] = f"failed: {error.tail}"
    return said


def test_the_stale_locks_of_a_run_are_made_by_one_worker_and_fresh_ones_by_none(
    repo: Path, monkeypatch: pytest.MonkeyPatch, fake_check: FakeCheck
) -> None:
    (repo / "lib/util/poetry.lock").write_text(LOCK_FOR_UTIL)  # fresh: Poetry's check says so
    worker = FakeWorker()
    said = lock_all(repo, ["web", "util", "core"], worker, monkeypatch)
    assert said == {"web": "ok", "util": "up to date", "core": "ok"}
    assert worker.runs == [["core", "web"]]  # one worker, in dependency order
    assert lock_all(repo, ["web", "util", "core"], worker, monkeypatch) == dict.fromkeys(said, "up to date")
    assert len(worker.runs) == 1  # the locks it made were recorded as fresh
    assert "one Poetry worker" in (repo / "web.log").read_text()


def test_a_project_that_fails_is_reported_with_poetrys_words_and_the_others_still_lock(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "lib/core/poetry.lock").write_text("# the committed lock\n")
    said = lock_all(repo, ["core", "util", "web"], FakeWorker(failing=["core"]), monkeypatch)
    assert said == {"core": "failed: Resolving dependencies...\nBecause core fails.", "util": "ok", "web": "ok"}
    assert (repo / "lib/core/poetry.lock").read_text() == "# the committed lock\n"  # put back as it was
    assert "Because core fails." in (repo / "core.log").read_text()
    assert (repo / "app/shop/web/poetry.lock").read_text() == "# locked by the worker: web\n"


def test_locks_the_worker_never_got_to_are_put_back(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "app/shop/web/poetry.lock").write_text("# the committed lock\n")

    def worker_dies(root: Path, folders: Sequence[Path], on_locked: Callable[[Locked], None], **options: Any) -> None:
        (folders[-1] / "poetry.lock").write_text("# half a lock\n")
        for folder in folders:
            on_locked(Locked(folder, False, "[the Poetry worker ended with status -9 before it had locked it]\n"))

    monkeypatch.setattr(lockfile, "lock_in_one_process", worker_dies)
    workspace = load_workspace(repo)
    batch = lockfile.LockBatch(workspace, build_graph(workspace), ["util", "web"])
    with pytest.raises(CommandFailed, match="exited with 1") as failed:
        batch.lock("web", repo / "web.log")
    assert "worker ended with status -9" in failed.value.tail
    assert (repo / "app/shop/web/poetry.lock").read_text() == "# the committed lock\n"
    assert not (repo / "lib/util/poetry.lock").exists()


def test_a_relock_interrupted_mid_run_puts_back_what_it_had_not_finished(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "app/shop/web/poetry.lock").write_text("# the committed lock\n")
    monkeypatch.setattr(lockfile, "lock_in_one_process", FakeWorker(stops_before="web"))
    workspace = load_workspace(repo)
    with pytest.raises(KeyboardInterrupt):
        lockfile.lock(workspace, build_graph(workspace), "web", repo / "web.log", force=True)
    assert (repo / "app/shop/web/poetry.lock").read_text() == "# the committed lock\n"
