"""A lock parsed once per process (shared_lock) is parsed again as soon as the file changes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mono.repo.lockfile import UnreadableLock, shared_lock


def write(path: Path, content_hash: str, mtime_ns: int | None = None) -> None:
    path.write_text(f'[metadata]\nlock-version = "2.1"\ncontent-hash = "{content_hash}"\n', encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_unchanged_lock_is_parsed_once(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    write(lock, "a" * 8)
    first = shared_lock(lock)
    assert first["metadata"]["content-hash"] == "a" * 8
    assert shared_lock(lock) is first


def test_a_lock_rewritten_with_the_same_size_and_mtime_is_read_again(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    write(lock, "a" * 8, mtime_ns=1_700_000_000_000_000_000)
    assert shared_lock(lock)["metadata"]["content-hash"] == "a" * 8
    # Same size, same mtime set back by hand: the ctime the kernel sets still tells them apart
    # (once its clock has ticked: coarse, up to 10 ms).
    time.sleep(0.05)
    write(lock, "b" * 8, mtime_ns=1_700_000_000_000_000_000)
    assert shared_lock(lock)["metadata"]["content-hash"] == "b" * 8


def test_a_replaced_lock_is_read_again_and_a_missing_one_is_unreadable(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    write(lock, "a" * 8)
    assert shared_lock(lock)["metadata"]["content-hash"] == "a" * 8
    replacement = tmp_path / "new.lock"
    write(replacement, "c" * 12)
    replacement.replace(lock)
    assert shared_lock(lock)["metadata"]["content-hash"] == "c" * 12
    lock.unlink()
    with pytest.raises(UnreadableLock):
        shared_lock(lock)
