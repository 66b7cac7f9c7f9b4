"""Which release counts: final, not yanked, fitting the project's Python, allowed by constraints."""

from __future__ import annotations

from mono.engine.releases import Release, allowed_by, newest, releases_from
from mono.external.index import ReleaseFile


def test_releases_are_final_unyanked_and_newest_first() -> None:
    files = [
        ReleaseFile("six-1.9.0.tar.gz"),
        ReleaseFile("six-1.10.0-py2.py3-none-any.whl", requires_python=">=3.8"),
        ReleaseFile("six-1.10.0.tar.gz"),
        ReleaseFile("six-1.11.0.tar.gz", yanked=True),
        ReleaseFile("six-2.0.0rc1.tar.gz"),
        ReleaseFile("six-1.0.win32.exe"),
    ]
    assert releases_from(files) == (Release("1.10.0", (">=3.8", "")), Release("1.9.0", ("",)))


def test_a_release_fits_when_one_file_covers_every_python_the_project_allows() -> None:
    assert Release("1", (">=3.8",)).fits(">=3.11")
    assert not Release("1", (">=3.12",)).fits(">=3.11")
    assert not Release("1", (">=3.8,<4",)).fits(">=3.11")  # as Poetry: the project allows Python 4
    assert Release("1", (">=3.8,<4", "")).fits(">=3.11") and Release("1", (">=3.12",)).fits(None)


def test_the_newest_allowed_release() -> None:
    releases = (Release("1.17.0", (">=3.12",)), Release("1.16.0", ("",)), Release("1.15.0", ("",)))
    assert newest(releases) == "1.17.0"
    assert newest(releases, ">=3.11") == "1.16.0"
    assert newest(releases, None, allowed_by(["<1.16", "^1.10"])) == "1.15.0"
    assert newest(releases, None, allowed_by(["(>=2)"])) is None
    assert newest(releases, None, allowed_by(["not a constraint"])) == "1.17.0"
