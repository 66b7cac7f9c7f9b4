"""The package index: one setting, pip's, serves pip and Poetry alike."""

from __future__ import annotations

import html.parser
import os
import sys
import urllib.error
import urllib.request
from functools import cache
from pathlib import Path

from mono.errors import IndexUnreachable, Interrupted, MonoError
from mono.external.proc import run

# pip's configuration keys, strongest first (pip itself reads env over [install] over [global]).
_PIP_KEYS = (":env:.index-url", "install.index-url", "global.index-url")


def _pip_default_index() -> str:
    # pip knows the public index's address; asking it keeps every host name out of our files.
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


def _pip_configured_index() -> str | None:
    try:
        command = [sys.executable, "-m", "pip", "config", "list"]
        result = run(command, cwd=Path.cwd(), check=False, stderr="discarded", timeout=60)
    except Interrupted:
        raise
    except (OSError, MonoError):
        return None
    listing = result.output if result.returncode == 0 else ""
    values: dict[str, str] = {}
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return next((values[key] for key in _PIP_KEYS if values.get(key)), None)


@cache
def index_url() -> str:
    """The simple-API index to install from: PIP_INDEX_URL, else pip's config, else pip's default."""
    return os.environ.get("PIP_INDEX_URL") or _pip_configured_index() or _pip_default_index()


class _Links(html.parser.HTMLParser):
    """The file names a simple-index page links to."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.files.append(href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def project_files(simple_url: str, name: str, index_name: str) -> list[str]:
    """The files a simple index (PEP 503) lists for project `name` (normalised); none on a 404.

    An index that does not answer raises IndexUnreachable (exit 1).
    """
    url = f"{simple_url}{name}/"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            page = answer.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise IndexUnreachable(f"cannot read {url}: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise IndexUnreachable(f"cannot reach repository {index_name!r} at {url}: {error}") from error
    links = _Links()
    links.feed(page)
    return links.files
