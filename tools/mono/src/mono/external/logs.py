"""Projects' logs: one run at a time writes one, and a run with nothing to say leaves the last."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


def start_log(log: Path) -> None:
    """An empty log at `log` that only its owner can read (output may hold what a redaction
    does not know of); its folder likewise."""
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    log.chmod(0o600)  # an older log, made before logs were private


# The largest log a run that writes nothing puts back (pytest's output of a project is far smaller;
# a larger one is not read back into memory, and that run starts the log afresh).
_KEPT_LOG = 4 << 20


@dataclass
class LogTurn:
    """One run's turn at a project's log; `failed` set by the run when it failed."""

    failed: bool = False


@contextlib.contextmanager
def own_log(log: Path, on_wait: Callable[[], None] | None = None) -> Iterator[LogTurn]:
    """`start_log` for one run at a time: while another ./mono writes this log (three builds of
    one app at once), it is waited for (`on_wait` says so first), so that each log holds the
    lines of one run, never of several interleaved. A run that did not fail and wrote nothing to
    it (the project was up to date, or the run was stopped before it began) leaves the log of
    the last run that did work (up to _KEPT_LOG)."""
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(log, os.O_RDWR | os.O_CREAT, 0o600)
    turn = LogTurn()
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        size = os.fstat(descriptor).st_size
        previous = os.pread(descriptor, size, 0) if 0 < size <= _KEPT_LOG else b""
        os.ftruncate(descriptor, 0)
        os.fchmod(descriptor, 0o600)  # an older log, made before logs were private
        try:
            yield turn
        finally:
            if previous and not turn.failed and os.fstat(descriptor).st_size == 0:
                os.pwrite(descriptor, previous, 0)
    finally:
        os.close(descriptor)  # and with it the lock
