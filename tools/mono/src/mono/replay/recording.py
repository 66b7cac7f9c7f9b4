"""Recording a run (see mono.replay): what it observed, what it wrote, whether it may be replayed."""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from mono.racy import FINE_RACY_NS, changed_too_recently
from mono.replay.answer import (
    FORMAT,
    MAX_RECORDS,
    PRIMED,
    PRIMING,
    Signature,
    Witness,
    command_of,
    key_of,
    no_work_running,
    record_path,
    records_folder,
    root_of,
    signature,
    user_cache,
)
from mono.replay.watch import Tee, WouldWork, unwrap_os, wrap_os
from mono.sources import tool_sources

MAX_OUTPUT = 1 << 20
# Audit events after which a run's answer depends on more than the files it stat'ed.
TAINTING_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.chdir",
        "os.kill",
        "socket.connect",
        "socket.bind",
        "socket.getaddrinfo",
        "socket.sendto",
    }
)
# Audit events that write the path in their first argument (os.rename and os.link: both).
WRITING_EVENTS = frozenset(
    {
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "os.chmod",
        "os.chown",
        "os.utime",
        "os.truncate",
        "os.symlink",
        "os.rename",
        "os.link",
        "os.setxattr",
        "os.removexattr",
        "shutil.rmtree",
        "shutil.copyfile",
        "shutil.copymode",
        "shutil.copystat",
        "shutil.move",
    }
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Of the tainting events, those that start a program: the run did work (it installed, it locked).
STARTING_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty"}
)
# Past this many paths looked at, a run is not recorded and the recorder steps aside: checking
# a record costs a stat per path, and keeping one costs the run ~30 us per path (10,000 projects
# are ~50,000 paths: 1.7 s more on a 1.6 s `list`). Our 20-project example looks at ~500.
MAX_WITNESSES = 10_000
# How long the command line's own quiet run may take before it is stopped (it is a no-op).
PRIMING_TIMEOUT_S = 10


