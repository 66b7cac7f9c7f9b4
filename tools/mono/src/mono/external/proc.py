"""The one way this tool starts a subprocess: logged, checked, and stoppable on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from mono.errors import CommandFailed, Interrupted, MonoError

TAIL_LINES = 20

Popen = subprocess.Popen[bytes]
Stderr = Literal["merged", "discarded"]

_running: set[Popen] = set()
_running_lock = threading.Lock()
# Every command is started by this standalone script, which stops it (and all it started) when
# this process dies, even by SIGKILL; see its docstring.
_GUARD = Path(__file__).with_name("guard.py")
# Descriptors (the work lock) that each guard holds until its command and all it started end.
_held: list[int] = []
# Set by stop_all: after Ctrl-C no new command may start, even from a worker mid-task.
_stopping = threading.Event()


@dataclass(frozen=True)
class Completed:
    """A finished command: its exit status and what it printed (stdout and stderr together)."""

    command: tuple[str, ...]
    returncode: int
    output: str

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last `lines` lines of the output."""
        return tail_of(self.output, lines)


# Lines that say what went wrong, in the words of Poetry, uv, pip and pytest. They are often
# followed by pages of advice or a traceback, which would push them out of a plain tail.
_CAUSE = re.compile(r"^\s*(error:|Error:|cause:|Because |So, because |ERROR |No file/folder found)")
_CAUSES_SHOWN = 5


# `user:password@host`, with a scheme or without (Poetry's "All attempts to connect to ...").
# An image reference with a digest (`python:3.12@sha256:...`) looks the same and is left alone.
_USER_INFO = re.compile(r"(?P<user>[\w.%+~-]+):(?P<secret>[^\s/@:]+)@(?=[\w.-])(?!sha\d+:)")
# Variables whose values are secrets wherever they appear (POETRY_HTTP_BASIC_X_PASSWORD, ...).
_SECRET_VARIABLE = re.compile(r"(PASSWORD|TOKEN|SECRET|API_KEY)$|^POETRY_HTTP_BASIC_", re.IGNORECASE)
_SHORTEST_SECRET = 4  # shorter values would blank out ordinary words


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with the passwords of URLs and the values of secret variables (of `env`, else of
    this process) replaced by ***: every line that reaches the terminal, a summary or a log."""
    return _redactor(env)(text)


def _redactor(env: Mapping[str, str] | None) -> Callable[[str], str]:
    """`redact` for one environment, its secrets looked up once (a command's output is redacted
    line by line as it arrives)."""
    variables = os.environ if env is None else env
    secrets = {value for name, value in variables.items() if _SECRET_VARIABLE.search(name)}
    longest_first = sorted((value for value in secrets if len(value) >= _SHORTEST_SECRET), key=len, reverse=True)

    def hide(text: str) -> str:
        for value in longest_first:
            text = text.replace(value, "***")
        return _USER_INFO.sub(lambda match: f"{match.group('user')}:***@", text)

    return hide


def tail_of(text: str, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of `text`, a line that repeats the one before it (blank lines
    between aside) shown once, and after the lines that name the cause when the tail alone
    would leave them out."""
    kept: list[str] = []
    last_said = ""
    for line in text.rstrip().splitlines():
        if line.strip() and line == last_said:
            continue  # Poetry repeats its advice once per package, with blank lines between
        kept.append(line)
        last_said = line if line.strip() else last_said
    tail = kept[-lines:]
    causes = [line for line in kept[: len(kept) - len(tail)] if _CAUSE.match(line)][:_CAUSES_SHOWN]
    return "\n".join([*causes, "...", *tail] if causes else tail)


