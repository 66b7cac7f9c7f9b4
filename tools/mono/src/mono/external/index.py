"""The package index: one setting, pip's, serves pip and Poetry alike."""

from __future__ import annotations

import html
import html.parser
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
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
    """The index-url of pip's configuration: read in-process with pip's own Configuration (about
    0.1 s), else by `pip config list` (a start of pip: about 0.25 s)."""
    try:
        return _read_pip_configuration()
    except Exception:  # noqa: BLE001 - pip's internals may change; its command says the same
        return _list_pip_configuration()


def _read_pip_configuration() -> str | None:
    from pip._internal.configuration import Configuration
    from pip._internal.exceptions import ConfigurationError

    configuration = Configuration(isolated=False)
    configuration.load()
    for key in _PIP_KEYS:
        try:
            value = str(configuration.get_value(key)).strip()
        except ConfigurationError:
            continue  # not set
        if value:
            return value
    return None


def _list_pip_configuration() -> str | None:
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


@dataclass(frozen=True)
class ReleaseFile:
    """One file a simple index lists for a project: its name, whether it is yanked (PEP 592),
    and the Python it says it needs (PEP 503's data-requires-python; '' when it says nothing)."""

    filename: str
    yanked: bool = False
    requires_python: str = ""


class _Links(html.parser.HTMLParser):
    """The files a simple-index page (PEP 503 HTML) links to."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[ReleaseFile] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        href = found.get("href")
        if tag == "a" and href:
            name = href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            requires = html.unescape(found.get("data-requires-python") or "")
            self.files.append(ReleaseFile(name, "data-yanked" in found, requires))


# PEP 691: ask for the JSON form, and take the HTML one from an index that only has that.
_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


def _parse_json(page: str) -> list[ReleaseFile]:
    files = json.loads(page).get("files", [])
    return [
        ReleaseFile(str(entry["filename"]), bool(entry.get("yanked")), str(entry.get("requires-python") or ""))
        for entry in files
        if isinstance(entry, dict) and isinstance(entry.get("filename"), str)
    ]


def release_files(simple_url: str, name: str, index_name: str) -> list[ReleaseFile]:
    """The files a simple index (PEP 503 or 691) lists for project `name` (normalised); none on
    a 404. An index that does not answer, or answers nonsense, raises IndexUnreachable (exit 1)."""
    url = f"{simple_url.rstrip('/')}/{name}/"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": _ACCEPT}), timeout=30) as answer:
            kind = answer.headers.get_content_type()
            page = answer.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise IndexUnreachable(f"cannot read {url}: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise IndexUnreachable(f"cannot reach repository {index_name!r} at {url}: {error}") from error
    if kind.endswith("json"):
        try:
            return _parse_json(page)
        except (ValueError, AttributeError, KeyError) as error:
            raise IndexUnreachable(f"{url} answered JSON that is not a simple-API page: {error}") from error
    links = _Links()
    links.feed(page)
    return links.files


def project_files(simple_url: str, name: str, index_name: str) -> list[str]:
    """The names of the files a simple index lists for project `name` (normalised); none on a 404.

    An index that does not answer raises IndexUnreachable (exit 1).
    """
    return [file.filename for file in release_files(simple_url, name, index_name)]
