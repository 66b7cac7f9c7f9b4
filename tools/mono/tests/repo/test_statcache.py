"""The stat caches: a file is read again whenever its stat moved, never while it did not, and a
cache file that is damaged or hostile is discarded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mono import racy
from mono.errors import InvalidPyproject, MissingPathDependency, MonoError
from mono.model import layout
from mono.model.kinds import KINDS
from mono.repo import discovery, facts, statcache
from mono.repo.discovery import find_pyprojects, load_workspace
from mono.repo.statcache import Signature, file_sha256, save_file_hashes, signature
from mono.repo.toml import read_toml
from tests.helpers import pep621, write_tree


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    statcache._hashes.clear()
    yield
    statcache._hashes.clear()


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test are remembered at once (the racy window is for real edits)."""
    monkeypatch.setattr(racy, "RACY_NS", 0)


class Reads:
    """Counts the reads of files below a folder."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, below: Path) -> None:
        self.paths: list[str] = []
        original = Path.read_bytes

        def counted(path: Path) -> bytes:
            if path.is_relative_to(below):
                self.paths.append(path.relative_to(below).as_posix())
            return original(path)

        monkeypatch.setattr(Path, "read_bytes", counted)


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rewrite_keeping_mtime(path: Path, data: bytes) -> None:
    """New bytes of the same size, the mtime put back as it was: only the ctime tells."""
    before = os.stat(path)
    time.sleep(0.05)  # past the clock tick of the first write's ctime
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert after.st_ctime_ns != before.st_ctime_ns


def test_a_file_rewritten_with_its_size_and_mtime_kept_is_seen_by_its_ctime(tmp_path: Path, trusting: None) -> None:
    path = write_tree(tmp_path, {"a.txt": "aaaa"}) / "a.txt"
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    rewrite_keeping_mtime(path, b"bbbb")
    assert file_sha256(tmp_path, "a.txt") == sha(b"bbbb")


def test_an_unchanged_file_is_not_read_again_even_by_another_process(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a.txt": "aaaa", "b.txt": "bbbb"})
    reads = Reads(monkeypatch, tmp_path)
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    save_file_hashes()  # as the end of a command does; the next one starts from the file
    assert layout.file_hash_cache(tmp_path).is_file()
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    assert file_sha256(tmp_path, "b.txt") == sha(b"bbbb")
    assert reads.paths == ["a.txt", ".mono/state/file-hashes.json", "b.txt"]


def test_a_file_changed_just_now_is_read_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_tree(tmp_path, {"a.txt": "aaaa"}) / "a.txt"
    reads = Reads(monkeypatch, tmp_path)
    for _ in range(3):
        assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    assert reads.paths == ["a.txt"] * 3
    save_file_hashes()
    assert not layout.file_hash_cache(tmp_path).exists()  # nothing learnt, nothing written
    # An mtime put far back does not make it trusted: the ctime says it changed just now.
    old = time.time_ns() - 10 * racy.RACY_NS
    os.utime(path, ns=(old, old))
    seen = signature(path)
    assert seen is not None and statcache.is_racy(seen, time.time_ns())


def test_the_racy_rule_looks_at_both_times() -> None:
    now = time.time_ns()
    long_ago = now - 10 * racy.RACY_NS
    assert not statcache.is_racy(Signature(long_ago, long_ago, 1, 1), now)
    assert statcache.is_racy(Signature(long_ago, now - 1000, 1, 1), now)  # utime: only ctime is recent
    assert statcache.is_racy(Signature(now + 10**9, long_ago, 1, 1), now)  # an mtime in the future


def test_a_file_that_cannot_be_read_hashes_as_none(tmp_path: Path, trusting: None) -> None:
    assert file_sha256(tmp_path, "missing.txt") is None


DAMAGE: dict[str, bytes] = {
    "not json": b"{half",
    "not utf-8": b"\xff\xfe",
    "a list": b"[]",
    "no entries": json.dumps({"format": "x"}).encode(),
    "entries a list": json.dumps({"format": "x", "entries": []}).encode(),
    "nested deep": b"[" * 100_000 + b"]" * 100_000,
}


def cache_format() -> str:
    return statcache.file_hashes(Path("/nowhere"))._format


def entries_file(entries: dict[str, Any]) -> bytes:
    return json.dumps({"format": cache_format(), "entries": entries}).encode()


# Entries whose stat matches the file's (so they would be used), holding what no cache of ours holds.
HOSTILE_ENTRIES: dict[str, Callable[[list[int]], object]] = {
    "short": lambda seen: seen,
    "not a list": lambda seen: {"mtime": seen[0]},
    "not a hash": lambda seen: [*seen, "../../etc/passwd"],
    "upper-case hash": lambda seen: [*seen, "A" * 64],
    "a number": lambda seen: [*seen, 12],
    "null": lambda seen: [*seen, None],
}


@pytest.mark.parametrize("damage", [*DAMAGE, *HOSTILE_ENTRIES])
def test_a_damaged_hash_cache_is_discarded_with_a_warning(
    tmp_path: Path, trusting: None, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_tree(tmp_path, {"a.txt": "aaaa"}) / "a.txt"
    seen = signature(path)
    assert seen is not None
    cache = layout.file_hash_cache(tmp_path)
    cache.parent.mkdir(parents=True)
    hostile = HOSTILE_ENTRIES.get(damage)
    cache.write_bytes(entries_file({"a.txt": hostile(list(seen))}) if hostile else DAMAGE[damage])
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    assert "discarded a damaged cache file" in caplog.text
    save_file_hashes()
    assert json.loads(cache.read_bytes())["entries"]["a.txt"][4] == sha(b"aaaa").hex()


def test_an_entry_with_other_numbers_for_the_stat_is_not_used(tmp_path: Path, trusting: None) -> None:
    path = write_tree(tmp_path, {"a.txt": "aaaa"}) / "a.txt"
    seen = signature(path)
    assert seen is not None
    cache = layout.file_hash_cache(tmp_path)
    cache.parent.mkdir(parents=True)
    wrong = [str(seen.mtime_ns), seen.ctime_ns, seen.size, seen.inode, "0" * 64]
    cache.write_bytes(entries_file({"a.txt": wrong}))
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")


def test_a_forged_entry_for_another_stat_is_not_used(tmp_path: Path, trusting: None) -> None:
    path = write_tree(tmp_path, {"a.txt": "aaaa"}) / "a.txt"
    seen = signature(path)
    assert seen is not None
    forged = [seen.mtime_ns - 1, seen.ctime_ns, seen.size, seen.inode, "0" * 64]
    cache = layout.file_hash_cache(tmp_path)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(entries_file({"a.txt": forged}))
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")


def test_a_cache_of_another_format_is_rebuilt_quietly(
    tmp_path: Path, trusting: None, caplog: pytest.LogCaptureFixture
) -> None:
    write_tree(tmp_path, {"a.txt": "aaaa"})
    cache = layout.file_hash_cache(tmp_path)
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({"format": "mono file-hashes 0", "entries": {"a.txt": "whatever"}}))
    assert file_sha256(tmp_path, "a.txt") == sha(b"aaaa")
    assert caplog.text == ""


# --- parsed pyprojects ---------------------------------------------------------------------------


def small_repo(root: Path) -> Path:
    return write_tree(
        root,
        {
            "pyproject.toml": "[tool.mono]\n",
            "lib/core/pyproject.toml": pep621("core"),
            "app/shop/web/pyproject.toml": pep621("web", {"core": "../../../lib/core"}),
        },
    )


class Parses:
    """Counts the pyproject.toml files discovery parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown: list[str] = []

        def counted(path: Path, shown_as: str) -> dict[str, Any]:
            self.shown.append(shown_as)
            return read_toml(path, shown_as)

        monkeypatch.setattr(facts, "read_toml", counted)


