"""`mono update-template`: roll the templates' committed changes into the projects `new` made.

Each selected project with a .copier-answers.yml is updated by `copier update` from the
template commit it records to HEAD: copier renders the template at both commits and merges the
difference into the project, keeping the project's own changes; where the two meet it leaves
conflict markers. Everything is checked before anything is written: the recorded commit must
exist, and the projects must have no uncommitted changes (copier refuses a dirty project, and
an update is meant to be reviewed as a diff of its own). A project whose update fails is put
back as it was committed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mono.errors import CommandFailed, MonoError, WorkFailed
from mono.external.copier import FileStatus, status_of, update
from mono.external.git import commit_of, git_output, try_git
from mono.external.logs import start_log
from mono.external.ruff import tidy
from mono.model.layout import log_path
from mono.model.project import Project, Workspace
from mono.repo.state import exclusive
from mono.repo.template_answers import ANSWERS_FILE, TemplateAnswers, read_answers, template_paths

logger = logging.getLogger("mono")

Status = Literal["updated", "conflicts", "up to date", "not template-made", "not updated"]


@dataclass(frozen=True)
class Updated:
    """What update-template did to one project."""

    name: str
    path: str  # repo-relative
    status: Status
    old: str = ""  # the template commit it recorded before
    new: str = ""  # the one it records now
    changed: tuple[str, ...] = ()  # project-relative, its answers file aside
    conflicted: tuple[str, ...] = ()  # project-relative, with conflict markers to resolve


@dataclass(frozen=True)
class _Planned:
    project: Project
    answers: TemplateAnswers
    commit: str  # the full id of the recorded commit
    kind: str


def _some(items: Iterable[str], shown: int = 3) -> str:
    listed = list(items)
    more = len(listed) - shown
    return ", ".join(listed[:shown]) + (f" and {more} more" if more > 0 else "")


def _planned(workspace: Workspace, project: Project) -> _Planned | None:
    """The update of `project`, checked; None when no template made it."""
    root = workspace.root
    answers = read_answers(root, project.path)
    if answers is None:
        return None
    if answers.commit is None:
        raise MonoError(f"{answers.path} records no template commit (_commit)", _commit_hint(answers))
    source = (root / project.path / (answers.src_path or "")).resolve()
    if answers.src_path is None or source != root.resolve():
        raise MonoError(
            f"{answers.path}: _src_path {answers.src_path!r} is not this repository's root",
            "update-template updates projects made from this repository's templates; run copier update there",
        )
    commit = commit_of(root, answers.commit)
    if commit is None:
        raise MonoError(
            f"{answers.path} names template commit {answers.commit}, which this repository's history does not have",
            _commit_hint(answers),
        )
    return _Planned(project, answers, commit, answers.kind or project.kind)


def _commit_hint(answers: TemplateAnswers) -> str:
    added = f"git log --diff-filter=A -1 --format=%h -- {answers.path}"
    return f"set _commit to the commit whose templates the project was made from, e.g. the one that added it ({added})"


def _refuse_uncommitted(root: Path, plans: list[_Planned]) -> None:
    """One line naming every selected project with uncommitted files, before anything is written."""
    dirty = {plan.project.name: status_of(root, [plan.project.path]) for plan in plans}
    dirty = {name: found for name, found in dirty.items() if found}
    if dirty:
        listed = "; ".join(f"{name} ({_some(entry.path for entry in found)})" for name, found in dirty.items())
        raise MonoError(
            f"uncommitted changes in {listed}",
            "commit them first: the template's changes are merged into committed files, to review as a diff",
        )


def _refuse_unmerged(root: Path) -> None:
    """copier reads git's index (git write-tree), which an unresolved merge conflict anywhere breaks."""
    unmerged = sorted({line.split("\t", 1)[-1] for line in git_output(root, "ls-files", "--unmerged").splitlines()})
    if unmerged:
        raise MonoError(f"unresolved merge conflicts in {_some(unmerged)}", "resolve them and commit, then run again")


