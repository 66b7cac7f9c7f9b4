"""`mono new`: a project from the repository's templates, locked, installed and tested.

The templates are tools/templates/KIND, rendered with copier from the repository root (where
copier.yml is), so `copier update` in the project folder can roll later template changes in;
the answers go to the project's .copier-answers.yml with the template's path made relative.

Nothing is overwritten and a failure leaves nothing behind: the project is rendered and locked
in a hidden staging folder beside its final place (the same depth, so relative path
dependencies resolve), moved into place, then installed, tested and, for an app or a model,
built; if any step fails or is interrupted, the folder (and any parent folder this created)
is removed again.
"""

from __future__ import annotations

import contextlib
import keyword
import os
import re
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError
from mono.graph import Graph
from mono.poetry import poetry
from mono.proc import run, tool_executable
from mono.state import state_dir
from mono.workspace import Workspace, normalize_name

KINDS_WITH_PROGRAM = ("app", "eda", "eng", "model")
NEW_KINDS = (*KINDS_WITH_PROGRAM, "lib")
_PEP508_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class Plan:
    """A validated request for a new project."""

    kind: str
    name: str  # normalised
    package: str  # importable
    program: str  # "" for a library
    path: str  # repo-relative folder
    libs: tuple[str, ...]  # every internal library it gets, the closure of --lib

    def answers(self, workspace: Workspace) -> dict[str, object]:
        """The template answers."""
        folder = workspace.root / self.path
        libs = [
            {
                "name": name,
                "package": package_name(name),
                "path": Path(os.path.relpath(workspace.projects[name].directory(workspace.root), folder)).as_posix(),
            }
            for name in self.libs
        ]
        return {"kind": self.kind, "name": self.name, "package": self.package, "program": self.program, "libs": libs}


def kind_folder(workspace: Workspace, kind: str) -> str:
    """The top-level folder projects of `kind` live in (from the `kinds` setting)."""
    return next((folder for folder, mapped in workspace.config.kinds.items() if mapped == kind), kind)


def package_name(name: str) -> str:
    """The import name of a project's package: its normalised name with '_' for '-' and '.'."""
    return re.sub(r"[-.]", "_", normalize_name(name))


def _checked_name(value: str, what: str) -> str:
    if not _PEP508_NAME.fullmatch(value):
        raise MonoError(
            f"{what} {value!r} is not a valid name",
            "letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
        )
    return normalize_name(value)


def plan(workspace: Workspace, graph: Graph, kind: str, target: str, libs: Sequence[str]) -> Plan:
    """Validate `mono new KIND TARGET --lib ...`; every problem is one line (MonoError, exit 2)."""
    if kind not in NEW_KINDS:
        raise MonoError(f"unknown kind {kind!r}", f"use one of {', '.join(NEW_KINDS)}")
    parts = target.split("/")
    if kind in KINDS_WITH_PROGRAM:
        if len(parts) != 2:
            raise MonoError(
                f"a new {kind} is named PROGRAM/NAME, not {target!r}", f"e.g. ./mono new {kind} demo/my-{kind}"
            )
        program, name = _checked_name(parts[0], "program"), _checked_name(parts[1], "name")
        path = f"{kind_folder(workspace, kind)}/{program}/{name}"
    else:
        if len(parts) != 1:
            raise MonoError(f"a new library is named NAME, not {target!r}", "e.g. ./mono new lib my-lib")
        program, name = "", _checked_name(parts[0], "name")
        path = f"{kind_folder(workspace, kind)}/{name}"
    package = package_name(name)
    if not package.isidentifier() or keyword.iskeyword(package):
        raise MonoError(f"{name!r} does not give an importable package name ({package!r})", "start with a letter")
    if name in workspace.projects:
        raise MonoError(
            f"a project named {name!r} exists already: {workspace.projects[name].path}", "pick another name"
        )
    if (workspace.root / path).exists():
        raise MonoError(f"{path} exists already", "nothing is ever overwritten; pick another name")
    wanted = []
    for lib in libs:
        found = workspace.projects.get(normalize_name(lib))
        if found is None:
            raise MonoError(f"--lib {lib!r}: no such project", "run './mono list' to see the libraries")
        if found.kind != "lib":
            raise MonoError(f"--lib {lib!r}: {found.name} is of kind {found.kind}, not a library")
        wanted.append(found.name)
    # Every library reached through another is declared too: Poetry 2 does not follow a
    # library's own path dependencies (python-poetry/poetry#10178; docs/layout.md).
    closure = tuple(sorted(graph.with_dependencies(wanted))) if wanted else ()
    return Plan(kind, name, package, program, path, closure)


def _render(workspace: Workspace, request: Plan, staging: Path, log: Path) -> None:
    from copier import run_copy  # slow to import; only `new` needs it

    # copier prints notes ("No git tags found in template") and warns that a dirty template is
    # used as it is: both go to the log, not to the user.
    with log.open("a", encoding="utf-8") as sink, contextlib.redirect_stderr(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_copy(
            str(workspace.root),
            str(staging),
            data=request.answers(workspace),
            defaults=True,
            overwrite=False,
            quiet=True,
            unsafe=False,
        )
    # The repository's own lint settings decide import order and layout, so a new project
    # passes `./mono lint` whatever the template's whitespace.
    ruff = tool_executable("ruff")
    run(
        [ruff, "check", "--no-cache", "--fix", "--select", "I", "--quiet", str(staging)],
        cwd=workspace.root,
        log=log,
        check=False,
    )
    run([ruff, "format", "--no-cache", "--quiet", str(staging)], cwd=workspace.root, log=log)
    answers = staging / ".copier-answers.yml"
    relative = Path(os.path.relpath(workspace.root, workspace.root / request.path)).as_posix()
    text = re.sub(r"(?m)^_src_path: .*$", f"_src_path: {relative}", answers.read_text(encoding="utf-8"))
    answers.write_text(text, encoding="utf-8")


Step = Callable[[str], None]


def create(workspace: Workspace, request: Plan, log: Path, after_move: Callable[[], None], say: Step) -> Path:
    """Render, lock, move into place, then `after_move` (install, test, build); undo on failure."""
    final = workspace.root / request.path
    created_parents = [folder for folder in reversed(final.parents) if not folder.exists()]
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.mono-new-{os.getpid()}"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    moved = False
    try:
        _render(workspace, request, staging, log)
        say(f"rendered tools/templates/{request.kind} for {request.path}")
        poetry(["lock"], workspace.root, staging, log)
        say("locked")
        staging.rename(final)
        moved = True
        after_move()
    except BaseException:
        shutil.rmtree(final if moved else staging, ignore_errors=True)
        for folder in reversed(created_parents):
            shutil.rmtree(folder, ignore_errors=True)
        for record in ("installed", "tested", "locked"):
            (state_dir(workspace.root) / record / request.name).unlink(missing_ok=True)
        raise
    return final
