"""Run one command so that it cannot outlive the ./mono that started it.

`./mono` starts every program through this guard (`python -I -S guard.py ...`: a standalone
script, so it starts in milliseconds and imports nothing of the tool). The guard holds the
work lock's file descriptor, which it does not hand on to the command, and:

- when the command ends, exits with its status (or dies by its signal): normal work sees no
  difference;
- when ./mono dies, by any signal and even SIGKILL (the kernel tells the guard: Linux's
  PR_SET_PDEATHSIG; elsewhere a poll of the parent pid), kills the command and everything it
  started (the guard is their subreaper, so even processes that left the group or daemonized
  stay its descendants), reaps them, puts back the files it was asked to, and only then exits.
  The work lock is free only once all of them are gone.

Usage: guard.py PARENT_PID [--hold FD]... [--restore TARGET BACKUP]... [--remove TARGET]...
                [--note-pid FILE] -- COMMAND [ARG]...
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_PARENT_DIED = signal.SIGUSR1  # nothing else sends it to a guard
_POLL_SECONDS = 0.5  # where the kernel cannot tell us that the parent died
_EXIT_PARENT_DIED = 137
_EXIT_CANNOT_START = 127
_PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # the command's to act on


class Orders:
    """What the guard was asked to do (a plain class: dataclasses would double the start-up)."""

    def __init__(self, parent: int, command: list[str]) -> None:
        self.parent = parent
        self.command = command
        self.held: list[int] = []
        self.restores: list[tuple[str, str]] = []
        self.removals: list[str] = []
        self.pid_note: str | None = None


def parse(argv: list[str]) -> Orders:
    """The orders in `argv` (this script's arguments)."""
    split = argv.index("--")
    options, command = argv[1:split], argv[split + 1 :]
    orders = Orders(parent=int(argv[0]), command=command)
    while options:
        option = options.pop(0)
        if option == "--hold":
            orders.held.append(int(options.pop(0)))
        elif option == "--restore":
            orders.restores.append((options.pop(0), options.pop(0)))
        elif option == "--remove":
            orders.removals.append(options.pop(0))
        elif option == "--note-pid":
            orders.pid_note = options.pop(0)
        else:
            raise SystemExit(f"guard: unknown option {option}")
    if not command:
        raise SystemExit("guard: no command")
    return orders


def _children(pid: int) -> list[int]:
    """The live child processes of `pid` (Linux's /proc; empty where there is none)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    pending, found = _children(pid), []
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(_children(child))
    return found


def _reap() -> bool:
    """Collect every child that has ended; False once there are no children at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def _kill_everything(command: int) -> None:
    """SIGKILL the command (when it has started) and all the guard's descendants, until none is
    left: a child the command had not yet reaped becomes the guard's, and is killed next round."""
    if command > 0:
        with contextlib.suppress(OSError):
            os.kill(command, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for pid in _descendants(os.getpid()):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if not _reap():
            return
        time.sleep(0.005)


def _put_back(orders: Orders) -> None:
    """The files the command was changing, as they were before it started (a folder it was
    making, removed)."""
    for target, backup in orders.restores:
        with contextlib.suppress(OSError):
            os.replace(backup, target)
    for target in orders.removals:
        if os.path.isdir(target) and not os.path.islink(target):
            import shutil  # only now: the guard's start-up stays short

            # Another guard may be stopping a command that writes in the folder at this moment:
            # what it wrote while the tree was removed goes in a later round.
            deadline = time.monotonic() + 2
            while os.path.lexists(target) and time.monotonic() < deadline:
                shutil.rmtree(target, ignore_errors=True)
                time.sleep(0.05)
            shutil.rmtree(target, ignore_errors=True)
            continue
        with contextlib.suppress(OSError):
            os.unlink(target)


def _watch_parent(orders: Orders, on_death: object) -> None:
    signal.signal(_PARENT_DIED, on_death)  # type: ignore[arg-type]
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        libc.prctl(_PR_SET_PDEATHSIG, int(_PARENT_DIED), 0, 0, 0)
    else:
        signal.signal(signal.SIGALRM, lambda *_: os.getppid() != orders.parent and os.kill(os.getpid(), _PARENT_DIED))
        signal.setitimer(signal.ITIMER_REAL, _POLL_SECONDS, _POLL_SECONDS)
    if os.getppid() != orders.parent:  # it died before the kernel was asked to tell us
        os.kill(os.getpid(), _PARENT_DIED)


def main(argv: list[str]) -> int:
    orders = parse(argv)
    for descriptor in orders.held:
        # The guard holds the work lock; a command that leaves a daemon behind must not.
        os.set_inheritable(descriptor, False)
    if orders.pid_note:
        with open(orders.pid_note, "a", encoding="ascii") as note:
            note.write(f"{os.getpid()}\n")
    command = -1

    def parent_died(*_: object) -> None:
        # Once: a second word of the death (the kernel's signal after the command's end was seen)
        # must not interrupt the undo halfway.
        signal.pthread_sigmask(signal.SIG_BLOCK, {_PARENT_DIED, signal.SIGALRM, *_PASSED_ON})
        _kill_everything(command)
        _put_back(orders)
        if not sys.platform.startswith("linux"):
            # Without /proc the guard cannot find the command's descendants; its group holds them.
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os._exit(_EXIT_PARENT_DIED)

    # A signal meant for the command (./mono signals the whole group: guard and command) is the
    # command's to act on; the guard waits for it to end. Handlers, unlike SIG_IGN, are not
    # inherited, so the command gets the default dispositions.
    for number in _PASSED_ON:
        signal.signal(number, lambda *_: None)
    _watch_parent(orders, parent_died)
    try:
        command = os.posix_spawnp(orders.command[0], orders.command, os.environ)
    except OSError as error:
        print(f"guard: cannot run {orders.command[0]}: {error.strerror}", file=sys.stderr)
        return _EXIT_CANNOT_START
    status = _wait_for(command)
    if os.getppid() != orders.parent:
        parent_died()  # the command ended because ./mono died (its pipe broke): the same undo
    return _end_as(status)


def _wait_for(command: int) -> int:
    """The wait status of `command`; reaps what it left to us (its subreaper) meanwhile."""
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == command:
            return status


def _end_as(status: int) -> int:
    """The guard's exit code for the command's wait status (or its death by the same signal)."""
    if os.WIFSIGNALED(status):
        ended_by = os.WTERMSIG(status)
        signal.signal(ended_by, signal.SIG_DFL)
        os.kill(os.getpid(), ended_by)  # end as the command did, so the caller sees its signal
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
