"""The health check about template-made projects: the template commit each answers file names
exists, so that `./mono update-template` (copier update) can render the template at it again."""

from __future__ import annotations

from collections.abc import Iterator

from mono.engine.health import Finding, Repository
from mono.errors import MonoError
from mono.external.git import commit_of, is_work_tree, try_git
from mono.model.project import Project
from mono.repo.template_answers import TemplateAnswers, read_answers

CHECK = "templates"


def _warning(project: Project, message: str) -> Finding:
    return Finding(project.name, project.path, CHECK, "warning", message)


def _answered(repo: Repository) -> Iterator[tuple[Project, TemplateAnswers] | Finding]:
    for project in repo.projects():
        try:
            answers = read_answers(repo.workspace.root, project.path)
        except MonoError as error:
            yield _warning(project, str(error))
            continue
        if answers is not None and answers.commit is not None:
            yield project, answers


def _history_is_whole(repo: Repository) -> bool:
    """True in a git work tree with its whole history (a shallow clone lacks old commits)."""
    root = repo.workspace.root
    try:
        return is_work_tree(root) and try_git(root, "rev-parse", "--is-shallow-repository") == "false"
    except MonoError:  # git is not installed
        return False


def template_commits(repo: Repository) -> Iterator[Finding]:
    """A project whose .copier-answers.yml names a template commit this history lacks (a warning)."""
    answered = []
    for found in _answered(repo):
        if isinstance(found, Finding):
            yield found
        else:
            answered.append(found)
    if not answered or not _history_is_whole(repo):
        return
    exists: dict[str, bool] = {}
    for project, answers in answered:
        commit = str(answers.commit)
        if commit not in exists:
            exists[commit] = commit_of(repo.workspace.root, commit) is not None
        if not exists[commit]:
            yield _warning(
                project,
                f"{answers.path} names template commit {commit}, which this repository's history does not have, "
                "so ./mono update-template cannot update it: set _commit to the commit whose templates it was "
                "made from (docs/new.md)",
            )