class Recorder:
    """What one run observed and wrote, while it runs (see the module's docstring)."""

    def __init__(self, argv: Sequence[str], command: tuple[str | None, str], cwd: str, quiet: bool = False) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.quiet = quiet  # the quiet run: prints nothing, does no work
        self.started_ns = 0  # set by start(), before the run looks at anything
        self.started_program = False
        self.key = key_of(argv, cwd)
        self.root = root_of(command[0], cwd)
        self.root_used: str | None = None
        self.seen: dict[Witness, Signature] = {}
        self.written: set[str] = set()
        self.tainted: str | None = None
        self.output: list[tuple[int, bytes]] = []
        self.output_size = 0
        self.active = True
        self._lock = threading.Lock()
        self._originals: dict[str, Any] = {}
        self._streams: tuple[TextIO, TextIO] | None = None
        self.allowed: tuple[str, ...] = (
            os.path.join(self.root or cwd, ".mono") + os.sep,
            user_cache() + os.sep,
        )
        if sys.pycache_prefix:
            self.allowed += (os.path.join(sys.pycache_prefix, ""),)

    # What the run does.

    def taint(self, reason: str) -> None:
        if self.active and self.tainted is None:
            self.tainted = reason

    def keep_output(self, fd: int, data: bytes) -> None:
        if not self.active:
            return
        with self._lock:
            self.output_size += len(data)
            if self.output_size > MAX_OUTPUT:
                self.taint("printed more than a megabyte")
            elif self.output and self.output[-1][0] == fd:
                self.output[-1] = (fd, self.output[-1][1] + data)
            else:
                self.output.append((fd, data))

    def _absolute(self, path: Any) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        text = os.fsdecode(os.fspath(path))
        return os.path.join(self.cwd, text)

    def witness(self, path: Any, follow: bool) -> None:
        """Keep what `path` looks like now, when the run first looks at it."""
        absolute = self._absolute(path) if self.active else None
        if absolute is not None and (absolute, follow) not in self.seen:
            self.seen[(absolute, follow)] = signature(absolute, follow, self._originals.get("stat", os.stat))
            self._count()

    def witnessed(self, path: Any, follow: bool, seen: Signature) -> None:
        """Keep `seen`, what the run's own stat of `path` showed, if it is the first look."""
        absolute = self._absolute(path) if self.active else None
        if absolute is not None and (absolute, follow) not in self.seen:
            self.seen[(absolute, follow)] = seen
            self._count()

    def _count(self) -> None:
        if len(self.seen) <= MAX_WITNESSES:
            return
        with self._lock:
            if not self.active:
                return
            self.taint(f"looked at more than {MAX_WITNESSES} paths")
            self.active = False  # the audit hook, the listings and the output go quiet
            unwrap_os(self._originals)
        if self.quiet:
            raise WouldWork("a run too large to record")  # unwatched, it could do work unseen

    def wrote(self, path: Any) -> None:
        if not self.active:
            return
        absolute = self._absolute(path)
        if absolute is None:
            return
        if not any(absolute.startswith(prefix) or absolute + os.sep == prefix for prefix in self.allowed):
            self.taint(f"wrote {absolute}")
            if self.quiet:
                raise WouldWork(f"would write {absolute}")
        self.written.add(absolute)

    def _audit(self, event: str, arguments: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "open":
            path, mode, flags = (*arguments, None, None, None)[:3]
            writing = (
                any(letter in mode for letter in "wax+") if isinstance(mode, str) else bool((flags or 0) & WRITE_FLAGS)
            )
            if writing:
                self.wrote(path)
            else:
                self.witness(path, True)
        elif event in {"os.listdir", "os.scandir"}:
            self.witness(arguments[0] if arguments and arguments[0] is not None else ".", True)
        elif event in WRITING_EVENTS:
            for path in (
                arguments[:2] if event in {"os.rename", "os.link", "shutil.copyfile", "shutil.move"} else arguments[:1]
            ):
                self.wrote(path)
        elif event in TAINTING_EVENTS:
            self.taint(event)
            self.started_program |= event in STARTING_EVENTS
            if self.quiet:
                raise WouldWork(event)

    def start(self) -> None:
        # Made before the run looks at anything: making it later would change what it saw.
        os.makedirs(records_folder(), mode=0o700, exist_ok=True)
        self.started_ns = time.time_ns()  # before anything is observed: the racy rule's "now"
        self._originals = wrap_os(self)
        # An audit hook cannot be removed: it goes quiet once the recorder is no longer active.
        sys.addaudithook(self._audit)
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = Tee(sys.stdout, 1, self, quiet=self.quiet)
        sys.stderr = Tee(sys.stderr, 2, self, quiet=self.quiet)

    def stop(self) -> None:
        self.active = False
        unwrap_os(self._originals)
        if self._streams is not None:
            sys.stdout, sys.stderr = self._streams
            self._streams = None

    # The record.

    def finish(self, code: int) -> None:
        """Stop recording; keep the record if the run may be replayed."""
        self.stop()
        with contextlib.suppress(OSError):
            sys.stdout.flush()
            sys.stderr.flush()
        if self.tainted is None and code != 0:
            self.tainted = f"exit code {code}"
        elif self.tainted is None and (self.root is None or self.root_used != self.root):
            self.tainted = f"acted on {self.root_used}, not on {self.root}"
        if self.tainted is not None:
            self._explain(self.tainted)
            return
        with contextlib.suppress(OSError):
            witnesses = self._witnesses()
            if witnesses is not None:
                self._write(witnesses)

    def _explain(self, reason: str) -> None:
        # MONO_EXPLAIN_REPLAY=1: why a run was not recorded (for a user who expects a replay).
        if os.environ.get("MONO_EXPLAIN_REPLAY"):
            shown = "".join(letter if letter.isprintable() else f"\\x{ord(letter):02x}" for letter in reason)
            sys.stderr.write(f"mono: not recorded for replay: {shown}\n")

    def _ignored(self, path: str) -> bool:
        # Written by every run and read by none that may be recorded: the work lock, the logs
        # (read only for the tail of a failure, and failures are not recorded), the records.
        assert self.root is not None
        state = os.path.join(self.root, ".mono")
        if path in {os.path.join(state, "lock"), os.path.join(state, "logs"), records_folder()}:
            return True
        if path.startswith((os.path.join(state, "logs", ""), os.path.join(records_folder(), ""))):
            return True
        cache = os.path.join(user_cache(), "repos", "")
        return path.startswith(cache) and f"{os.sep}logs" in path[len(cache) :]

    def _witnesses(self) -> list[tuple[Witness, Signature]] | None:
        changed_by_us = set(self.written) | {os.path.dirname(path) for path in self.written}
        for source in tool_sources():
            self.seen.setdefault((source, True), signature(source, True))
        kept = []
        for (path, follow), seen in sorted(self.seen.items()):
            if self._ignored(path):
                continue
            now = signature(path, follow)
            if path not in changed_by_us:
                if now != seen:
                    # Changed under the run: what it printed may not hold for what is there now.
                    self._explain(f"{path} changed while it ran")
                    return None
                # Not for the tool's own state (.mono/, its user cache): only the tool writes
                # there, each file replaced whole (a new inode), and no run of it starts and
                # writes within one clock tick of another's end.
                racy = now is not None and changed_too_recently(now[4], now[5], self.started_ns)
                if racy and not path.startswith(self.allowed):
                    # Changed just before the run looked: a change in the same clock tick would not show.
                    self._explain(f"{path} changed just before the run")
                    return None
            # What the run wrote itself is the tool's state, replaced whole (a new inode) each time.
            kept.append(((path, follow), now))
        return kept

    def _write(self, witnesses: list[tuple[Witness, Signature]]) -> None:
        assert self.root is not None
        record = {
            "format": FORMAT,
            "key": self.key,
            "root": self.root,
            "witnesses": witnesses,
            "output": self.output,
            "code": 0,
        }
        path = record_path(self.root, self.key)
        temporary = f"{path}.{os.getpid()}.{threading.get_ident()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                marshal.dump(record, file)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _keep_newest(records_folder(), MAX_RECORDS)


def _keep_newest(folder: str, count: int) -> None:
    """Remove all but the `count` newest records (one per command line, folder and repository)."""
    with os.scandir(folder) as listing:
        records = sorted((entry for entry in listing if entry.is_file()), key=lambda entry: entry.stat().st_mtime_ns)
    for entry in records[:-count]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


_current: Recorder | None = None


def start(argv: Sequence[str], quiet: bool = False) -> Recorder | None:
    """Start recording a run of `argv` if it may be replayed later (`quiet`: printing nothing)."""
    global _current
    if os.environ.get("MONO_NO_REPLAY"):
        return None
    command = command_of(argv)
    if command is None:
        return None
    try:
        recorder = Recorder(argv, command, os.getcwd(), quiet)
        recorder.start()
    except OSError:
        return None  # no folder, or a read-only cache, for records: the command runs unrecorded
    _current = recorder
    return recorder


def root_used(root: str) -> None:
    """The CLI tells the recorder which repository it acted on."""
    if _current is not None:
        _current.root_used = root


def prime(argv: Sequence[str], recorder: Recorder) -> None:
    """After a run of `argv` that did work and succeeded, run the same command line again, in a
    process of its own (nothing this one keeps in memory may stand in for a file it would read),
    quietly, to record the no-op answer the next run will give: that run is then replayed.
    Only for PRIMED commands, and only where this process was started as `argv`."""
    command = command_of(argv)
    started_as = sys.orig_argv
    if command is None or command[1] not in PRIMED or not recorder.started_program or recorder.root is None:
        return
    if not argv or started_as[len(started_as) - len(argv) :] != list(argv) or os.environ.get("MONO_NO_REPLAY"):
        return  # not started as this command line (a test calling the entry point in-process)
    lock = no_work_running(recorder.root)
    if lock is False:
        return  # another ./mono is working: the quiet run would wait for it, and record nothing
    if lock is not True:
        os.close(lock)
    environment = {**os.environ, PRIMING: str(time.time_ns())}
    # The standard streams are inherited (the record is for this terminal); the quiet run writes
    # none of them. A session of its own: a Ctrl-C is this process's (which then stops it, as
    # subprocess.run stops a child on any exception). Not mono.external.proc: this runs after the
    # command, outside the layers.
    import subprocess

    with contextlib.suppress(OSError, subprocess.SubprocessError, KeyboardInterrupt):
        subprocess.run(started_as, env=environment, check=False, timeout=PRIMING_TIMEOUT_S, start_new_session=True)


def record_quietly(argv: Sequence[str], load_main: Callable[[], Callable[[], int]]) -> int:
    """The quiet run of `prime`: the command line once more, printing nothing, recorded if it
    did nothing but answer. Waits out the racy window after the run before it first."""
    with contextlib.suppress(KeyboardInterrupt):  # stopped: nothing to say, nothing recorded
        try:
            before = int(os.environ.get(PRIMING) or 0)
        except ValueError:
            before = 0
        wait_ns = before + FINE_RACY_NS - time.time_ns()
        if wait_ns > 0:
            time.sleep(wait_ns / 1e9)
        recorder = start(argv, quiet=True)
        if recorder is None:
            return 0
        try:
            code = load_main()()
        except (WouldWork, Exception):  # noqa: BLE001 - whatever stops it, nothing is recorded
            code = 1
        finally:
            recorder.stop()
        recorder.finish(code)
    return 0