def run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    check: bool = True,
    stderr: Stderr = "merged",
    timeout: float | None = None,
    undo_if_killed: Mapping[Path, Path | None] | None = None,
    on_line: Callable[[str], None] | None = None,
) -> Completed:
    """Run `command` in `cwd`; its output goes to `log` (appended) and is returned.

    With `check`, a non-zero exit raises CommandFailed carrying the tail of the output. With
    `stderr="discarded"` only stdout is kept (for commands whose answer is their stdout). A
    command still running after `timeout` seconds is stopped and raises MonoError. Should this
    process die while the command runs, the command is stopped and each file of `undo_if_killed`
    is put back from its copy (or removed, for None) before the work lock comes free. `on_line`
    gets each line of output (redacted) as it arrives, for a command that reports as it goes.
    """
    argv = [str(part) for part in command]
    if _stopping.is_set():
        raise Interrupted()
    _check_runnable(argv[0], cwd, env)
    guarded = [*_guard_argv(undo_if_killed or {}), *argv]
    if log is not None:
        _log_command(log, cwd, argv)
    process = _start(guarded, cwd, env, stderr)
    output = _collect(process, log, timeout, argv, env, on_line)
    if log is not None and process.returncode:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"[exit status {process.returncode}]\n")
    result = Completed(tuple(argv), process.returncode, output)
    if check and process.returncode != 0:
        raise CommandFailed(argv, process.returncode, result.tail(), log)
    return result


def _log_command(log: Path, cwd: Path, argv: list[str]) -> None:
    """Write the command line to the log (only its owner may read it)."""
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8") as handle:
        handle.write(redact(f"$ (cd {cwd} && {shlex.join(argv)})\n"))


@contextlib.contextmanager
def held_by_children(descriptor: int) -> Iterator[None]:
    """While the block runs, every command's guard holds `descriptor` (the work lock's) until that
    command and everything it started have ended, so the lock outlives an ./mono killed mid-work
    exactly as long as its work goes on."""
    _held.append(descriptor)
    try:
        yield
    finally:
        _held.remove(descriptor)


@contextlib.contextmanager
def undone_if_killed(undo: Mapping[Path, Path | None]) -> Iterator[None]:
    """While the block runs, a guard waits beside this process: should it die (even by SIGKILL,
    between two commands or in the middle of its own Python code), the guard puts back each file
    of `undo` from its copy, or removes it (for None; a folder with what is in it), as `run`'s
    guards do for one command. After the block the guard ends and touches nothing."""
    # Waits until stopped. Not until its stdin closes: that happens as this process dies, and the
    # guard could see its command end before the kernel's word that its parent died.
    waiting = [sys.executable, "-I", "-S", "-c", "import time; time.sleep(2**30)"]
    watcher = subprocess.Popen(
        [*_guard_argv(undo), *waiting],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,  # a terminal's Ctrl-C is ours to handle, not the watcher's
        pass_fds=tuple(_held),
    )
    try:
        yield
    finally:
        _signal_group(watcher, signal.SIGTERM)  # the command ends; its guard, seeing that, too
        watcher.wait()


def _guard_argv(undo_if_killed: Mapping[Path, Path | None]) -> list[str]:
    guard = [sys.executable, "-I", "-S", str(_GUARD), str(os.getpid())]
    for descriptor in _held:
        guard += ["--hold", str(descriptor)]
    for target, backup in undo_if_killed.items():
        guard += ["--restore", str(target), str(backup)] if backup is not None else ["--remove", str(target)]
    return [*guard, "--"]


def _check_runnable(program: str, cwd: Path, env: Mapping[str, str] | None) -> None:
    """The guard would only say so in its exit status; a missing program is a clear error here."""
    search_path = (env if env is not None else os.environ).get("PATH", os.defpath)
    found = os.access(cwd / program, os.X_OK) if os.sep in program else shutil.which(program, path=search_path)
    if not found:
        raise MonoError(f"cannot run '{program}': not found", "is it installed and on PATH?")


def _start(argv: list[str], cwd: Path, env: Mapping[str, str] | None, stderr: Stderr) -> Popen:
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if stderr == "merged" else subprocess.DEVNULL,
            # A terminal's Ctrl-C reaches ./mono, which stops the whole group of each command
            # (its guard, the command, and the helpers the command starts).
            process_group=0,
            pass_fds=tuple(_held),
        )
    except FileNotFoundError as error:
        raise MonoError(f"cannot run '{argv[0]}': not found", "is it installed and on PATH?") from error
    with _running_lock:
        _running.add(process)
        if _stopping.is_set():  # stop_all ran while this one was starting
            process.terminate()
    return process


