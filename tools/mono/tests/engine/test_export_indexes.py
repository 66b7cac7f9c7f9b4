"""The index options of an export (the lock's Poetry sources) reach `pip download`, credentials
and all, and only through pip's environment, on top of what pip is configured with."""

from __future__ import annotations

from mono.engine.buildcontext import export_indexes, split_export
from mono.external.pip import ExtraIndexes, _configured

EXPORTED = """\
--trusted-host builder:pa=ss@127.0.0.1:8080
--extra-index-url http://builder:pa=ss@127.0.0.1:8080/simple
--extra-index-url=https://other.invalid/simple

greet==1.0.0 ; python_version >= "3.11" \\
    --hash=sha256:aaa
"""


def test_the_sources_of_an_export_become_pip_index_options_with_bare_trusted_hosts() -> None:
    indexes = export_indexes(EXPORTED)
    assert indexes == ExtraIndexes(
        index_url="",
        extra_index_urls=("http://builder:pa=ss@127.0.0.1:8080/simple", "https://other.invalid/simple"),
        trusted_hosts=("127.0.0.1:8080",),  # Poetry writes the credentials there too; pip wants none
    )
    assert split_export(EXPORTED) == (['greet==1.0.0 ; python_version >= "3.11" --hash=sha256:aaa'], [])


def test_a_primary_source_replaces_the_index_and_an_export_without_sources_adds_none() -> None:
    assert export_indexes("--index-url https://team.invalid/simple\nsix==1.17.0\n").index_url == (
        "https://team.invalid/simple"
    )
    assert not export_indexes('six==1.17.0 ; python_version >= "3.11" \\\n    --hash=sha256:bbb\n')


def test_pip_settings_are_read_as_pip_does_the_environment_over_download_over_global() -> None:
    settings = {"global.extra-index-url": "file:///a file:///b", "download.extra-index-url": "file:///c"}
    assert _configured(settings, "extra-index-url") == ["file:///c"]
    assert _configured({"global.extra-index-url": "file:///a file:///b"}, "extra-index-url") == [
        "file:///a",
        "file:///b",
    ]
    assert _configured({**settings, ":env:.extra-index-url": "file:///d"}, "extra-index-url") == ["file:///d"]
    assert _configured({}, "trusted-host") == []
