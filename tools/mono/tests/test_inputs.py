"""The tool's tests read only what they declare: their own folder and `[tool.mono] test-inputs`,
none of which holds another project of the repository. So an edit of an example project reruns
that project alone (not these 600 tests), and a team that deletes the examples keeps a green
`./mono test`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from mono.model.paths import is_within
from mono.repo.discovery import load_workspace
from tests.helpers import REPO_ROOT

TESTS = Path(__file__).resolve().parent
TOOL = TESTS.parent


def declared_inputs() -> tuple[str, ...]:
    """The tool's folder and its test-inputs, repo-relative."""
    tool = load_workspace(REPO_ROOT).projects["mono"]
    return (tool.path, *tool.test_inputs)


def repository_paths(tree: ast.AST) -> Iterator[tuple[int, str | None]]:
    """(line, repo-relative path) of each `REPO_ROOT / "a" / "b"` in `tree`; the path is None when
    a part is not a string literal (nobody can tell what it reads)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
            continue
        parts: list[ast.expr] = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
            parts.insert(0, left.right)
            left = left.left
        if not (isinstance(left, ast.Name) and left.id == "REPO_ROOT") or node is not _outermost(tree, node):
            continue
        literal = all(isinstance(part, ast.Constant) and isinstance(part.value, str) for part in parts)
        yield node.lineno, "/".join(str(part.value) for part in parts) if literal else None  # type: ignore[attr-defined]


def _outermost(tree: ast.AST, node: ast.BinOp) -> ast.BinOp:
    """`node`, or the longer `... / ...` chain that holds it on its left."""
    for parent in ast.walk(tree):
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Div) and parent.left is node:
            return _outermost(tree, parent)
    return node


# The programs the launcher installed (from requirements.txt, an input): not something a test reads.
LAUNCHERS_VENV = ".mono/venv"


def test_every_repository_file_a_test_reads_is_a_declared_input() -> None:
    inputs = (*declared_inputs(), LAUNCHERS_VENV)
    undeclared = []
    for file in sorted(TESTS.rglob("*.py")):
        if "fixtures" in file.relative_to(TESTS).parts:
            continue
        for line, path in repository_paths(ast.parse(file.read_text(encoding="utf-8"))):
            where = f"{file.relative_to(TOOL)}:{line}"
            if path is None:
                undeclared.append(f"{where}: REPO_ROOT / <not a literal>")
            elif not any(is_within(path, folder) for folder in inputs):
                undeclared.append(f"{where}: {path}")
    assert undeclared == [], "read by the tests but not in tools/mono [tool.mono] test-inputs (copy a fixture instead)"


def test_no_other_project_is_an_input_of_the_tools_tests() -> None:
    workspace = load_workspace(REPO_ROOT)
    inputs = declared_inputs()[1:]
    inside = sorted(
        project.path
        for project in workspace.projects.values()
        if project.name != "mono"
        and any(is_within(project.path, folder) or is_within(folder, project.path) for folder in inputs)
    )
    assert inside == [], "an example project is an input of the tool's tests: its edits would rerun them"


def test_the_guard_sees_what_a_test_reads() -> None:
    # The check above must not pass by seeing nothing.
    source = 'a = REPO_ROOT / "lib" / "helloworld"\nb = REPO_ROOT / name\nc = (REPO_ROOT / "mono").read_text()\n'
    assert sorted(repository_paths(ast.parse(source)), key=lambda item: item[0]) == [
        (1, "lib/helloworld"),
        (2, None),
        (3, "mono"),
    ]
