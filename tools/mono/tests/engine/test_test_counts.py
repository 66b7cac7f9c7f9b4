"""Tests are counted one by one from pytest's own JUnit report, skips with their reasons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mono.cli.render import summary
from mono.engine.runner import RunSummary, SuiteCounts, TaskResult
from mono.engine.testing import read_test_counts

SUITE = """
import pytest

def test_one(): pass
def test_two(): pass
def test_three(): assert False
@pytest.mark.skip(reason="no Docker engine answers")
def test_docker_a(): pass
@pytest.mark.skip(reason="no Docker engine answers")
def test_docker_b(): pass
def test_browser(): pytest.skip("chromium is not installed")
@pytest.mark.xfail(reason="known")
def test_known(): assert False
"""


def test_a_real_pytest_report_is_counted_test_by_test(tmp_path: Path) -> None:
    (tmp_path / "test_suite.py").write_text(SUITE)
    report = tmp_path / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert read_test_counts(report) == SuiteCounts(
        passed=3, failed=1, skipped=3, skip_reasons=(("no Docker engine answers", 2), ("chromium is not installed", 1))
    )


def test_no_report_or_a_broken_one_counts_nothing(tmp_path: Path) -> None:
    assert read_test_counts(tmp_path / "missing.xml") is None
    (tmp_path / "broken.xml").write_text("<testsuites><testcase")
    assert read_test_counts(tmp_path / "broken.xml") is None


def test_the_summary_counts_tests_across_projects_and_says_why_some_were_skipped(tmp_path: Path) -> None:
    def result(project: str, counts: SuiteCounts | None) -> TaskResult:
        return TaskResult(project, "passed", 1.0, tmp_path / f"{project}.log", tests=counts)

    docker = SuiteCounts(5, 0, 12, (("no Docker engine answers", 12),))
    run = RunSummary("test", (result("mono", docker), result("web", SuiteCounts(3)), result("old", None)))
    lines = summary(run, tmp_path).splitlines()
    assert lines[-3:] == [
        "test: 3 passed, 0 failed",
        "tests: 8 passed, 0 failed, 12 skipped",
        "  12 skipped: no Docker engine answers",
    ]
    quiet = summary(RunSummary("test", (result("web", SuiteCounts(3)),)), tmp_path).splitlines()
    assert quiet[-1] == "tests: 3 passed, 0 failed, 0 skipped"
    assert summary(RunSummary("lock", (result("web", None),)), tmp_path).splitlines()[-1] == "lock: 1 passed, 0 failed"
