"""The package index: one setting, pip's, serves pip and Poetry alike."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache

# pip's configuration keys, strongest first (pip itself reads env over [install] over [global]).
_PIP_KEYS = (":env:.index-url", "install.index-url", "global.index-url")


def _pip_default_index() -> str:
    # pip knows the public index's address; asking it keeps every host name out of our files.
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


def _pip_configured_index() -> str | None:
    try:
        listing = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    values: dict[str, str] = {}
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return next((values[key] for key in _PIP_KEYS if values.get(key)), None)


@cache
def index_url() -> str:
    """The simple-API index to install from: PIP_INDEX_URL, else pip's config, else pip's default."""
    return os.environ.get("PIP_INDEX_URL") or _pip_configured_index() or _pip_default_index()
