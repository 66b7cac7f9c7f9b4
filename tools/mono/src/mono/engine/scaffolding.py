"""`mono new`: a project from the repository's templates, locked, installed and tested.

The templates are tools/templates/KIND, rendered with copier from the repository root (where
copier.yml is), so `./mono update-template` (`copier update` in the project folder) can roll
later template changes in; the answers go to the project's .copier-answers.yml with the
template's path made relative and, as `_commit`, HEAD: templates that HEAD holds as they are
are rendered from HEAD itself, uncommitted template changes from the work tree (and said so).

Nothing is overwritten and a failure leaves nothing behind: the project is rendered and locked
in a hidden staging folder beside its final place (the same depth, so relative path
dependencies resolve), moved into place, marked for git (`git add -N`: tracked, since only
tracked files go into images and packages, yet not staged), then installed, tested and, for an
app or a model, built; if any step fails or is interrupted, the folder (and any parent folder
this created) is removed again, and its files leave git's index.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import keyword
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError, ProjectNotFound, WrongKind
from mono.external.copier import TemplateState, render, template_state
from mono.external.git import forget_intent, intend_to_add
from mono.external.logs import start_log
from mono.external.poetry import poetry
from mono.external.proc import undone_if_killed
from mono.external.ruff import tidy
from mono.model.graph import Graph
from mono.model.kinds import Kind, check_kind, kinds_where, rules
from mono.model.names import is_valid_name, normalize_name, package_name
from mono.model.project import Workspace
from mono.repo.files import paths_inside
from mono.repo.state import forget
from mono.repo.template_answers import ANSWERS_FILE, template_paths, with_answer

logger = logging.getLogger("mono")

# The kinds `new` makes, in the order its help lists them.
NEW_KINDS: tuple[Kind, ...] = kinds_where("scaffolded")


@dataclass(frozen=True)
class Plan:
    """A validated request for a new project."""

    kind: Kind
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


# A name becomes a folder, a log file and an image name: file systems take 255 bytes per name.
_LONGEST_NAME = 100
# Names Windows reserves for devices, in any case and with any extension (a WSL2 user's repo is
# often checked out on the Windows side too).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


def _checked_name(value: str, what: str) -> str:
    if not is_valid_name(value):
        raise MonoError(
            f"{what} {value[:_LONGEST_NAME]!r} is not a valid name",
            "letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
        )
    if len(value) > _LONGEST_NAME:
        raise MonoError(f"{what} '{value[:20]}...' is {len(value)} characters long", f"at most {_LONGEST_NAME}")
    if value.split(".")[0].lower() in _RESERVED:
        raise MonoError(f"{what} {value!r} is a name Windows reserves for a device", "choose another name")
    return normalize_name(value)


def _place(workspace: Workspace, kind: Kind, target: str) -> tuple[str, str, str]:
    """(program, name, repo-relative folder) of a new project of `kind` called `target`; a folder
    that would lie outside the repository (through a symlinked program folder, say) is refused."""
    program, name, relative = _placed(workspace, kind, target)
    if not paths_inside(workspace.root, workspace.root / relative):
        raise MonoError(f"{relative} leads outside the repository (a symlink?)", "new projects are made inside it")
    return program, name, relative


def _placed(workspace: Workspace, kind: Kind, target: str) -> tuple[str, str, str]:
    parts = target.split("/")
    folder = workspace.config.folder_of(kind)
    if rules(kind).has_program:
        if len(parts) != 2:
            raise MonoError(
                f"a new {kind} is named PROGRAM/NAME, not {target!r}", f"e.g. ./mono new {kind} demo/my-{kind}"
            )
        program, name = _checked_name(parts[0], "program"), _checked_name(parts[1], "name")
        return program, name, f"{folder}/{program}/{name}"
    if len(parts) != 1:
        raise MonoError(f"a new library is named NAME, not {target!r}", "e.g. ./mono new lib my-lib")
    name = _checked_name(parts[0], "name")
    return "", name, f"{folder}/{name}"


def _libraries(workspace: Workspace, graph: Graph, libs: Sequence[str]) -> tuple[str, ...]:
    """The named libraries and every library they reach, checked to be libraries."""
    wanted = []
    for lib in libs:
        found = workspace.projects.get(normalize_name(lib))
        if found is None:
            raise ProjectNotFound(lib, workspace.projects, where="--lib")
        if not rules(found.kind).library:
            raise WrongKind(f"--lib {lib!r}: {found.name} is of kind {found.kind}, not a library")
        wanted.append(found.name)
    # Every library reached through another is declared too: Poetry 2 does not follow a
    # library's own path dependencies (python-poetry/poetry#10178; docs/layout.md).
    return tuple(sorted(graph.with_dependencies(wanted))) if wanted else ()


def plan(workspace: Workspace, graph: Graph, kind: str, target: str, libs: Sequence[str]) -> Plan:
    """Validate `mono new KIND TARGET --lib ...`; every problem is one line (MonoError, exit 2)."""
    if kind not in NEW_KINDS:
        raise MonoError(f"unknown kind {kind!r}", f"use one of {', '.join(NEW_KINDS)}")
    checked = check_kind(kind, "new")
    program, name, path = _place(workspace, checked, target)
    package = package_name(name)
    if not package.isidentifier() or keyword.iskeyword(package):
        raise MonoError(f"{name!r} does not give an importable package name ({package!r})", "start with a letter")
    if name in workspace.projects:
        raise MonoError(
            f"a project named {name!r} exists already: {workspace.projects[name].path}", "pick another name"
        )
    if (workspace.root / path).exists():
        raise MonoError(f"{path} exists already", "nothing is ever overwritten; pick another name")
    return Plan(checked, name, package, program, path, _libraries(workspace, graph, libs))


def _render(workspace: Workspace, request: Plan, staging: Path, log: Path) -> None:
    state = template_state(workspace.root, template_paths(request.kind))
    # Templates as HEAD holds them are rendered from HEAD itself, so the commit copier records
    # is one that exists; with uncommitted template changes the work tree is what the user wants.
    exact = state.commit if not state.uncommitted else None
    render(workspace.root, staging, request.answers(workspace), log, vcs_ref=exact)
    # The repository's own lint settings decide import order and layout, so a new project
    # passes `./mono lint` whatever the template's whitespace.
    tidy(staging, workspace.root, log)
    answers = staging / ANSWERS_FILE
    relative = Path(os.path.relpath(workspace.root, workspace.root / request.path)).as_posix()
    text = with_answer(answers.read_text(encoding="utf-8"), "_src_path", relative)
    answers.write_text(with_answer(text, "_commit", state.described), encoding="utf-8")
    _warn_about_template_commit(request, state)


def _warn_about_template_commit(request: Plan, state: TemplateState) -> None:
    """Say when the recorded template commit is not exactly what the project was made from."""
    if state.commit is None:
        logger.warning(
            "%s records no template commit (the repository has no commit yet): after the first commit, "
            "put `_commit: <that commit>` in %s/%s so that ./mono update-template can update it",
            request.name, request.path, ANSWERS_FILE,
        )  # fmt: skip
    elif state.uncommitted:
        more = len(state.uncommitted) - 3
        shown = ", ".join(state.uncommitted[:3]) + (f" and {more} more" if more > 0 else "")
        logger.warning(
            "%s was made from templates with uncommitted changes (%s) but records HEAD (%s) as its "
            "template commit: commit the template changes; ./mono update-template then finds them "
            "already in the project",
            request.name, shown, state.described,
        )  # fmt: skip


Step = Callable[[str], None]


def create(workspace: Workspace, request: Plan, log: Path, after_move: Callable[[], None], say: Step) -> Path:
    """Render, lock, move into place, then `after_move` (install, test, build); undo on failure."""
    final = workspace.root / request.path
    created_parents = [folder for folder in reversed(final.parents) if not folder.exists()]
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(final)
    staging = final.parent / f"{_STAGING_PREFIX.format(name=final.name)}{os.getpid()}"
    start_log(log)
    moved = False
    marked: tuple[str, ...] = ()
    try:
        # Should ./mono die before the project is in place, a guard removes the staging folder.
        with undone_if_killed({staging: None}):
            _render(workspace, request, staging, log)
            say(f"rendered tools/templates/{request.kind} for {request.path}")
            poetry(["lock"], workspace.root, staging, log)
            say("locked")
            _move_into_place(staging, final, request.path)
            moved = True
        # Images and packages carry only what git tracks: marked with `git add -N`, the new files
        # are tracked (so `new` and later builds ship them) but staged for no commit of the user's.
        marked = intend_to_add(workspace.root, request.path)
        after_move()
    except BaseException:
        # Only what this run made goes: another `new` of the same name may have won the race,
        # and its project, its folders, its records and its index entries are its own.
        shutil.rmtree(final if moved else staging, ignore_errors=True)
        with contextlib.suppress(MonoError):  # the rest of the undo must happen all the same
            forget_intent(workspace.root, marked)
        for folder in reversed(created_parents):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
        if moved:
            forget(workspace.root, request.name)
        raise
    return final


_STAGING_PREFIX = ".{name}.mono-new-"


def _remove_abandoned_staging(final: Path) -> None:
    """Staging folders of this name left by a `new` that was killed between its commands (its pid
    no longer runs); one of a `new` still running is its own."""
    if not final.parent.is_dir():
        return
    prefix = _STAGING_PREFIX.format(name=final.name)
    for folder in final.parent.glob(f"{glob.escape(prefix)}*"):
        pid = folder.name.removeprefix(prefix)
        if pid.isdigit() and not _running(int(pid)):
            logger.warning("removed %s, left by a ./mono new that was stopped", folder)
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _move_into_place(staging: Path, final: Path, shown: str) -> None:
    """Rename the finished project into place; one line when another `new` got there first."""
    if final.exists():
        raise MonoError(f"{shown} exists already (made meanwhile, by another ./mono new?)", "choose another name")
    try:
        staging.rename(final)  # atomic: a rename onto a folder with files in it fails
    except OSError as error:
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise MonoError(
                f"{shown} exists already (made meanwhile, by another ./mono new?)", "choose another name"
            ) from error
        raise
