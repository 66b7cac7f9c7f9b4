"""Replaying: the key of a command line, the stat signatures, and the check of a record against
what is there now (see mono.replay). Imports nothing of the tool's and little of Python's: it runs
before the command line is imported."""

from __future__ import annotations

import fcntl
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and contextlib cost 8 ms of a 40 ms replay: annotations only
    from collections.abc import Callable, Sequence
    from typing import Any

REPLAYABLE = frozenset({"install", "test", "lock", "list", "graph"})
FORMAT = 1
# Commands whose run, when it did work, is followed by a quiet run of the same command line that
# records the no-op answer the next run would give (mono.replay.recording.prime). Not `lock`: an
# install follows it, and the venvs it makes change the folders the lock's answer looked at.
PRIMED = frozenset({"install"})
# Set in the quiet run: the time the run before it ended, in ns.
PRIMING = "MONO_PRIMING"
# Environment variables that differ between two shells of one user and change no answer.
VOLATILE_ENVIRONMENT = frozenset({"_", "OLDPWD", "SHLVL", PRIMING})
Signature = tuple[int, int, int, int, int, int, int, int] | None
Witness = tuple[str, bool]  # (absolute path, follow symlinks)


# The command line and where its answer is kept; the same rules for replaying and for recording.


def command_of(argv: Sequence[str]) -> tuple[str | None, str] | None:
    """(the -C folder or None, the command) of a command line that may be replayed, else None."""
    rest = list(argv)
    directory = None
    if rest[:1] == ["-C"] and len(rest) >= 2:
        directory, rest = rest[1], rest[2:]
    if not rest or rest[0] not in REPLAYABLE:
        return None
    if any(argument in {"-h", "--help", "--version"} or argument.startswith("-C") for argument in rest):
        return None
    return directory, rest[0]


def root_of(directory: str | None, cwd: str) -> str | None:
    """The repository root as mono.cli.context.find_root finds it (the CLI reports the root it
    used, and a record is written only when both agree)."""
    if directory is not None:
        path = os.path.join(cwd, directory)
        return os.path.realpath(path) if os.path.isdir(path) else None
    launched_from = os.environ.get("MONO_ROOT")
    if launched_from and os.path.isdir(launched_from):
        return os.path.realpath(launched_from)
    here = os.path.realpath(cwd)
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


def fnv(text: str) -> str:
    # A stable name for a record file (hash() is salted per process; hashlib costs 3 ms to import).
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


MAX_RECORDS = 64


def record_path(root: str, key: tuple[object, ...]) -> str:
    return os.path.join(records_folder(), fnv(repr((root, *key[:2]))))


def records_folder() -> str:
    return os.path.join(user_cache(), "replay")


def user_cache() -> str:
    # mono.model.layout.user_cache, without importing pathlib: the same folder.
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "mono")


def _terminal(fd: int) -> tuple[bool, int]:
    try:
        if not os.isatty(fd):
            return (False, 0)
        return (True, os.get_terminal_size(fd).columns)
    except OSError:
        return (False, 0)


def key_of(argv: Sequence[str], cwd: str) -> tuple[object, ...]:
    """Everything but files that decides a command's answer. The environment only as a hash: it
    holds tokens, and records are files."""
    environment = sorted((name, value) for name, value in os.environ.items() if name not in VOLATILE_ENVIRONMENT)
    return (
        tuple(argv),
        cwd,
        fnv(repr(environment)),
        tuple(_terminal(fd) for fd in (0, 1, 2)),
        sys.executable,
        sys.version,
        os.geteuid(),
        FORMAT,
    )


def signature(path: str, follow: bool, stat: Callable[..., os.stat_result] = os.stat) -> Signature:
    """What a stat of `path` shows (None: nothing there)."""
    try:
        found = stat(path, follow_symlinks=follow)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return signature_of(found, follow)


def signature_of(found: os.stat_result, follow: bool) -> Signature:
    if not follow and found.st_mode & 0o170000 == 0o040000:
        # An lstat that finds a folder asks whether it is a link (os.path.realpath asks it of
        # every folder above the repository): its times change with every file made in it
        # ($HOME, /tmp) and say nothing here. A listing of it is witnessed with its times.
        return (found.st_mode, found.st_ino, found.st_dev, 0, 0, 0, found.st_uid, found.st_gid)
    return (
        found.st_mode,
        found.st_ino,
        found.st_dev,
        found.st_size,
        found.st_mtime_ns,
        found.st_ctime_ns,
        found.st_uid,
        found.st_gid,
    )


# Replaying.


def replayed(argv: Sequence[str]) -> int | None:
    """Print the last answer of `argv` and return its exit code, if nothing it saw has changed;
    None otherwise (then the command runs). Any doubt runs the command; nothing is printed
    before the whole record has been checked."""
    try:
        answer = _answer(argv)
    except Exception:  # noqa: BLE001 - a record that cannot be checked is no record
        return None
    if answer is None:
        return None
    output, code = answer
    try:
        for fd, data in output:
            _write_all(fd, data)
    except OSError:
        return 1  # the reader went away (./mono list | head), as the CLI answers it
    return code


def _answer(argv: Sequence[str]) -> tuple[list[tuple[int, bytes]], int] | None:
    """What the record of `argv` printed and its exit code, if it still holds."""
    if os.environ.get("MONO_NO_REPLAY"):
        return None
    command = command_of(argv)
    if command is None:
        return None
    cwd = os.getcwd()
    root = root_of(command[0], cwd)
    if root is None:
        return None
    key = key_of(argv, cwd)
    record = _read_record(record_path(root, key))
    if record is None or record.get("format") != FORMAT or record.get("key") != key or record.get("root") != root:
        return None
    output, code = record["output"], record["code"]
    if not isinstance(code, int) or not all(fd in (1, 2) and isinstance(data, bytes) for fd, data in output):
        return None
    lock = no_work_running(root)
    if lock is False:
        return None
    try:
        for (path, follow), seen in record["witnesses"]:
            if signature(path, follow) != seen:
                return None
    finally:
        if lock is not True:
            os.close(lock)
    return output, code


def _read_record(path: str) -> dict[str, Any] | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        record = marshal.loads(file.read())  # marshal.load reads a file in tiny pieces: 20x slower
    return record if isinstance(record, dict) else None


def no_work_running(root: str) -> int | bool:
    """False when another ./mono holds the work lock (a command installing or testing right now
    may change what the record saw); else the lock's descriptor, held shared while the record is
    checked (the caller closes it), or True when there is no lock file."""
    try:
        descriptor = os.open(os.path.join(root, ".mono", "lock"), os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return False
    return descriptor


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