def _collect(
    process: Popen,
    log: Path | None,
    timeout: float | None,
    argv: list[str],
    env: Mapping[str, str] | None,
    on_line: Callable[[str], None] | None = None,
) -> str:
    """The command's output, redacted line by line as it arrives and so written to `log`: no
    secret is in a log even for a moment, nor after ./mono is killed mid-command."""
    hide = _redactor(env)
    said: list[str] = []
    assert process.stdout is not None  # started with stdout=PIPE
    try:
        # Line-buffered: a user who follows the log sees each line as it comes.
        with (
            log.open("a", encoding="utf-8", buffering=1) if log is not None else _no_file() as sink,
            _deadline(process, timeout) as expired,
        ):
            for raw in iter(process.stdout.readline, b""):
                line = hide(raw.decode("utf-8", errors="replace"))
                said.append(line)
                if sink is not None:
                    sink.write(line)
                if on_line is not None:
                    on_line(line)
            process.wait()
    except BaseException:  # Ctrl-C in this thread: the command must not outlive us
        _stop(process)
        raise
    finally:
        process.stdout.close()
        with _running_lock:
            _running.discard(process)
    if expired.is_set():
        raise MonoError(f"'{shlex.join(argv)}' did not finish within {timeout:g} s")
    return "".join(said)


@contextlib.contextmanager
def _deadline(process: Popen, timeout: float | None) -> Iterator[threading.Event]:
    """Within the block, `process` is stopped once `timeout` seconds have passed (the event
    says whether it was)."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _stop(process)

    timer = threading.Timer(timeout, expire) if timeout is not None else None
    if timer is not None:
        timer.start()
    try:
        yield expired
    finally:
        if timer is not None:
            timer.cancel()


@contextlib.contextmanager
def _no_file() -> Iterator[IO[str] | None]:
    yield None


def _signal_group(process: Popen, number: int) -> None:
    # Each command runs in its own process group, so its helpers (Poetry starts Pythons of its
    # own, pytest its workers) stop with it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)


def _stop_all_of(processes: list[Popen]) -> None:
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        _signal_group(process, signal.SIGKILL)  # what the command left behind in its group


def _stop(process: Popen) -> None:
    _stop_all_of([process])


def stop_all() -> None:
    """Terminate every command still running (after Ctrl-C), with whatever it started, then kill
    what does not stop. From then on no new command starts in this process."""
    with _running_lock:
        _stopping.set()
        processes = list(_running)
    _stop_all_of(processes)


def reset_stop() -> None:
    """Allow commands again (a new CLI invocation in the same process, e.g. in tests)."""
    _stopping.clear()


def tool_executable(name: str) -> str:
    """A program installed with this tool (beside its Python: .mono/venv, or the venv pipx or
    `uv tool` made for it), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise MonoError(f"{name} is not installed", _install_hint(name))
    return found


def _install_hint(name: str) -> str:
    """How to get `name` back: the launcher (it sets MONO_ROOT) reinstalls .mono/venv when that is
    removed; an installed tool brings its programs with it, so reinstalling it does."""
    if os.environ.get("MONO_ROOT"):
        return "remove .mono/venv and run ./mono again: it reinstalls the tool with its programs"
    return f"it comes with mono: reinstall mono (pipx reinstall mono), or put {name} on PATH"


def replace_process(argv: Sequence[str], cwd: Path, env: Mapping[str, str]) -> None:
    """Become `argv` (exec): signals and Ctrl-C then reach the program directly. Never returns."""
    os.chdir(cwd)
    # A shell that starts us in the background ignores SIGINT, and exec keeps that; the program
    # must stop on Ctrl-C / kill -INT, so hand it the default dispositions.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.execve(argv[0], list(argv), dict(env))


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment with `overrides`, minus variables that would leak a venv."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONHOME"}}
    env.update(overrides)
    return env
