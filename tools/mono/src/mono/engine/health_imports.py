"""The health check about imports: internal libraries imported but not declared, declared but
never imported, and reached through others where Poetry will not find them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mono.engine.health import Finding, Repository, error_finding
from mono.model.project import Project
from mono.repo.discovery import in_excluded_folder, root_exclusions
from mono.repo.files import python_files
from mono.repo.imports import imported_modules, owning_module, provided_modules


def _project_folders(repo: Repository) -> set[Path]:
    root = repo.workspace.root
    paths = {*repo.workspace.by_path(), *(path for duplicate in repo.duplicates for path in duplicate.paths)}
    return {root if path == "." else root / path for path in paths}


def _owners(repo: Repository) -> dict[str, str]:
    """Each dotted name a library is imported by -> that library (the first by name wins a tie)."""
    owner: dict[str, str] = {}
    for name in sorted(repo.libraries()):
        folder = repo.workspace.folder(name)
        for module in provided_modules(folder, repo.pyprojects[name], name):
            owner.setdefault(module, name)
    return owner


def _used(
    repo: Repository, project: Project, owner: dict[str, str], folders: set[Path], exclude: tuple[str, ...]
) -> dict[str, set[str]]:
    """Library -> the names of it the project's code imports (its own left out, and the code in
    folders discovery leaves out by `exclude`: a tool's test fixtures, say)."""
    root = repo.workspace.root
    folder = project.directory(root)
    used: dict[str, set[str]] = {}
    for file in python_files(folder, folders - {folder}):
        if exclude and in_excluded_folder(file.relative_to(root).as_posix(), exclude):
            continue
        for module in imported_modules(file):
            provided = owning_module(module, owner)
            if provided is not None:
                used.setdefault(owner[provided], set()).add(provided)
    used.pop(project.name, None)
    return used


def imports(repo: Repository) -> Iterator[Finding]:
    """Internal packages imported but not declared, declared but never used, and libraries reached but not declared."""
    libraries = repo.libraries()
    owner = _owners(repo)
    folders = _project_folders(repo)
    exclude = root_exclusions(repo.workspace.root, repo.workspace.config)
    for project in repo.projects():
        used = _used(repo, project, owner, folders, exclude)
        declared = set(project.depends_on)
        for library in sorted(used.keys() - declared):
            packages = ", ".join(sorted(used[library]))
            message = f"imports {packages} from library {library} but does not declare it (add it as a path dependency)"
            yield error_finding(project, "imports", message)
        # Only the main group (by path or by version): a library only in a dev group is often a
        # tool (a test helper, a plugin), not something the code imports.
        main = repo.pyprojects[project.name].main_names() & declared
        for library in sorted((main & libraries) - used.keys()):
            if library not in repo.runtime.with_dependencies(declared - {library}):
                # A warning: `./mono add LIB --to PROJECT` comes before the code that imports it.
                message = f"declares {library} but never imports it (remove the dependency if nothing needs it)"
                yield Finding(project.name, project.path, "imports", "warning", message)
        unfound = repo.reached(project.name) - repo.found_by_poetry(project.name)
        for library in sorted((unfound & libraries) - declared - used.keys()):
            through = next(d for d in sorted(declared) if library in repo.runtime.with_dependencies({d}))
            message = (
                f"uses {library} through {through} but does not declare it "
                "(Poetry will not find it: declare every library you reach)"
            )
            yield error_finding(project, "imports", message)
