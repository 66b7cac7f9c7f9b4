"""Publishing logic without an index: version ranges, bumps, edits, repository settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.engine import publishing as publish
from mono.engine.publishing import repository
from mono.errors import MonoError
from mono.external.proc import Completed
from mono.model.versions import bumped, caret
from mono.repo.edit import declare_published, retarget, set_version


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.2.3", ">=1.2.3,<2.0.0"), ("0.3.1", ">=0.3.1,<0.4.0"), ("0.0.4", ">=0.0.4,<0.0.5")],
)
def test_caret_ranges_follow_poetrys_caret(version: str, expected: str) -> None:
    assert caret(version) == expected


def test_bumps_and_explicit_versions() -> None:
    assert [bumped("1.4.2", part) for part in ("patch", "minor", "major", "2.0.0rc1")] == [
        "1.4.3", "1.5.0", "2.0.0", "2.0.0rc1",
    ]  # fmt: skip
    with pytest.raises(MonoError, match="not newer"):
        bumped("1.4.2", "1.4.2")
    with pytest.raises(MonoError, match="is not patch, minor, major or a version"):
        bumped("1.4.2", "huge")


def test_set_version_keeps_the_rest_of_the_file() -> None:
    text = '[project]\nname = "core"\nversion = "0.1.0"  # bumped by ./mono version\n'
    assert set_version(text, "0.2.0") == '[project]\nname = "core"\nversion = "0.2.0"  # bumped by ./mono version\n'


def test_retarget_moves_a_by_version_requirement_in_both_tables() -> None:
    text = (
        '[project]\nname = "app"\ndependencies = ["flask>=3", "core>=0.1.0,<0.2.0"]\n\n'
        '[tool.poetry.dependencies]\ncore = { source = "internal" }\nother = "^1.0"\n'
    )
    moved = retarget(text, "core", "0.2.0")
    assert '"core>=0.2.0,<0.3.0"' in moved and '"flask>=3"' in moved and 'other = "^1.0"' in moved
    poetry1 = '[tool.poetry.dependencies]\ncore = { version = "^0.1.0", source = "internal" }\n'
    assert 'version = "^0.2.0"' in retarget(poetry1, "core", "0.2.0")


def test_declare_published_adds_the_range_and_an_explicit_source_once() -> None:
    text = '[project]\nname = "app"\ndependencies = ["flask>=3"]\n'
    once = declare_published(text, "core", "0.1.0", "internal", "http://127.0.0.1:9/simple/")
    assert '"core>=0.1.0,<0.2.0"' in once and 'core = { source = "internal" }' in once
    assert 'priority = "explicit"' in once and once.count("[[tool.poetry.source]]") == 1
    with pytest.raises(MonoError, match="core is declared already"):
        declare_published(once, "core", "0.1.0", "internal", "http://127.0.0.1:9/simple/")


def test_the_repository_comes_from_poetrys_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POETRY_REPOSITORIES_TEAM_INDEX_URL", "https://packages.example.invalid/legacy/")
    found = repository(tmp_path, "team-index")
    assert (found.upload_url, found.simple_url) == (
        "https://packages.example.invalid/legacy/", "https://packages.example.invalid/simple/",
    )  # fmt: skip
    monkeypatch.setenv("MONO_REPOSITORIES_TEAM_INDEX_SIMPLE_URL", "https://packages.example.invalid/+simple")
    assert repository(tmp_path, "team-index").simple_url == "https://packages.example.invalid/+simple/"


def test_an_unconfigured_repository_is_one_line_with_the_setting_to_make(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("POETRY_REPOSITORIES_NOWHERE_URL", raising=False)

    def no_such_setting(*args: object, **kwargs: object) -> Completed:
        return Completed(("poetry",), 1, "There is no repositories.nowhere.url setting.")

    monkeypatch.setattr(publish, "poetry", no_such_setting)
    with pytest.raises(MonoError, match="repository 'nowhere' is not configured") as raised:
        repository(tmp_path, "nowhere")
    assert "POETRY_REPOSITORIES_NOWHERE_URL" in str(raised.value)