def test_discovery_reads_only_the_pyprojects_that_changed(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_repo(tmp_path / "repo")
    parses = Parses(monkeypatch)
    first = load_workspace(root)
    assert sorted(parses.shown) == ["app/shop/web/pyproject.toml", "lib/core/pyproject.toml"]
    assert layout.pyproject_cache(root).is_file()
    assert not (root / ".mono").exists()  # the read-only commands write nothing inside the repository
    parses.shown.clear()
    assert load_workspace(root) == first
    assert parses.shown == []
    web = root / "app/shop/web/pyproject.toml"
    text = web.read_text()
    rewrite_keeping_mtime(web, text.replace('version = "0.1.0"', 'version = "0.2.0"').encode())
    assert load_workspace(root).projects["web"].version == "0.2.0"
    assert parses.shown == ["app/shop/web/pyproject.toml"]


def test_what_lies_beside_a_pyproject_is_looked_at_each_run(tmp_path: Path, trusting: None) -> None:
    """The cache keeps what a file says; a lock beside it, or a path dependency's target, is
    not in the file and is looked at anew."""
    root = small_repo(tmp_path / "repo")
    assert not load_workspace(root).projects["web"].has_lock
    (root / "app/shop/web/poetry.lock").write_text("")
    assert load_workspace(root).projects["web"].has_lock
    shutil.rmtree(root / "lib/core")
    with pytest.raises(MissingPathDependency):
        load_workspace(root)


def test_a_test_input_linked_out_of_the_repository_is_refused_though_its_file_is_unchanged(
    tmp_path: Path, trusting: None
) -> None:
    root = small_repo(tmp_path / "repo")
    core = root / "lib/core/pyproject.toml"
    core.write_text(core.read_text() + '\n[tool.mono]\ntest-inputs = ["data"]\n')
    (root / "lib/core/data").mkdir()
    assert load_workspace(root).projects["core"].test_inputs == ("lib/core/data",)
    (root / "lib/core/data").rmdir()
    (root / "lib/core/data").symlink_to(tmp_path)
    with pytest.raises(InvalidPyproject, match="'data' leaves the repository"):
        load_workspace(root)


def test_a_change_of_the_folder_kinds_or_of_the_tool_parses_again(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_repo(tmp_path / "repo")
    load_workspace(root)
    parses = Parses(monkeypatch)
    (root / "pyproject.toml").write_text('[tool.mono]\nkinds = { shop = "eng" }\n')
    assert load_workspace(root).projects["web"].kind == "eng"
    assert sorted(parses.shown) == ["app/shop/web/pyproject.toml", "lib/core/pyproject.toml"]
    parses.shown.clear()
    monkeypatch.setattr(facts, "sources_fingerprint", lambda: "another version")
    load_workspace(root)
    assert sorted(parses.shown) == ["app/shop/web/pyproject.toml", "lib/core/pyproject.toml"]


def test_the_fingerprint_of_the_tool_follows_its_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    first = statcache.sources_fingerprint()
    assert statcache.sources_fingerprint() == first
    statcache.sources_fingerprint.cache_clear()
    monkeypatch.setattr(statcache, "tool_sources", lambda: [__file__])
    assert statcache.sources_fingerprint() != first
    statcache.sources_fingerprint.cache_clear()


def test_a_cache_entry_of_a_pyproject_gone_is_dropped(tmp_path: Path, trusting: None) -> None:
    root = small_repo(tmp_path / "repo")
    load_workspace(root)
    (root / "lib/core/pyproject.toml").unlink()
    (root / "app/shop/web/pyproject.toml").write_text(pep621("web"))
    load_workspace(root)
    entries = json.loads(layout.pyproject_cache(root).read_bytes())["entries"]
    assert set(entries) == {"app/shop/web/pyproject.toml"}


def test_a_pyproject_holding_what_json_cannot_keep_is_remembered_by_its_facts(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path / "repo", {"lib/core/pyproject.toml": pep621("core", extra="\n[tool.x]\nwhen = 2024-01-01\n")}
    )
    parses = Parses(monkeypatch)
    load_workspace(root)
    load_workspace(root)
    assert parses.shown == ["lib/core/pyproject.toml"]


def facts_cache_with(root: Path, data: object) -> bytes:
    seen = signature(root / "lib/core/pyproject.toml")
    assert seen is not None
    kind = facts.project_facts(root, discovery.load_config(root))._format
    return json.dumps({"format": kind, "entries": {"lib/core/pyproject.toml": [*seen, data]}}).encode()


def core_facts(**changes: object) -> list[Any]:
    known = facts.Facts("core", "lib", "pep621", "0.1.0", (), (), (), (), (), (), None, False, False, False)
    value = facts._to_cache(known)
    for field, changed in changes.items():
        value[facts.Facts._fields.index(field)] = changed
    return value


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "core",
        core_facts()[:-1],
        core_facts(name=None),
        core_facts(kind="service"),
        core_facts(style="hatch"),
        core_facts(declared=["flask", 1]),
        core_facts(path_dependencies=[["core", "../core", "lib/core"]]),
        core_facts(path_dependencies=[["core", "../core", "lib/core", True]]),
        core_facts(settings_only="no"),
    ],
    ids=["null", "empty", "a string", "a field short", "a null name", "an unknown kind", "an unknown style",
         "a number for a name", "a dependency short", "a dependency without its written name", "a string for a flag"],
)  # fmt: skip
def test_a_hostile_facts_cache_is_discarded(
    tmp_path: Path, trusting: None, data: object, caplog: pytest.LogCaptureFixture
) -> None:
    root = small_repo(tmp_path / "repo")
    cache = layout.pyproject_cache(root)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(facts_cache_with(root, data))
    assert load_workspace(root).projects["core"].name == "core"
    assert "discarded a damaged cache file" in caplog.text


