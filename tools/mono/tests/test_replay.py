"""A repeated no-op is answered from its record (mono.replay), and only while nothing it looked at
has changed. Each test runs the tool as its own process: the recorder wraps functions of `os` and
adds an audit hook, which must not happen inside the test run."""

from __future__ import annotations

import fcntl
import marshal
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mono import replay
from mono.racy import FINE_RACY_NS, RACY_NS, racy_window
from mono.replay.answer import MAX_RECORDS
from mono.replay.recording import MAX_WITNESSES
from tests.helpers import build_repo, layered_repo, pep621, write_tree

MARK = b"replayed from the record\n"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    (folder / "mono" / "replay").mkdir(parents=True)
    return folder


def environment(cache: Path, **extra: str) -> dict[str, str]:
    kept = {name: value for name, value in os.environ.items() if not name.startswith(("MONO_", "XDG_"))}
    return {**kept, "XDG_CACHE_HOME": str(cache), "MONO_EXPLAIN_REPLAY": "1", **extra}


def mono(
    repo: Path, cache: Path, *args: str, cwd: Path | None = None, setting: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mono", "-C", str(repo), *args],
        cwd=cwd or repo,
        env=environment(cache, **(setting or {})),
        capture_output=True,
        check=False,
        timeout=120,
    )


def records(cache: Path) -> list[Path]:
    folder = cache / "mono" / "replay"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def mark_records(cache: Path) -> None:
    """Make every record print MARK: a run that prints it was replayed."""
    for path in records(cache):
        record = marshal.loads(path.read_bytes())
        record["output"] = [(1, MARK)]
        path.write_bytes(marshal.dumps(record))


def recorded(repo: Path, cache: Path, *args: str) -> bytes:
    """Run `args` until it is recorded; the records then print MARK. Returns the real output."""
    first = mono(repo, cache, *args)
    assert first.returncode == 0, first.stderr
    assert records(cache), "the no-op was not recorded"
    mark_records(cache)
    return first.stdout


def aged(repo: Path) -> Path:
    """`repo`, once its files are old enough to be recorded (mono.racy.RACY_NS)."""
    time.sleep(RACY_NS / 1e9 + 0.1)
    return repo


@pytest.fixture
def repo(tmp_path: Path, cache: Path) -> Path:
    return aged(build_repo(tmp_path / "repo", layered_repo()))


def test_a_repeated_no_op_prints_what_it_printed_and_exits_as_it_exited(repo: Path, cache: Path) -> None:
    first = mono(repo, cache, "list", "--json")
    again = mono(repo, cache, "list", "--json")
    assert first.returncode == again.returncode == 0
    assert (again.stdout, again.stderr) == (first.stdout, first.stderr)
    assert b'"core"' in again.stdout
    mark_records(cache)
    assert mono(repo, cache, "list", "--json").stdout == MARK


def test_the_repository_gets_nothing_of_it(repo: Path, cache: Path) -> None:
    recorded(repo, cache, "list")
    assert mono(repo, cache, "list").stdout == MARK
    assert (
        subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=repo, capture_output=True, text=True).stdout
        == ""
    )


Change = Callable[[Path], None]


def edit_a_pyproject(repo: Path) -> None:
    path = repo / "lib/lonely/pyproject.toml"
    path.write_text(path.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))


