"""The guard every command runs under: transparent while ./mono lives, thorough when it dies."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mono.errors import MonoError
from mono.external import guard, proc

GUARD = Path(guard.__file__)


def guarded(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-S", str(GUARD), str(os.getpid()), "--", *command],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_commands_output_and_exit_status_pass_through() -> None:
    result = guarded("sh", "-c", "echo said; exit 3")
    assert (result.returncode, result.stdout) == (3, "said\n")


def test_a_command_killed_by_a_signal_looks_killed_by_it() -> None:
    assert guarded("sh", "-c", "kill -TERM $$").returncode == -signal.SIGTERM


def test_a_program_that_cannot_start_is_one_line() -> None:
    result = guarded("no-such-program-anywhere")
    assert result.returncode == 127
    assert result.stderr.strip().splitlines() == [
        "guard: cannot run no-such-program-anywhere: No such file or directory"
    ]


def test_proc_run_still_names_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(MonoError, match="cannot run 'no-such-program-anywhere': not found"):
        proc.run(["no-such-program-anywhere"], cwd=tmp_path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.02)
    return False


# A stand-in for ./mono: takes the work lock, starts a command (through proc.run, so under the
# guard) that makes a file, a folder and three processes (one in a new session, as a daemon
# would), says their pids, and waits to be killed.
PARENT = """
    import sys
    from pathlib import Path
    from mono.external import proc
    from mono.repo.state import exclusive

    root, lock_file, folder = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    script = (
        "echo half > poetry.lock; mkdir made; sleep 300 & echo $! > pids; "
        "setsid sleep 301 & echo $! >> pids; echo $$ >> pids; wait"
    )
    with exclusive(root, "test", print):
        proc.run(["sh", "-c", script], cwd=root, undo_if_killed={lock_file: Path(sys.argv[4]), folder: None})
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_when_mono_is_killed_its_work_stops_the_files_come_back_and_only_then_the_lock_is_free(
    tmp_path: Path,
) -> None:
    (tmp_path / "poetry.lock").write_text("the lock from before\n")
    backup = tmp_path / ".mono/undo-copy"
    backup.parent.mkdir()
    backup.write_text("the lock from before\n")
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(PARENT),
            str(tmp_path),
            str(tmp_path / "poetry.lock"),
            str(tmp_path / "made"),
            str(backup),
        ],
        cwd=tmp_path,
    )
    pids_file = tmp_path / "pids"
    assert _wait_until(lambda: pids_file.is_file() and len(pids_file.read_text().split()) == 3, 60)
    pids = [int(pid) for pid in pids_file.read_text().split()]
    guard_pid = next(pid for pid in _children(parent.pid))
    # The command does not hold the work lock (a daemon it leaves must not hold it forever).
    for pid in pids:
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        assert str(tmp_path / ".mono/lock") not in held

    parent.kill()
    parent.wait()

    assert _wait_until(lambda: not any(_alive(pid) for pid in [*pids, guard_pid]), 10), "work left running"
    assert (tmp_path / "poetry.lock").read_text() == "the lock from before\n"
    assert not (tmp_path / "made").exists()
    with (tmp_path / ".mono/lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free now: raises if anything still holds it


def test_the_work_lock_is_held_while_a_guarded_command_outlives_its_parent(tmp_path: Path) -> None:
    """While the guard is still stopping the work, a second ./mono cannot take the lock."""
    (tmp_path / ".mono").mkdir()
    lock_path = tmp_path / ".mono/lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                str(GUARD),
                str(os.getpid()),
                "--hold",
                str(lock.fileno()),
                "--",
                "sleep",
                "1",
            ],
            pass_fds=(lock.fileno(),),
        )
    # This process let go of its descriptor; the guard's keeps the lock taken until sleep ends.
    with lock_path.open("a") as second:
        with pytest.raises(BlockingIOError):
            fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started.wait()
        fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        found += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


WATCHED = """
import sys, time
from pathlib import Path
from mono.external import proc

folder = Path(sys.argv[1])
with proc.undone_if_killed({folder: None}):
    folder.mkdir()
    (folder / "half.txt").write_text("half")
    print("made", flush=True)
    time.sleep(300)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_a_folder_made_between_commands_goes_when_mono_is_killed_and_stays_when_it_is_not(tmp_path: Path) -> None:
    folder = tmp_path / ".staging"
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WATCHED), str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None and parent.stdout.readline() == "made\n"
    parent.kill()
    parent.wait()
    parent.stdout.close()
    assert _wait_until(lambda: not folder.exists(), 10), "the folder of a killed run stayed"

    kept = tmp_path / "kept"
    with proc.undone_if_killed({kept: None}):
        kept.mkdir()
    assert kept.is_dir()  # the block ended normally: the watcher touched nothing
