"""Running a project's pytest suite in its own venv, with passes cached by what the tests can see."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from mono.engine.cache import suite_inputs_key
from mono.engine.freshness import suite_passed
from mono.engine.installing import install_if_needed
from mono.engine.runner import Outcome, SuiteCounts
from mono.external.python import run_python
from mono.model import paths
from mono.model.graph import Graph
from mono.model.layout import record, venv_python
from mono.model.project import Workspace
from mono.repo.files import has_test_files
from mono.repo.pyproject import PyProject
from mono.repo.state import write_stamp

PYTEST_NO_TESTS = 5


def run_suite(workspace: Workspace, graph: Graph, name: str, log: Path, use_cache: bool = True) -> Outcome:
    """Run the project's pytest suite in its own venv (installing first when needed).

    A pass is remembered under a hash of everything the tests can see; with `use_cache`, an
    unchanged project is reported as cached instead of run again. Failures are never cached.
    """
    key = suite_inputs_key(workspace, graph, name)
    stamp = record(workspace.root, "tested", name)
    if use_cache and suite_passed(workspace, graph, name):
        return Outcome("cached")
    stamp.unlink(missing_ok=True)
    installed = install_if_needed(workspace, graph, name, log)
    if installed.status == "skipped":
        return installed
    folder = workspace.folder(name)
    report = log.with_name(f"{log.stem}.junit.xml")  # beside the log: its folder is writable
    report.unlink(missing_ok=True)
    options = ["-m", "pytest", f"--junitxml={report}", *_nested_left_out(workspace, name)]
    result = run_python(venv_python(folder), options, folder, log)
    counts = read_test_counts(report)
    if result.returncode == 0:
        write_stamp(stamp, key)
        return Outcome("passed", tests=counts)
    if result.returncode == PYTEST_NO_TESTS:
        return Outcome("no tests")
    if "No module named pytest" in result.output:
        if not has_test_files(folder):
            return Outcome("no tests")  # nothing to run, and nothing to run it with
        return Outcome("failed", _no_pytest(workspace, name))
    return Outcome("failed", result.tail(), counts)


def read_test_counts(report: Path) -> SuiteCounts | None:
    """The counts in a pytest JUnit XML report, or None when there is none to read (pytest did
    not get as far, or the file is not a report)."""
    try:
        suites = ElementTree.parse(report).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    passed = failed = skipped = 0
    reasons: dict[str, int] = {}
    for case in suites.iter("testcase"):
        skip = case.find("skipped")
        if skip is not None and skip.get("type") == "pytest.xfail":
            passed += 1  # failed as it was marked to
        elif skip is not None:
            skipped += 1
            reason = _skip_reason(skip.get("message", ""))
            reasons[reason] = reasons.get(reason, 0) + 1
        elif case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    return SuiteCounts(passed, failed, skipped) + SuiteCounts(skip_reasons=tuple(reasons.items()))


def _skip_reason(message: str) -> str:
    """A skip's reason as one short line (pytest writes `Skipped: REASON`, or an expression)."""
    first = message.strip().splitlines()[0] if message.strip() else "no reason given"
    return first.removeprefix("Skipped: ")[:200]


def _no_pytest(workspace: Workspace, name: str) -> str:
    """Why the project's venv has no pytest, and how to give it one."""
    project = workspace.projects[name]
    pyproject = PyProject.read(workspace.folder(name) / "pyproject.toml", project.pyproject_shown)
    optional = pyproject.optional_groups_holding("pytest")
    if optional:
        setting = ", ".join(f'"{group}"' for group in optional)
        return (
            f"pytest is only in {name}'s optional group {', '.join(optional)}, which is not installed by default: "
            f"set [tool.mono] groups = [{setting}] in {project.pyproject_shown} to install it"
        )
    return f"pytest is not installed in {name}'s venv: add it to its dev group"


def _nested_left_out(workspace: Workspace, name: str) -> list[str]:
    """pytest options that leave out the projects inside this one's folder (a root project holds
    them all): their tests run in their own venvs."""
    path = workspace.projects[name].path
    nested = [
        other.path for other in workspace.projects.values() if other.path != path and paths.is_within(other.path, path)
    ]
    prefix = "" if path == "." else f"{path}/"
    return [f"--ignore={other.removeprefix(prefix)}" for other in sorted(nested)]
