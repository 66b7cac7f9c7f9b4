from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mono.engine.transaction import all_or_nothing
from mono.repo.state import exclusive, read_stamp, write_stamp
from tests.conftest import CliRunner

HOLDER = """
import sys, time
from pathlib import Path
from mono.repo.state import exclusive
with exclusive(Path(sys.argv[1]), "mono test", lambda holder: None):
    print("locked", flush=True)
    time.sleep(1.5)
"""


def test_a_second_command_says_who_holds_the_lock_and_waits(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        told: list[str] = []
        start = time.monotonic()
        with exclusive(tmp_path, "mono install", told.append):
            waited = time.monotonic() - start
            assert (tmp_path / ".mono/lock").read_text().startswith("pid ")
        assert told == [f"pid {holder.pid} (mono test)"]
        assert waited > 0.5
    finally:
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_an_uncontended_lock_does_not_wait(tmp_path: Path) -> None:
    told: list[str] = []
    with exclusive(tmp_path, "mono test", told.append):
        pass
    assert told == []


def test_stamps_are_written_whole(tmp_path: Path) -> None:
    stamp = tmp_path / "state" / "installed" / "x"
    write_stamp(stamp, "3.11:abc def")
    assert read_stamp(stamp) == "3.11:abc def"
    assert [p.name for p in stamp.parent.iterdir()] == ["x"]  # no temporary file left behind
    assert read_stamp(tmp_path / "state" / "missing") is None


@pytest.mark.parametrize("damage", [bytes([0xFF, 0xFE, 0x00]), b"", b"{half a json", b"line one\nline two"])
def test_a_damaged_stamp_is_discarded_with_a_warning(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    stamp = tmp_path / "state" / "tested" / "x"
    stamp.parent.mkdir(parents=True)
    stamp.write_bytes(damage)
    assert read_stamp(stamp) is None
    assert "discarded a damaged state file" in caplog.text and str(stamp) in caplog.text
    assert not stamp.exists()


def test_a_folder_where_a_stamp_or_the_lock_belongs_heals(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stamp = tmp_path / "state" / "installed" / "x"
    (stamp / "junk").mkdir(parents=True)
    assert read_stamp(stamp) is None and not stamp.exists()
    (stamp / "junk").mkdir(parents=True)
    write_stamp(stamp, "3.11:abc")  # over a folder, too
    assert read_stamp(stamp) == "3.11:abc"
    (tmp_path / ".mono/lock/junk").mkdir(parents=True)
    with exclusive(tmp_path, "mono test", lambda holder: None):
        assert (tmp_path / ".mono/lock").is_file()
    assert "a folder where the work lock belongs" in caplog.text


def test_all_or_nothing_puts_every_pyproject_and_lock_back_and_forgets_the_records(tmp_path: Path) -> None:
    one, two = tmp_path / "lib/one", tmp_path / "app/two"
    for folder in (one, two):
        folder.mkdir(parents=True)
        (folder / "pyproject.toml").write_text("before\n")
    (one / "poetry.lock").write_text("old lock\n")
    record = tmp_path / ".mono/state/locked/two"
    with pytest.raises(RuntimeError), all_or_nothing(tmp_path, {"one": one, "two": two}):
        (one / "pyproject.toml").write_text("after\n")
        (one / "poetry.lock").write_text("new lock\n")
        (two / "poetry.lock").write_text("a first lock\n")
        write_stamp(record, "inputs lock")
        raise RuntimeError("the second relock failed")
    assert (one / "pyproject.toml").read_text() == "before\n" and (one / "poetry.lock").read_text() == "old lock\n"
    assert not (two / "poetry.lock").exists() and not record.exists()


def test_a_state_folder_that_links_out_of_the_repository_is_refused_in_one_line(
    repo: Path, tmp_path: Path, cli: CliRunner
) -> None:
    outside = tmp_path / "victim"
    outside.mkdir()
    (repo / ".mono").symlink_to(outside)
    result = cli(repo, "install", "--all")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"mono: error: {repo / '.mono'} is a symlink to {outside}, outside the tool's state folder "
        "(hint: the tool writes only under .mono/; remove the link (its state is rebuilt))"
    ]
    assert list(outside.iterdir()) == []


def test_a_link_out_deeper_in_the_state_folder_is_refused_too(repo: Path, tmp_path: Path, cli: CliRunner) -> None:
    outside = tmp_path / "victim"
    outside.mkdir()
    (repo / ".mono/state").mkdir(parents=True)
    (repo / ".mono/state/locked").symlink_to(outside)
    result = cli(repo, "lock", "--all")
    assert result.code == 2 and "state/locked is a symlink to" in result.err
    assert list(outside.iterdir()) == []


def test_the_tools_venv_may_link_to_the_systems_python(repo: Path, tmp_path: Path, cli: CliRunner) -> None:
    (repo / ".mono/venv/bin").mkdir(parents=True)
    (repo / ".mono/venv/bin/python").symlink_to(sys.executable)
    assert cli(repo, "list").code == 0


def test_the_state_folder_is_its_owners_alone(repo: Path, cli: CliRunner) -> None:
    (repo / ".mono").mkdir(mode=0o755)
    (repo / ".mono").chmod(0o755)
    cli(repo, "lock", "--check", "--all")
    cli(repo, "list")
    assert (repo / ".mono").stat().st_mode & 0o777 == 0o700
