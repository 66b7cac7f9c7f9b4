"""Build fake monorepos from data, run the CLI against them, and start programs that a test
runs in the background (servers, commands to interrupt) so that none outlives the test run."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = next(folder for folder in Path(__file__).resolve().parents if (folder / "mono").is_file())
LAUNCHER = REPO_ROOT / "mono"
# Projects the tests copy into the repositories they build (the tool's own copies, never the
# repository's example projects, which a team may change or delete).
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (repo-relative path -> text, dedented) under `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return its output (raises on failure)."""
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def build_repo(root: Path, files: Mapping[str, str], commit: bool = True) -> Path:
    """A git repository at `root` holding `files`, committed on branch main."""
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "tests@example.invalid")
    git(root, "config", "user.name", "tests")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def pep621(name: str, deps: Mapping[str, str] | None = None, extra: str = "") -> str:
    """A Poetry 2 pyproject.toml; `deps` maps internal names to their path."""
    deps = deps or {}
    listed = ", ".join(f'"{dep}"' for dep in deps)
    paths = "\n".join(f'{dep} = {{ path = "{path}", develop = true }}' for dep, path in deps.items())
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{listed}]\n\n[tool.poetry.dependencies]\n{paths}\n{extra}"
    )


def poetry1(name: str, deps: Mapping[str, str] | None = None, extra: str = "") -> str:
    """A Poetry 1 pyproject.toml (everything under [tool.poetry]); path deps without develop."""
    deps = deps or {}
    paths = "\n".join(f'{dep} = {{ path = "{path}" }}' for dep, path in deps.items())
    return (
        f'[tool.poetry]\nname = "{name}"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n\n'
        f'[tool.poetry.dependencies]\npython = "^3.11"\n{paths}\n{extra}'
    )


def layered_repo() -> dict[str, str]:
    """lib core <- lib util <- app web, eda study; a lone lib; a tools project."""
    return {
        "pyproject.toml": "[tool.mono]\n",
        "lib/core/pyproject.toml": pep621("core"),
        "lib/core/core/__init__.py": "",
        "lib/util/pyproject.toml": pep621("util", {"core": "../core"}),
        "lib/util/util/__init__.py": "",
        "lib/lonely/pyproject.toml": pep621("lonely"),
        "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
        "app/shop/web/app.py": "print('hi')\n",
        "eda/shop/study/pyproject.toml": poetry1("study", {"core": "../../../lib/core"}),
        "tools/helper/pyproject.toml": pep621("helper"),
        "README.md": "# test repo\n",
    }


def tree_listing(root: Path) -> set[str]:
    """Every file and folder under `root` (git's own folder left out)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.relative_to(root).parts}


# --- programs in the background ------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1  # <sys/prctl.h>
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
_started: dict[subprocess.Popen[Any], bool] = {}  # each running one: has it a group of its own?


def processes_marked(variable: str, value: str) -> list[str]:
    """Command lines of the live processes (not this one) whose environment sets `variable` to
    `value`: every process a run started inherits the mark, so none escapes the count."""
    mark = f"{variable}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # gone meanwhile, or a zombie
    return found


def dies_with_this_process(number: int = signal.SIGTERM, ignore_sigint: bool = False) -> Callable[[], None]:
    """A `preexec_fn`: the child gets signal `number` when this process dies, even by SIGKILL
    (Linux's parent-death signal; elsewhere nothing). It survives exec, so the program itself
    gets it; SIGTERM lets ./mono stop what it started. Only a process started from a thread
    that lives as long as the test run may use it: the signal comes when that thread ends."""
    parent = os.getpid()

    def prepare() -> None:
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, number, 0, 0, 0)
            if os.getppid() != parent:  # this process died before the call
                os._exit(1)

    return prepare


def start_process(
    argv: Sequence[str], *, own_group: bool = False, ignore_sigint: bool = False, **options: Any
) -> subprocess.Popen[Any]:
    """Start a program a test runs in the background, stopped when the test run ends however it
    ends: by the fixture's `stop_process`; on Ctrl-C and SIGTERM of pytest by the session's end
    (tests/integration/conftest.py); on SIGKILL of pytest by the parent-death signal.

    Without `own_group` it stays in pytest's process group, where a terminal's Ctrl-C and the
    group signals of `./mono test` reach it too. `own_group` is for a test that signals the
    program's group itself, as a terminal would (stdin is /dev/null then, so it never waits on
    the terminal). `ignore_sigint` starts it as `PROGRAM &` in a script would."""
    options.setdefault("stdin", subprocess.DEVNULL)
    process: subprocess.Popen[Any] = subprocess.Popen(
        list(argv),
        process_group=0 if own_group else None,
        preexec_fn=dies_with_this_process(ignore_sigint=ignore_sigint),
        **options,
    )
    _started[process] = own_group
    return process


def _signal(process: subprocess.Popen[Any], number: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:  # what it started stops with it
            os.killpg(process.pid, number)
        elif process.poll() is None:
            process.send_signal(number)


def stop_process(process: subprocess.Popen[Any], number: int = signal.SIGTERM, timeout: float = 20) -> None:
    """If it still runs: send `number` (to its group, when it has one), wait up to `timeout` s,
    then SIGKILL, and SIGKILL what it left in its group. One that ended is left as it is, so a
    test can still see what it left behind."""
    group = _started.pop(process, False)
    if process.poll() is not None:
        return
    _signal(process, number, group)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal(process, signal.SIGKILL, group)
        process.wait(timeout=10)
    if group:
        _signal(process, signal.SIGKILL, group)


def stop_started_processes() -> None:
    """Stop every program `start_process` started that is still running (at the end of a run)."""
    for process in list(_started):
        stop_process(process, timeout=5)
