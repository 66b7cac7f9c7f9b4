"""The Poetry worker's guesses of index pages (IndexPages) and the names file it keeps: our own
logic, with stand-ins for Poetry's repository; tests/integration/test_lock_in_process.py runs the
worker with real Poetry and checks its locks byte for byte."""

from __future__ import annotations

import json
import tempfile
import threading
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mono.external.poetry_worker import IndexPages, read_names, write_names

with warnings.catch_warnings():
    # Poetry's repositories import pbs_installer, which uses a deprecated importlib call.
    warnings.simplefilter("ignore", DeprecationWarning)
    from poetry.repositories.legacy_repository import LegacyRepository
    from poetry.repositories.repository_pool import Priority, RepositoryPool


class Index(LegacyRepository):
    """A repository whose pages are made up and counted by the thread that asked."""

    def __init__(self, name: str = "index", missing: frozenset[str] = frozenset()) -> None:
        super().__init__(name, f"https://{name}.invalid/simple")
        self.fetched: list[tuple[str, bool]] = []
        self.missing = missing
        self.lock = threading.Lock()

    def _get_page(self, name: Any) -> Any:
        with self.lock:
            self.fetched.append((str(name), threading.current_thread().name.startswith("mono-index-page")))
        if str(name) in self.missing:
            raise ValueError(f"no page for {name}")
        return f"page of {name}"


def project(pool: RepositoryPool, *requires: tuple[str, str | None]) -> Any:
    """What IndexPages reads of a Poetry object: the package's requirements, and the pool."""
    dependencies = [SimpleNamespace(name=name, source_name=source) for name, source in requires]
    return SimpleNamespace(package=SimpleNamespace(all_requires=dependencies), pool=pool)


def pool_of(*repositories: tuple[Index, Priority]) -> RepositoryPool:
    pool = RepositoryPool()
    for repository, priority in repositories:
        pool.add_repository(repository, priority=priority)
    return pool


def test_what_earlier_locks_showed_is_fetched_ahead_and_served_once() -> None:
    pages = IndexPages({"flask": ["click", "jinja2"], "jinja2": ["markupsafe"]})
    index = Index()
    pages.attach(index)
    pages.expect(project(pool_of((index, Priority.PRIMARY)), ("flask", None)), locked=["six"])
    for name in ("flask", "markupsafe", "flask", "idna"):  # idna: a page nobody guessed
        page: Any = index.get_page(name)  # the stand-in's pages are strings
        assert page == f"page of {name}"
    pages.close()
    ahead = sorted(name for name, in_thread in index.fetched if in_thread)
    assert ahead == ["click", "flask", "jinja2", "markupsafe", "six"]
    assert [name for name, in_thread in index.fetched if not in_thread] == ["idna"]
    assert (pages.asked, pages.ahead_of_time) == (3, 2)  # the second flask came from Poetry's cache


def test_a_guess_that_failed_is_asked_again_so_that_poetry_says_what_is_wrong() -> None:
    pages = IndexPages({})
    index = Index(missing=frozenset({"nowhere"}))
    pages.attach(index)
    pages.expect(project(pool_of((index, Priority.PRIMARY)), ("nowhere", None)), locked=[])
    with pytest.raises(ValueError, match="no page for nowhere"):
        index.get_page("nowhere")
    assert index.fetched.count(("nowhere", False)) == 1
    pages.close()


def test_only_primary_repositories_are_asked_and_not_for_names_of_another_source() -> None:
    pages = IndexPages({"app-lib": ["requests"]})
    primary, supplemental = Index("primary"), Index("extra")
    for repository in (primary, supplemental):
        pages.attach(repository)
    pool = pool_of((primary, Priority.PRIMARY), (supplemental, Priority.SUPPLEMENTAL))
    pages.expect(project(pool, ("app-lib", None), ("private-pkg", "extra")), locked=[])
    pages.close()
    assert {name for name, _ in primary.fetched} <= {"app-lib", "requests"}
    assert supplemental.fetched == []
    # A second project asks only for what the first did not.
    before = len(primary.fetched)
    pages = IndexPages({"app-lib": ["requests"]})
    pages.attach(primary)
    pages.expect(project(pool, ("requests", None)), locked=[])
    pages.close()
    assert len(primary.fetched) - before <= 1


def test_a_lock_teaches_what_each_package_depends_on_by_canonical_name() -> None:
    pages = IndexPages({})
    pages.learn({"package": [{"name": "Flask", "dependencies": {"Jinja2": ">=3", "click": "*"}}, {"name": 3}]})
    assert pages.depends_on == {"flask": ["click", "jinja2"]}


def test_the_names_file_round_trips_and_a_damaged_one_reads_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cache/index-names.json"
    assert read_names(path) == {}
    write_names(path, {"flask": ["click"], "click": []})
    assert read_names(path) == {"flask": ["click"], "click": []}
    assert not list(path.parent.glob(".*partial"))
    for damaged in ("[1, 2]", "{", '{"flask": "click", "a": [1, "b"]}', "\udcff"):
        path.write_text(damaged, errors="surrogateescape")
        assert read_names(path) in ({}, {"a": ["b"]})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(JSON)
def test_any_json_in_the_names_file_reads_as_names_or_nothing(data: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index-names.json"
        path.write_text(json.dumps(data))
        names = read_names(path)
    for key, value in names.items():
        assert isinstance(key, str) and all(isinstance(each, str) for each in value)
    if isinstance(data, dict):
        assert names.keys() == {key for key, value in data.items() if isinstance(value, list)}
