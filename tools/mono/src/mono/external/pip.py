"""pip: downloading locked wheels for another platform (a base image's)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mono.external.proc import child_environment, run


@dataclass(frozen=True)
class ExtraIndexes:
    """The package indexes a lock names besides the default one (Poetry sources), as its export
    gives them: URLs may carry credentials, so they travel in pip's environment, never in argv."""

    index_url: str = ""  # a primary source that replaces the default index; "" keeps pip's
    extra_index_urls: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.index_url or self.extra_index_urls or self.trusted_hosts)


# pip reads a setting from its environment over its [download] section over [global]; a variable
# replaces the configured value instead of adding to it, so the configured one is carried over.
_SCOPES = (":env:", "download", "global")


def _configured(settings: dict[str, str], key: str) -> list[str]:
    return next((settings[f"{scope}.{key}"].split() for scope in _SCOPES if settings.get(f"{scope}.{key}")), [])


def _pip_settings(cwd: Path) -> dict[str, str]:
    """pip's configuration (`pip config list`) as key -> value; empty when pip cannot say."""
    command = [sys.executable, "-m", "pip", "config", "list"]
    result = run(command, cwd=cwd, env=child_environment(), check=False, stderr="discarded", timeout=60)
    settings = {}
    for line in result.output.splitlines() if result.returncode == 0 else []:
        key, _, value = line.partition("=")
        settings[key.strip()] = value.strip().strip("'\"")
    return settings


def _index_environment(indexes: ExtraIndexes, cwd: Path) -> dict[str, str]:
    """pip's environment variables for `indexes`, on top of what pip is configured with."""
    if not indexes:
        return {}
    settings = _pip_settings(cwd)
    env = {}
    if indexes.index_url:
        env["PIP_INDEX_URL"] = indexes.index_url
    if indexes.extra_index_urls:
        extras = [*_configured(settings, "extra-index-url"), *indexes.extra_index_urls]
        env["PIP_EXTRA_INDEX_URL"] = " ".join(dict.fromkeys(extras))
    if indexes.trusted_hosts:
        trusted = [*_configured(settings, "trusted-host"), *indexes.trusted_hosts]
        env["PIP_TRUSTED_HOST"] = " ".join(dict.fromkeys(trusted))
    return env


def download_wheels(
    requirements: Path,
    destination: Path,
    options: Sequence[str],
    cwd: Path,
    log: Path,
    indexes: ExtraIndexes | None = None,
) -> None:
    """Download the hashed `requirements` as wheels into `destination` (no dependencies resolved),
    from pip's index and `indexes` (whose credentials pip keeps out of what it prints)."""
    download = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--progress-bar", "off"]
    download += ["--disable-pip-version-check", "--dest", str(destination), "-r", str(requirements)]
    env = child_environment(**_index_environment(indexes or ExtraIndexes(), cwd))
    run([*download, *options], cwd=cwd, env=env, log=log)
