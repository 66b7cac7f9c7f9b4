"""Locks made in one Poetry process (mono.external.poetry_worker) with real Poetry: byte for byte
what `poetry lock` writes, no Poetry at all for fresh locks, and one project's failure its own."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mono.external.poetry import poetry
from tests.conftest import CliRunner
from tests.helpers import build_repo, write_tree
from tests.integration.conftest import copy_fixtures, mono

pytestmark = pytest.mark.integration

FIXTURES = (
    "lib/helloworld",
    "app/demo/flask-app-1",
    "lib/iris-data",
    "app/demo/iris-explorer",
    "eda/demo/eda-project-1",
    "model/demo/iris-classifier",
)


def project(name: str, third_party: list[str], libs: dict[str, str] | None = None) -> str:
    """A Poetry 2 pyproject.toml with real `third_party` requirements and path dependencies on
    `libs` (name -> relative path)."""
    libs = libs or {}
    listed = ", ".join(f'"{requirement}"' for requirement in [*libs, *third_party])
    paths = "".join(f'{lib} = {{ path = "{path}", develop = true }}\n' for lib, path in libs.items())
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11,<4.0"\n'
        f"dependencies = [{listed}]\n\n[tool.poetry]\npackage-mode = false\n\n"
        f"[tool.poetry.dependencies]\n{paths}"
    )


# Small real packages, so that Poetry resolves something real in little time.
SMALL = {
    "lib/tiny-core/pyproject.toml": project("tiny-core", ["six>=1.16"]),
    "lib/tiny-util/pyproject.toml": project("tiny-util", ["idna>=3"], {"tiny-core": "../tiny-core"}),
    "app/tiny/web/pyproject.toml": project(
        "web", ["packaging>=23"], {"tiny-core": "../../../lib/tiny-core", "tiny-util": "../../../lib/tiny-util"}
    ),
}


def projects(root: Path) -> list[Path]:
    """The folders of the repository's projects (the root settings file aside)."""
    return sorted(path.parent for path in root.rglob("pyproject.toml") if path.parent != root)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, path
    path.write_text(text.replace(old, new, 1))


def test_the_in_process_locks_are_byte_for_byte_what_poetry_lock_writes(tmp_path: Path) -> None:
    theirs = copy_fixtures(tmp_path / "poetry", FIXTURES)
    write_tree(theirs, SMALL)  # no locks yet: resolved from scratch
    # First locks of projects with path dependencies, and relocks of changed tables (Poetry keeps
    # the locked versions of the rest).
    for first in ("lib/helloworld", "app/demo/flask-app-1"):
        (theirs / first / "poetry.lock").unlink()
    edit(theirs / "lib/iris-data/pyproject.toml", "dependencies = [", 'dependencies = ["six>=1.16", ')
    edit(theirs / "app/demo/iris-explorer/pyproject.toml", "dependencies = [", 'dependencies = ["idna>=3", ')
    ours = tmp_path / "ours"
    shutil.copytree(theirs, ours, symlinks=True)
    # A first lock elsewhere teaches the worker what depends on what (in the user's cache), so
    # that ours fetches index pages ahead, in threads, and must still write Poetry's bytes.
    teacher = shutil.copytree(theirs, tmp_path / "teacher", symlinks=True)
    assert mono("-C", str(teacher), "lock", "--all").returncode == 0

    locked = mono("-C", str(ours), "lock", "--all")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    for folder in projects(theirs):
        poetry(["lock"], theirs, folder, tmp_path / "poetry.log")  # Poetry's own route, one at a time

    assert len(projects(ours)) == 9
    for folder in projects(theirs):
        relative = folder.relative_to(theirs)
        assert (ours / relative / "poetry.lock").read_bytes() == (folder / "poetry.lock").read_bytes(), relative
    # Every lock was stale, and one worker made them all.
    worker = f"one Poetry worker (python -m mono.external.poetry_worker) for {len(projects(ours))} projects"
    ahead = re.compile(r"mono: (\d+) of the (\d+) index pages asked for were fetched ahead")
    for log in (ours / ".mono/logs/lock").glob("*.log"):
        assert worker in log.read_text(), log.name
    # Nearly every page was guessed from what the teacher's locks showed (the solver may also look
    # at packages that no lock holds: what versions it rejected depended on).
    counts = [tuple(map(int, found)) for found in ahead.findall(_logs(ours))]
    guessed, asked = sum(count[0] for count in counts), sum(count[1] for count in counts)
    assert asked > 0 and guessed >= 0.8 * asked, counts