def edit_keeping_size_and_time(repo: Path) -> None:
    path = repo / "lib/lonely/pyproject.toml"
    before = path.stat()
    path.write_text(path.read_text().replace("0.1.0", "0.9.0"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def add_a_project(repo: Path) -> None:
    write_tree(repo, {"lib/extra/pyproject.toml": pep621("extra")})


def remove_a_project(repo: Path) -> None:
    (repo / "tools/helper/pyproject.toml").unlink()


def make_a_folder_a_link(repo: Path) -> None:
    os.rename(repo / "lib/lonely", repo / "lonely-elsewhere")
    os.symlink(repo / "lonely-elsewhere", repo / "lib/lonely")


def edit_the_root_settings(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mono]\nexclude = ["tools"]\n')


@pytest.mark.parametrize(
    "change",
    [
        edit_a_pyproject,
        edit_keeping_size_and_time,
        add_a_project,
        remove_a_project,
        make_a_folder_a_link,
        edit_the_root_settings,
    ],
)
def test_a_change_to_what_it_looked_at_runs_the_command(repo: Path, cache: Path, change: Change) -> None:
    recorded(repo, cache, "list", "--json")
    change(repo)
    after = mono(repo, cache, "list", "--json")
    assert after.stdout != MARK
    assert after.stdout == mono(repo, cache, "list", "--json", setting={"MONO_NO_REPLAY": "1"}).stdout


@pytest.mark.parametrize(
    ("variant", "setting"),
    [((), {"SOME_SETTING": "1"}), (("--json",), {}), ((), {"COLUMNS": "20"})],
)
def test_another_environment_or_command_line_runs_the_command(
    repo: Path, cache: Path, variant: tuple[str, ...], setting: dict[str, str]
) -> None:
    recorded(repo, cache, "list")
    assert mono(repo, cache, "list", *variant, setting=setting).stdout != MARK


def test_another_folder_runs_the_command(repo: Path, cache: Path) -> None:
    recorded(repo, cache, "list")
    assert mono(repo, cache, "list", cwd=repo / "lib").stdout != MARK


def test_replay_is_off_with_mono_no_replay(repo: Path, cache: Path) -> None:
    recorded(repo, cache, "list")
    assert mono(repo, cache, "list", setting={"MONO_NO_REPLAY": "1"}).stdout != MARK
    assert mono(repo, cache, "list").stdout == MARK  # and that run recorded nothing over it


def test_a_run_while_another_holds_the_work_lock_runs_the_command(tmp_path: Path, cache: Path) -> None:
    repo = build_repo(tmp_path / "repo", layered_repo())
    lock = repo / ".mono" / "lock"
    lock.parent.mkdir()
    lock.touch()
    recorded(aged(repo), cache, "list")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert mono(repo, cache, "list").stdout != MARK
    mark_records(cache)  # in case the run above recorded again
    assert mono(repo, cache, "list").stdout == MARK


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({"format": 1})])
def test_a_damaged_record_runs_the_command(repo: Path, cache: Path, content: bytes) -> None:
    real = recorded(repo, cache, "list")
    for path in records(cache):
        path.write_bytes(content)
    after = mono(repo, cache, "list")
    assert (after.returncode, after.stdout) == (0, real)


def test_a_run_that_looked_at_a_file_changed_just_before_is_not_recorded(repo: Path, cache: Path) -> None:
    # Changed just before the run: a second change within the same clock tick would not show.
    run_recorded(repo, cache, "open('README.md').read()", before="os.utime('README.md')")
    assert records(cache) == []
    time.sleep(FINE_RACY_NS / 1e9 + 0.05)
    run_recorded(repo, cache, "open('README.md').read()")
    assert len(records(cache)) == 1


def test_times_in_whole_seconds_say_a_coarse_file_system_and_a_longer_racy_window() -> None:
    assert racy_window(1_700_000_000_000_000_000) == RACY_NS
    assert racy_window(1_700_000_000_123_456_789) == FINE_RACY_NS < RACY_NS


def test_a_failing_command_is_not_recorded(repo: Path, cache: Path) -> None:
    assert mono(repo, cache, "list", "no-such-project").returncode == 2
    assert records(cache) == []


