"""Ruff over the selected folders: one `ruff check` and one `ruff format` for all of them.

One configuration serves the whole repository: the root pyproject.toml's [tool.ruff]. Ruff
applies to each file the closest pyproject.toml that has a [tool.ruff] table, so a project
inherits the root's unless it declares its own (which can `extend` the root's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.errors import RuffFailed
from mono.external.ruff import ruff

# Ruff's exit status: 0 clean, 1 problems found, 2 ruff itself failed (bad configuration, bad
# arguments). `ruff format` also exits 2 on a file it cannot parse, which `ruff check` reports.
_RUFF_FAILED = 2


@dataclass(frozen=True)
class Step:
    """One ruff run: what it checked and what it printed."""

    kind: Literal["lint", "format"]
    command: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        """True when ruff found nothing left to fix."""
        return self.returncode == 0


@dataclass(frozen=True)
class LintResult:
    """What `mono lint` found: the folders it covered and the lint and format runs."""

    paths: tuple[str, ...]  # repo-relative, forward slashes; '.' for the whole repository
    fix: bool
    lint: Step | None  # None when there was nothing to lint
    format: Step | None

    @property
    def ok(self) -> bool:
        """True when both runs came back clean (or there was nothing to lint)."""
        return all(step.ok for step in self.steps)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The runs whose outcome counts, lint first."""
        return tuple(step for step in (self.lint, self.format) if step is not None)


def lint_paths(folders: Iterable[str]) -> tuple[str, ...]:
    """The folders to hand to ruff: sorted, each once, none inside another one."""
    kept: list[str] = []
    for folder in sorted(set(folders), key=lambda path: (path.count("/"), path)):
        if folder == ".":
            return (".",)
        if not any(folder.startswith(parent + "/") for parent in kept):
            kept.append(folder)
    return tuple(sorted(kept))


def lint(root: Path, folders: Iterable[str], fix: bool = False) -> LintResult:
    """Lint and format-check `folders` (repo-relative) with ruff; with `fix`, fix what ruff can."""
    paths = lint_paths(folders)
    if not paths:
        return LintResult(paths=(), fix=fix, lint=None, format=None)
    if not fix:
        checked = _ruff(root, "lint", ["check", "--output-format=concise"], paths)
        return LintResult(paths, fix, checked, _ruff(root, "format", ["format", "--check"], paths))
    checked = _ruff(root, "lint", ["check", "--fix", "--output-format=concise"], paths)
    formatted = _ruff(root, "format", ["format"], paths)
    if not checked.ok:
        # Formatting can settle what `check --fix` left (long lines): report what remains now.
        checked = _ruff(root, "lint", ["check", "--output-format=concise"], paths)
    return LintResult(paths, fix, checked, formatted)


def _ruff(root: Path, kind: Literal["lint", "format"], args: Sequence[str], paths: Sequence[str]) -> Step:
    completed = ruff(args, paths, root)
    if kind == "lint" and completed.returncode >= _RUFF_FAILED:
        raise RuffFailed(completed.output, completed.returncode)
    return Step(kind, completed.command, completed.returncode, completed.output)