def _logs(root: Path) -> str:
    return "".join(log.read_text() for log in sorted((root / ".mono/logs/lock").glob("*.log")))


class Recorder:
    """Stands in for subprocess.Popen and writes down every program started."""

    def __init__(self) -> None:
        self.started: list[Any] = []

    def popen(self) -> type[subprocess.Popen[bytes]]:
        started = self.started

        class Recording(subprocess.Popen[bytes]):
            def __init__(self, args: Any, *rest: Any, **options: Any) -> None:
                started.append(args)
                super().__init__(args, *rest, **options)

        return Recording


def test_fresh_locks_start_no_poetry_and_stale_ones_are_still_found(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_fixtures(tmp_path / "repo", FIXTURES)  # committed locks and no records: a fresh clone
    recorder = Recorder()
    monkeypatch.setattr(subprocess, "Popen", recorder.popen())
    for _ in range(2):  # inspected in-process, then known from the records
        result = cli(repo, "lock", "--all")
        assert result.code == 0, result.out + result.err
        assert result.out.count(": up to date") == len(FIXTURES), result.out
    edit(repo / "lib/helloworld/pyproject.toml", "dependencies = []", 'dependencies = ["six>=1.16"]')
    checked = cli(repo, "lock", "--check", "--all")
    assert checked.code == 1
    changed = "pyproject.toml or an internal library's dependencies changed since the last lock"
    assert f"poetry.lock is stale: {changed} (run ./mono lock helloworld)" in checked.out, checked.out
    assert f"poetry.lock is stale: {changed} (run ./mono lock flask-app-1)" in checked.out
    shutil.rmtree(repo / ".mono/state/locked")  # as after a pull: the locks are inspected again
    checked = cli(repo, "lock", "--check", "--all")
    assert "poetry.lock is stale: pyproject.toml changed since poetry.lock was written" in checked.out, checked.out
    assert "poetry.lock is stale: helloworld changed its dependencies (+six)" in checked.out
    assert recorder.started == []


def test_a_project_that_cannot_be_resolved_fails_alone_and_keeps_its_lock(tmp_path: Path) -> None:
    broken = "app/tiny/broken/pyproject.toml"
    repo = build_repo(
        tmp_path / "repo",
        {
            **SMALL,
            broken: project("broken", ["six>=1.16"]),
            "pyproject.toml": "[tool.mono]\n",
            ".gitignore": ".mono/\n",
        },
    )
    assert mono("-C", str(repo), "lock", "app/tiny/broken").returncode == 0
    before = (repo / "app/tiny/broken/poetry.lock").read_bytes()
    edit(repo / broken, "six>=1.16", "six>=99")

    locked = mono("-C", str(repo), "lock", "--all")
    assert locked.returncode == 1, locked.stdout + locked.stderr
    said = "Because broken depends on six (>=99) which doesn't match any versions, version solving failed."
    assert "lock broken: failed" in locked.stdout and said in locked.stdout, locked.stdout
    assert "lock: 3 passed, 1 failed" in locked.stdout
    assert said in (repo / ".mono/logs/lock/broken.log").read_text()
    assert (repo / "app/tiny/broken/poetry.lock").read_bytes() == before
    for folder in ("lib/tiny-core", "lib/tiny-util", "app/tiny/web"):
        assert (repo / folder / "poetry.lock").is_file(), folder