def test_facts_of_the_right_shape_are_used_and_checked_as_a_files_name_is(tmp_path: Path, trusting: None) -> None:
    root = small_repo(tmp_path / "repo")
    cache = layout.pyproject_cache(root)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(facts_cache_with(root, core_facts(version="9.9")))
    assert load_workspace(root).projects["core"].version == "9.9"  # trusted while the stat matches
    cache.write_bytes(facts_cache_with(root, core_facts(name="../evil")))
    with pytest.raises(InvalidPyproject, match="not a valid distribution name"):
        load_workspace(root)


def test_a_damaged_parse_cache_is_replaced(tmp_path: Path, trusting: None) -> None:
    root = small_repo(tmp_path / "repo")
    cache = layout.pyproject_cache(root)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x00garbage")
    assert set(load_workspace(root).projects) == {"core", "web"}
    assert len(json.loads(cache.read_bytes())["entries"]) == 2


# --- folder listings -----------------------------------------------------------------------------


def test_discovery_lists_again_only_the_folders_whose_stat_moved(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_repo(tmp_path / "repo")
    assert find_pyprojects(root) == ["app/shop/web", "lib/core"]
    listed: list[str] = []
    original = os.scandir

    def counted(path: str) -> Any:
        listed.append(os.path.relpath(path, root))
        return original(path)

    monkeypatch.setattr(os, "scandir", counted)
    assert find_pyprojects(root) == ["app/shop/web", "lib/core"]
    assert listed == []
    write_tree(root, {"lib/extra/pyproject.toml": pep621("extra")})  # lib/ gains a folder
    assert find_pyprojects(root) == ["app/shop/web", "lib/core", "lib/extra"]
    assert sorted(listed) == ["lib", "lib/extra"]
    listed.clear()
    (root / "lib/core/pyproject.toml").unlink()
    assert find_pyprojects(root) == ["app/shop/web", "lib/extra"]
    assert listed == ["lib/core"]


def test_a_linked_pyproject_is_looked_at_each_time(tmp_path: Path, trusting: None) -> None:
    root = small_repo(tmp_path / "repo")
    target = write_tree(root, {"data/linked.toml": pep621("linked")}) / "data/linked.toml"
    (root / "lib/linked").mkdir()
    (root / "lib/linked/pyproject.toml").symlink_to("../../data/linked.toml")
    assert "lib/linked" in find_pyprojects(root)
    before = signature(root / "lib/linked")
    target.unlink()  # the link now leads nowhere; its folder stays as it was
    assert signature(root / "lib/linked") == before
    assert "lib/linked" not in find_pyprojects(root)


@pytest.mark.parametrize("value", [None, 1, "", "x-", "gq", ["g-"], "--/core", "--core/", "--//core"], ids=repr)
def test_a_hostile_folder_cache_entry_is_listed_again(tmp_path: Path, trusting: None, value: object) -> None:
    root = small_repo(tmp_path / "repo")
    seen = signature(root / "lib")
    assert seen is not None
    cache = layout.folder_cache(root)
    cache.parent.mkdir(parents=True)
    kind = statcache.folder_listings(root)._format
    cache.write_text(json.dumps({"format": kind, "entries": {"lib": [*seen, value]}}))
    assert find_pyprojects(root) == ["app/shop/web", "lib/core"]
    assert json.loads(cache.read_text())["entries"]["lib"] == [*seen, "--core"]  # what the folder holds


def test_the_racy_window_is_longer_where_times_are_whole_seconds() -> None:
    now = 1_700_000_010_512_345_678
    half_a_second = now - 500_000_000
    assert not statcache.is_racy(Signature(half_a_second, half_a_second, 1, 1), now)  # ns times: 0.1 s
    assert statcache.is_racy(Signature(half_a_second, half_a_second, 1, 1), half_a_second + 50_000_000)
    whole = 1_700_000_010_000_000_000  # a file system that keeps seconds only: 2 s
    assert statcache.is_racy(Signature(whole, whole, 1, 1), now)
    assert not statcache.is_racy(Signature(whole, whole, 1, 1), whole + racy.RACY_NS)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(facts.Facts._fields), value=_JSON)
def test_a_facts_cache_entry_with_any_field_replaced_is_used_only_when_it_could_be_ours(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    monkeypatch.setattr(racy, "RACY_NS", 0)
    root = small_repo(tmp_path_factory.mktemp("repo"))
    cache = layout.pyproject_cache(root)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(facts_cache_with(root, core_facts(**{field: value})))
    try:
        core = load_workspace(root).projects.get("core")
    except MonoError:
        return  # a name or setting the facts lie about is refused as the file's would be, in one line
    for project in load_workspace(root).projects.values():  # whatever was used is of the model's types
        assert isinstance(project.name, str) and project.kind in KINDS and project.style in ("pep621", "poetry1")
        assert project.version is None or isinstance(project.version, str)
        assert all(isinstance(name, str) for name in (*project.depends_on, *project.test_env, *project.test_inputs))
        assert all(isinstance(dependency.develop, bool) for dependency in project.path_dependencies)
    if core is not None and core.version != "0.1.0":
        assert field == "version"  # the entry was used: it held what the cache could store
