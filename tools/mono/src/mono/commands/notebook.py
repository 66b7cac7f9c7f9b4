"""`mono notebook PROJECT`: the project's `# %%` script paired with a notebook (jupytext).

`NAME.py` (percent format) is the file that is committed and reviewed; `NAME.ipynb` is kept in
sync with it by jupytext.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mono.engine.jupyter import installed
from mono.errors import MonoError
from mono.external.python import run_python
from mono.model.graph import Graph
from mono.model.layout import file_name
from mono.model.project import Project, Workspace


@dataclass(frozen=True)
class Paired:
    """A script and the notebook paired with it, repo-relative."""

    project: str
    script: str
    notebook: str


def analysis_script(workspace: Workspace, project: Project) -> Path:
    """The project's percent-format script: NAME.py, else its only top-level `# %%` script."""
    folder = project.directory(workspace.root)
    named = folder / f"{file_name(project.name)}.py"
    if named.is_file():
        return named
    scripts = [path for path in sorted(folder.glob("*.py")) if "# %%" in path.read_text(encoding="utf-8")]
    if len(scripts) != 1:
        found = ", ".join(path.name for path in scripts) or "none"
        raise MonoError(f"{project.path}: expected {project.name}.py or one '# %%' script (found: {found})")
    return scripts[0]


def pair_notebook(workspace: Workspace, graph: Graph, target: str, cwd: Path, on_wait: Callable[[str], None]) -> Paired:
    """Install the project when needed, then pair its script with a notebook (percent format)."""
    with installed(workspace.root, target, cwd, "notebook", "jupytext", on_wait) as ready:
        script = analysis_script(ready.workspace, ready.project)
        pair = ["-m", "jupytext", "--set-formats", "ipynb,py:percent", str(script)]
        run_python(ready.python, pair, script.parent, ready.log, check=True)
        notebook = script.with_suffix(".ipynb")
        if not notebook.is_file():
            raise MonoError(f"jupytext did not write {notebook.name}", f"see {ready.log}")
    relative = notebook.relative_to(workspace.root).as_posix()
    return Paired(ready.project.name, script.relative_to(workspace.root).as_posix(), relative)