def update_templates(workspace: Workspace, names: list[str], on_wait: Callable[[str], None]) -> tuple[Updated, ...]:
    """Update the selected projects from their template commit to HEAD's templates."""
    root = workspace.root
    projects = [workspace.projects[name] for name in names]
    plans = [plan for plan in (_planned(workspace, project) for project in projects) if plan is not None]
    head = commit_of(root, "HEAD")
    if plans:
        if head is None:
            raise MonoError("the repository has no commit yet", "commit the templates and the projects first")
        _refuse_uncommitted(root, plans)
        _refuse_unmerged(root)
        _warn_uncommitted_templates(root, {plan.kind for plan in plans})
    by_name = {plan.project.name: plan for plan in plans}
    results: list[Updated] = []
    with exclusive(root, "mono update-template", on_wait):
        for project in projects:
            plan = by_name.get(project.name)
            if plan is None:
                results.append(Updated(project.name, project.path, "not template-made"))
            elif _is_current(root, plan, str(head)):
                old = plan.answers.commit or ""
                results.append(Updated(project.name, project.path, "up to date", old=old, new=old))
            elif any(result.status == "conflicts" for result in results):
                # copier reads git's index, and an unresolved conflict in it stops every update.
                results.append(Updated(project.name, project.path, "not updated", old=plan.answers.commit or ""))
            else:
                results.append(_update_one(root, plan, str(head), results))
    return tuple(results)


def _warn_uncommitted_templates(root: Path, kinds: set[str]) -> None:
    paths = sorted({path for kind in kinds for path in template_paths(kind)})
    uncommitted = [entry.path for entry in status_of(root, paths)]
    if uncommitted:
        logger.warning(
            "the templates have uncommitted changes (%s): only what HEAD holds is rolled out", _some(uncommitted)
        )


def _is_current(root: Path, plan: _Planned, head: str) -> bool:
    """True when the project's templates are at `head` as they were at its recorded commit."""
    unchanged = try_git(root, "diff", "--quiet", plan.commit, head, "--", *template_paths(plan.kind))
    return plan.commit == head or unchanged == ""


def _update_one(root: Path, plan: _Planned, head: str, done: list[Updated]) -> Updated:
    """Run copier update on one project; put it back on failure."""
    project = plan.project
    log = log_path(root, "update-template", project.name)
    start_log(log)
    try:
        update(project.directory(root), ANSWERS_FILE, head, log)
        changes = status_of(root, [project.path])
        _tidy(root, project, changes, log)
    except BaseException as error:
        _put_back(root, project.path)  # after Ctrl-C no command may start: it says so instead
        if isinstance(error, CommandFailed):
            updated = [result.name for result in done if result.status in {"updated", "conflicts"}]
            also = f" ({', '.join(updated)} updated before it, not committed)" if updated else ""
            raise WorkFailed(
                f"copier update of {project.name} failed; it is as it was{also}", error.tail, log
            ) from error
        raise
    return _result(root, plan, status_of(root, [project.path]))


def _tidy(root: Path, project: Project, changes: tuple[FileStatus, ...], log: Path) -> None:
    """Format the Python files the update changed, as `new` formats what it renders; not while
    they hold conflict markers."""
    if any(entry.conflicted for entry in changes):
        return
    for entry in changes:
        if entry.path.endswith(".py") and (root / entry.path).is_file():
            tidy(root / entry.path, root, log)


def _result(root: Path, plan: _Planned, changes: tuple[FileStatus, ...]) -> Updated:
    project = plan.project
    answers = read_answers(root, project.path)
    new = answers.commit if answers is not None and answers.commit else ""

    def inside(entry: FileStatus) -> str:
        return Path(os.path.relpath(root / entry.path, root / project.path)).as_posix()

    changed = tuple(inside(entry) for entry in changes if inside(entry) != ANSWERS_FILE)
    conflicted = tuple(inside(entry) for entry in changes if entry.conflicted)
    status: Status = "conflicts" if conflicted else "updated"
    return Updated(project.name, project.path, status, plan.answers.commit or "", new, changed, conflicted)


def _put_back(root: Path, folder: str) -> None:
    """The project as HEAD holds it (it had no uncommitted changes before the update began)."""
    try:
        git_output(root, "restore", "--source=HEAD", "--staged", "--worktree", "--", folder)
        for entry in status_of(root, [folder]):
            if entry.code == "??":  # made by the update: the project had no untracked file
                (root / entry.path).unlink(missing_ok=True)
    except MonoError:
        logger.warning(
            "%s may be half updated: `git restore --source=HEAD --staged --worktree -- %s` puts it back", folder, folder
        )