def run_recorded(repo: Path, cache: Path, body: str, *extra: str, before: str = "pass") -> None:
    """Run `body` as the command's main under the recorder, as `mono -C repo list` would, after
    `before` (run before the recorder starts)."""
    script = textwrap.dedent(
        """
        import os, subprocess, sys, time
        from mono import replay
        def main():
            replay.root_used(os.path.realpath(sys.argv[1]))
        {body}
            return 0
        {before}
        sys.exit(replay.entry(["-C", sys.argv[1], "list", *sys.argv[2:]], lambda: main))
        """
    ).format(body=textwrap.indent(textwrap.dedent(body), "    "), before=before)
    done = subprocess.run(
        [sys.executable, "-c", script, str(repo), *extra],
        cwd=repo,
        env=environment(cache),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_run_that_only_reads_and_writes_its_own_state_is_recorded(repo: Path, cache: Path) -> None:
    run_recorded(
        repo, cache, "open('README.md').read(); os.makedirs('.mono', exist_ok=True); open('.mono/x', 'w').write('x')"
    )
    assert len(records(cache)) == 1


@pytest.mark.parametrize(
    "body",
    [
        "subprocess.run(['true'])",
        "open('written-here', 'w').write('x')",
        "os.rename('README.md', 'README')",
        "os.remove('README.md')",
        "sys.stdout.buffer.write(b'bytes')",
        "import socket; socket.getaddrinfo('localhost', 80)",
    ],
)
def test_a_run_that_starts_a_program_or_writes_outside_its_state_is_not_recorded(
    repo: Path, cache: Path, body: str
) -> None:
    run_recorded(repo, cache, body)
    assert records(cache) == []


def test_a_run_that_looks_at_too_many_paths_is_not_recorded_and_no_longer_watched(repo: Path, cache: Path) -> None:
    looks = f"for number in range({MAX_WITNESSES} + 1): os.path.exists(f'missing-{{number}}')"
    unwatched = "assert type(os.stat).__name__ == 'builtin_function_or_method', os.stat"
    run_recorded(repo, cache, f"{looks}\n{unwatched}")
    assert records(cache) == []
    run_recorded(repo, cache, "for number in range(100): os.path.exists(f'missing-{number}')")
    assert len(records(cache)) == 1


def test_a_file_that_changed_while_the_run_read_it_is_not_recorded(repo: Path, cache: Path) -> None:
    # Another process edits README.md after the run read it: what the run printed came from the old text.
    editor = subprocess.Popen(["sh", "-c", "sleep 0.5; echo more >> README.md"], cwd=repo)
    run_recorded(repo, cache, "open('README.md').read(); time.sleep(1.5)")
    editor.wait()
    assert records(cache) == []


def test_an_edit_of_the_tool_runs_the_command(tmp_path: Path, cache: Path) -> None:
    # A copy of the tool, so that its source can change.
    copy = tmp_path / "tool"
    shutil.copytree(Path(replay.__file__).parents[1], copy / "mono", ignore=shutil.ignore_patterns("__pycache__"))
    repo = aged(build_repo(tmp_path / "repo", layered_repo()))
    tool = {"PYTHONPATH": str(copy)}
    assert mono(repo, cache, "list", setting=tool).returncode == 0
    assert records(cache)
    mark_records(cache)
    assert mono(repo, cache, "list", setting=tool).stdout == MARK
    source = copy / "mono" / "commands" / "list.py"
    source.write_text(source.read_text() + "\n")
    assert mono(repo, cache, "list", setting=tool).stdout != MARK


def test_the_records_are_kept_to_a_bounded_number(repo: Path, cache: Path) -> None:
    folder = cache / "mono" / "replay"
    for number in range(MAX_RECORDS + 5):
        (folder / f"{number:016x}").write_bytes(b"")
        os.utime(folder / f"{number:016x}", ns=(number, number))
    assert mono(repo, cache, "list").returncode == 0
    left = records(cache)
    assert len(left) == MAX_RECORDS
    assert folder / f"{0:016x}" not in left


def test_a_record_holds_no_value_of_the_environment(repo: Path, cache: Path) -> None:
    secret = "s3cr3t-token-value"
    assert mono(repo, cache, "list", setting={"PUBLISH_TOKEN": secret}).returncode == 0
    (record,) = records(cache)
    assert secret.encode() not in record.read_bytes()
    assert record.stat().st_mode & 0o077 == 0


def test_a_replay_into_a_closed_pipe_prints_nothing_more(repo: Path, cache: Path) -> None:
    recorded(repo, cache, "list")
    for path in records(cache):
        record = marshal.loads(path.read_bytes())
        record["output"] = [(1, b"line\n" * 200_000)]
        path.write_bytes(marshal.dumps(record))
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    done = subprocess.run(
        [sys.executable, "-m", "mono", "-C", str(repo), "list"],
        stdout=reader.stdin,
        cwd=repo,
        env=environment(cache),
        timeout=60,
    )
    assert reader.stdin is not None and reader.stdout is not None
    reader.stdin.close()
    with reader.stdout:
        assert reader.stdout.read() == b"line\n"
    reader.wait()
    assert done.returncode == 1


def test_the_tools_own_state_written_just_before_does_not_stop_a_record(repo: Path, cache: Path) -> None:
    # Only the tool writes its state, each file replaced whole: the racy rule is for the user's files.
    state = repo / ".mono" / "state"
    state.mkdir(parents=True)
    run_recorded(repo, cache, "open('.mono/state/x', 'w').write('x')")
    assert len(records(cache)) == 1
    (record,) = records(cache)
    record.unlink()
    run_recorded(repo, cache, "open('.mono/state/x').read()")
    assert len(records(cache)) == 1


# A command that works when `work-to-do` exists (it starts a program, which appends to `started`),
# and else only reads and answers; run as a script, so that its process was started as the
# command line it runs (as ./mono starts `python -m mono ARGS`).
WORKER = """
import os, subprocess, sys
from mono import replay

def main():
    replay.root_used(os.path.realpath(sys.argv[2]))
    if os.path.exists("work-to-do") or os.environ.get("ALWAYS_WORK"):
        subprocess.run(["sh", "-c", "echo started >> started"], check=True)
        if os.path.exists("work-to-do"):
            os.remove("work-to-do")
        print("did the work")
    else:
        open("README.md").read()
        if os.environ.get("BYTES"):
            sys.stdout.buffer.write(b"bytes\\n")
        print("up to date")
        print("a warning", file=sys.stderr)
    return 0

sys.exit(replay.entry(sys.argv[1:], lambda: main))
"""


def run_worker(repo: Path, cache: Path, tmp_path: Path, **setting: str) -> subprocess.CompletedProcess[bytes]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return subprocess.run(
        [sys.executable, str(script), "-C", str(repo), "install", "--all"],
        cwd=repo,
        env=environment(cache, **setting),
        capture_output=True,
        check=False,
        timeout=60,
    )


def test_an_install_that_did_work_records_the_answer_its_next_run_gives(
    repo: Path, cache: Path, tmp_path: Path
) -> None:
    (repo / "work-to-do").write_text("")
    first = run_worker(repo, cache, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == b"did the work\n"  # the quiet run printed nothing
    assert b"a warning" not in first.stderr
    assert len(records(cache)) == 1  # the quiet run's: the working run is never recorded
    assert (repo / "started").read_text() == "started\n"
    mark_records(cache)
    assert run_worker(repo, cache, tmp_path).stdout == MARK
    (repo / "README.md").write_text("changed")  # what the quiet run looked at
    changed = run_worker(repo, cache, tmp_path)
    assert (changed.stdout, changed.stderr.count(b"a warning")) == (b"up to date\n", 1)


def test_the_quiet_run_stops_before_it_would_work_and_records_nothing(repo: Path, cache: Path, tmp_path: Path) -> None:
    first = run_worker(repo, cache, tmp_path, ALWAYS_WORK="1")
    assert (first.returncode, first.stdout) == (0, b"did the work\n")
    assert records(cache) == []
    assert (repo / "started").read_text() == "started\n"  # once: the quiet run started nothing


def test_no_quiet_run_without_work_nor_with_replay_off(repo: Path, cache: Path, tmp_path: Path) -> None:
    (repo / "work-to-do").write_text("")
    assert run_worker(repo, cache, tmp_path, MONO_NO_REPLAY="1").stdout == b"did the work\n"
    assert records(cache) == []
    first = run_worker(repo, cache, tmp_path)  # a no-op: recorded by itself, nothing run again
    assert (first.stdout, first.stderr.count(b"a warning")) == (b"up to date\n", 1)
    assert len(records(cache)) == 1


def test_the_quiet_run_writes_no_bytes_to_the_terminal(repo: Path, cache: Path, tmp_path: Path) -> None:
    (repo / "work-to-do").write_text("")
    first = run_worker(repo, cache, tmp_path, BYTES="1")
    assert (first.returncode, first.stdout) == (0, b"did the work\n")
    assert records(cache) == []


def test_no_quiet_run_while_another_holds_the_work_lock(repo: Path, cache: Path, tmp_path: Path) -> None:
    (repo / "work-to-do").write_text("")
    (repo / ".mono").mkdir()
    with (repo / ".mono" / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        first = run_worker(repo, cache, tmp_path)
    assert (first.returncode, first.stdout) == (0, b"did the work\n")
    assert records(cache) == []
