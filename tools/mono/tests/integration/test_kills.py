"""SIGKILL of ./mono at random moments of real work: nothing of it runs on, no lock file is left
half-written, the tree shows nothing new in `git status`, and the next run succeeds.

30 kills in all (MONO_KILLS changes it: 30 keep CI's run near half an hour, at 12 s a kill of a
build), spread over `lock --all --force`, `install --all`, `new` and `build`; each at a moment
drawn uniformly from the time a whole run of that command took just before. The seed is
printed, and MONO_KILL_SEED replays a run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import LAUNCHER, REPO_ROOT, build_repo, git, processes_marked
from tests.integration.conftest import BASE_IMAGE, docker

pytestmark = pytest.mark.integration

KILLS = int(os.environ.get("MONO_KILLS", "30"))
SEED = int(os.environ.get("MONO_KILL_SEED", str(random.SystemRandom().randrange(2**32))))
# The app's name is its image's name: one no user has.
APP = f"mono-kill-test-{uuid.uuid4().hex[:8]}"
_MARK = "MONO_KILL_TEST_RUN"


def _share(weight: int) -> int:
    return max(1, round(KILLS * weight / 10))


def _launch(repo: Path, args: list[str], run_id: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, _MARK: run_id, "CI": "true"}
    env.pop("MONO_ROOT", None)
    return subprocess.Popen(
        ["sh", str(LAUNCHER), "-C", str(repo), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the kill goes to ./mono alone, as `kill -9 PID` would
    )


def _whole_run(repo: Path, args: list[str]) -> float:
    """Run the command to its end; it must succeed. Returns how long it took."""
    started = time.monotonic()
    run = _launch(repo, args, uuid.uuid4().hex)
    assert run.wait(timeout=900) == 0, f"./mono {' '.join(args)} failed after a kill (seed {SEED})"
    return time.monotonic() - started


def _locks(repo: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(repo)): path.read_bytes()
        for path in repo.rglob("poetry.lock")
        if ".mono" not in path.parts
    }


def _kill_at_random(repo: Path, args: list[str], within: float, chance: random.Random) -> float:
    """Start the command, SIGKILL ./mono after a random moment of a run that takes `within`
    seconds, and wait for every process of the run to be gone (the guards have 10 s)."""
    run_id = uuid.uuid4().hex
    moment = chance.uniform(0, within)
    run = _launch(repo, args, run_id)
    time.sleep(moment)
    run.send_signal(signal.SIGKILL)
    print(f"killed at {moment:.3f} of {within:.2f}")
    run.wait()
    deadline = time.monotonic() + 10
    while processes_marked(_MARK, run_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_marked(_MARK, run_id)
    assert not left, f"killed at {moment:.2f} s (seed {SEED}), still running: {left}"
    return moment


def _unchanged_but(repo: Path, allowed: Callable[[str], bool] = lambda line: False) -> None:
    shown = [line for line in git(repo, "status", "--porcelain").splitlines() if not allowed(line)]
    assert not shown, f"the kill left this in git status (seed {SEED}): {shown}"


def _within(folder: str) -> Callable[[str], bool]:
    """A `git status --porcelain` line about a path inside `folder`."""
    return lambda line: line[3:].startswith(folder)


def _remove_project(repo: Path, folder: str) -> None:
    """Gone from the tree and from the index (`new` marks what it made with git add -N)."""
    shutil.rmtree(repo / folder)
    git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", folder)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A library and an app made by `new` from the repository's templates, locked and committed."""
    root = tmp_path_factory.mktemp("kills") / "repo"
    root.mkdir()
    shutil.copy2(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy2(REPO_ROOT / "copier.yml", root / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "tools/templates", root / "tools/templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    build_repo(
        root,
        {
            ".gitignore": ".venv/\n.mono/\n__pycache__/\n",
            "lib/corelib/pyproject.toml": (
                '[project]\nname = "corelib"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n\n'
                '[build-system]\nrequires = ["poetry-core>=2.0,<3.0"]\nbuild-backend = "poetry.core.masonry.api"\n'
            ),
            "lib/corelib/corelib/__init__.py": "ANSWER = 42\n",
        },
    )
    made = subprocess.run(
        ["sh", str(LAUNCHER), "-C", str(root), "new", "app", f"kills/{APP}", "--lib", "corelib", "--no-build"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    _whole_run(root, ["lock", "--all"])  # the library's lock too
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the app")
    print(f"kill seed {SEED} (MONO_KILL_SEED={SEED} replays it)")
    yield root
    for image in docker("image", "ls", "--quiet", APP, check=False).stdout.split():
        docker("image", "rm", "--force", image, check=False)


def test_kills_during_lock_leave_each_lock_as_it_was_or_as_a_finished_run_writes_it(repo: Path) -> None:
    chance = random.Random(SEED)
    before = _locks(repo)
    took = _whole_run(repo, ["lock", "--all", "--force"])
    finished = _locks(repo)
    for _ in range(_share(3)):
        _kill_at_random(repo, ["lock", "--all", "--force"], took, chance)
        for name, content in _locks(repo).items():
            assert content in (before.get(name), finished[name]), f"{name} half-written (seed {SEED})"
        assert set(_locks(repo)) == set(finished)
        _unchanged_but(repo, lambda line: line.endswith("poetry.lock") and _locks(repo) == finished)
        took = _whole_run(repo, ["lock", "--all", "--force"])
        assert _locks(repo) == finished


def test_kills_during_install_never_touch_a_lock_and_the_next_install_repairs(repo: Path) -> None:
    chance = random.Random(SEED + 1)
    locks = _locks(repo)
    took = _whole_run(repo, ["install", "--all"])
    for _ in range(_share(3)):
        for venv in repo.rglob(".venv"):
            shutil.rmtree(venv)  # so that the killed run has real work to do
        _kill_at_random(repo, ["install", "--all"], took, chance)
        assert _locks(repo) == locks
        _unchanged_but(repo)
        took = _whole_run(repo, ["install", "--all"])
    check = subprocess.run(
        [str(repo / f"app/kills/{APP}/.venv/bin/python"), "-c", "import corelib, flask; print(corelib.ANSWER)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip() == "42", check.stderr


def test_kills_during_new_leave_no_staging_and_a_project_that_is_whole_or_absent(repo: Path) -> None:
    chance = random.Random(SEED + 2)
    locks = _locks(repo)
    took = _whole_run(repo, ["new", "lib", "kill-whole", "--no-build"])
    _remove_project(repo, "lib/kill-whole")
    for number in range(_share(2)):
        name = f"kill-new-{number}"
        args = ["new", "lib", name, "--no-build"]
        _kill_at_random(repo, args, took, chance)
        assert {key: value for key, value in _locks(repo).items() if name not in key} == locks
        made = repo / "lib" / name
        # Only the project itself may show (when the kill came after it was moved into place),
        # never a staging folder.
        _unchanged_but(repo, _within(f"lib/{name}/"))
        if made.exists():
            assert (made / "poetry.lock").is_file() and (made / "pyproject.toml").is_file()
            # A project placed before the kill is whole: the next run installs and tests it.
            took = _whole_run(repo, ["test", name])
        else:
            took = _whole_run(repo, args)
        _remove_project(repo, f"lib/{name}")


@pytest.mark.usefixtures("engine")
def test_kills_during_build_leave_nothing_running_and_the_next_build_succeeds(repo: Path) -> None:
    chance = random.Random(SEED + 3)
    locks = _locks(repo)
    args = ["build", APP, "--base-image", BASE_IMAGE]
    took = _whole_run(repo, args)
    for _ in range(_share(2)):
        _kill_at_random(repo, args, took, chance)
        assert _locks(repo) == locks
        _unchanged_but(repo)
        took = _whole_run(repo, args)
