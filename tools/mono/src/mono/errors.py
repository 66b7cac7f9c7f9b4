"""The one error family of the tool: each error builds its own message and knows its exit code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class MonoError(Exception):
    """Base of every error the tool reports to a user; never shown as a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(MonoError):
    """A `[tool.mono]` setting is unknown or has the wrong type."""


class InvalidPyproject(MonoError):
    """A pyproject.toml cannot be parsed or lacks what a project needs."""

    def __init__(self, path: Path | str, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {problem}", hint)
        self.path = str(path)


class MissingPathDependency(MonoError):
    """A path dependency points at a folder that does not exist."""

    def __init__(self, pyproject: str, name: str, target: str) -> None:
        super().__init__(
            f"{pyproject}: path dependency '{name}' points at '{target}', which does not exist",
            "fix the path in [tool.poetry.dependencies] or create the project",
        )


class DuplicateProject(MonoError):
    """Two projects share one name."""

    def __init__(self, name: str, first: str, second: str) -> None:
        super().__init__(f"two projects are named '{name}': {first} and {second}", "rename one of them")


class DependencyCycle(MonoError):
    """Internal projects depend on each other in a circle."""

    def __init__(self, cycle: list[str], refused: str | None = None) -> None:
        # `refused`: a change that would make the cycle, which was not made (no hint needed).
        if refused:
            super().__init__(f"{refused} would make a cycle: {' -> '.join(cycle)}")
        else:
            super().__init__(f"dependency cycle: {' -> '.join(cycle)}", "remove one of these path dependencies")
        self.cycle = cycle


class ProjectNotFound(MonoError):
    """A selection names a project that does not exist; the hint names the closest one."""

    def __init__(self, wanted: str, known: Iterable[str], where: str = "") -> None:
        match = difflib.get_close_matches(wanted, list(known), n=1)
        hint = f"did you mean '{match[0]}'?" if match else "run './mono list' to see the projects"
        # `where`: the option that named it (--to, --lib), which the message then starts with.
        super().__init__(
            f"{where} {wanted!r}: no such project" if where else f"no project named or at '{wanted}'", hint
        )


class MissingLock(MonoError):
    """A project has no poetry.lock; the tool makes one only when asked (`./mono lock`)."""

    def __init__(self, project: str, path: str) -> None:
        where = "poetry.lock" if path == "." else f"{path}/poetry.lock"
        super().__init__(f"{project} has no poetry.lock ({where})", f"run ./mono lock {project} first")


class NoMatchingPython(MonoError):
    """No Python on this machine fits a project's requires-python."""

    def __init__(self, project: str, constraint: str, found: Iterable[str]) -> None:
        seen = ", ".join(found) or "none"
        super().__init__(
            f"{project} needs Python {constraint!r} (requires-python), and no Python here fits (found: {seen})",
            "install one (pyenv install, uv python install, or your system's packages) and run this again",
        )


class WrongKind(MonoError):
    """A command was asked to act on a project of a kind it does not handle."""


class NoEngine(MonoError):
    """No Docker client, or no engine answering it."""


class IndexUnreachable(MonoError):
    """A package index did not answer (network, HTTP error): the work failed, the input may be fine."""

    exit_code = EXIT_FAILED


class RuffFailed(MonoError):
    """Ruff itself failed (a broken [tool.ruff] table, say), rather than finding problems."""

    def __init__(self, output: str, returncode: int) -> None:
        # Ruff says what failed in "Cause:" lines; its quoted TOML snippets ("1 | ...") add nothing here.
        said = [line.strip() for line in output.splitlines() if line.strip() and "|" not in line]
        detail = " ".join(said) or f"exit status {returncode}"
        super().__init__(
            detail if detail.startswith("ruff failed") else f"ruff failed: {detail}",
            "check the [tool.ruff] tables of the root pyproject.toml and the projects'",
        )


class GitError(MonoError):
    """Git is missing, the folder is not a repository, or a ref does not exist."""


class StateLinksOut(MonoError):
    """Something under .mono/ is a symlink out of it: writing state there would write elsewhere."""

    def __init__(self, link: Path, target: Path) -> None:
        super().__init__(
            f"{link} is a symlink to {target}, outside the tool's state folder",
            "the tool writes only under .mono/; remove the link (its state is rebuilt)",
        )


class ReadOnlyRepository(MonoError):
    """A command that writes (under .mono/, a lock, a venv) was run on a repository it cannot write."""

    def __init__(self, root: Path, command: str, reason: str, written: str) -> None:
        super().__init__(
            f"the repository at {root} is read-only ({reason}: {written}), and 'mono {command}' writes to it",
            "list, graph, affected, check and lock --check work here; run the others in a writable clone",
        )
        self.root = root


class NoLogFolder(MonoError):
    """A read-only command found no folder it may write its logs to."""

    def __init__(self, tried: Iterable[Path]) -> None:
        super().__init__(
            f"no folder to keep the logs in: {' and '.join(str(path) for path in tried)} cannot be written",
            "set XDG_CACHE_HOME (or TMPDIR) to a writable folder",
        )


class CommandFailed(MonoError):
    """A subprocess exited non-zero; carries the tail of its output."""

    exit_code = EXIT_FAILED

    def __init__(self, command: list[str], returncode: int, tail: str, log: Path | None = None) -> None:
        where = f" (log: {log})" if log else ""
        super().__init__(f"'{' '.join(command)}' exited with {returncode}{where}")
        self.command = command
        self.returncode = returncode
        self.tail = tail
        self.log = log


class WorkFailed(MonoError):
    """A step of a command failed (not bad input): exit 1, with what it printed."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, tail: str = "", log: Path | None = None) -> None:
        super().__init__(message + (f" (log: {log})" if log else ""))
        self.tail = tail


class Interrupted(MonoError):
    """The user pressed Ctrl-C."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("interrupted")
