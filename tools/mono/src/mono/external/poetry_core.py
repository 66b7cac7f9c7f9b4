"""poetry-core as a library: editable wheels built in this process, not by a build frontend.

uv builds an editable install of a path project through PEP 517: a fresh build environment with
poetry-core in it, then a Python process that imports poetry-core and calls `build_editable`:
about a second a library, most of it starting Python and importing poetry-core (two thirds of
a cold `install --all` of 20 projects). The tool's own venv has poetry-core already (Poetry
needs it, at the version the tool pins), so when a project's `[build-system]` asks for exactly
that backend and allows that version, the same hook runs here, in about 10 ms a library once
poetry-core is imported (0.5 s, once per process). Any other build system is left to uv.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

BACKEND = "poetry.core.masonry.api"
# Builds share poetry-core's module state (its schema cache, its loggers): one at a time, and
# each takes milliseconds.
_BUILDING = threading.Lock()


class NotBuiltHere(Exception):
    """poetry-core could not build the project here; the build frontend should, and say why."""


def pinned_version() -> str:
    """The version of poetry-core in the tool's own environment."""
    from importlib.metadata import version

    return version("poetry-core")


def builds_here(pyproject: Mapping[str, Any]) -> bool:
    """True when the pyproject.toml `pyproject` (its tables) is built by poetry-core alone, in a
    version range that holds the pinned poetry-core, and without a build script: building it
    here gives the wheel an isolated build of that version gives."""
    build_system = pyproject.get("build-system")
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, Mapping) else None
    # A build script (`[tool.poetry.build]`) runs in the interpreter that builds, and the wheel is
    # tagged for it: the tool's interpreter is not the venv's.
    if not isinstance(build_system, Mapping) or (isinstance(poetry, Mapping) and "build" in poetry):
        return False
    requires = build_system.get("requires")
    if build_system.get("build-backend") != BACKEND or "backend-path" in build_system:
        return False
    if not isinstance(requires, list) or len(requires) != 1 or not isinstance(requires[0], str):
        return False
    try:
        requirement = Requirement(requires[0])
    except InvalidRequirement:
        return False
    if canonicalize_name(requirement.name) != "poetry-core" or requirement.extras or requirement.url:
        return False
    if requirement.marker is not None and not requirement.marker.evaluate():
        return False
    return requirement.specifier.contains(pinned_version(), prereleases=True)


def build_editable_wheel(folder: Path, into: Path) -> Path:
    """The editable wheel of the project in `folder`, built into the folder `into` as poetry-core's
    PEP 660 `build_editable` builds it (its groups left out, as the hook leaves them)."""
    # Imported here: 0.5 s, paid only by an install that has an editable to build.
    from poetry.core.factory import Factory
    from poetry.core.masonry.builders.wheel import WheelBuilder

    with _BUILDING, _quiet():
        try:
            poetry = Factory().create_poetry(folder, with_groups=False)
            return into / WheelBuilder.make_in(poetry, into, editable=True)
        except Exception as error:  # any failure of the backend: uv builds it, and reports it
            raise NotBuiltHere(f"{type(error).__name__}: {error}") from error


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """poetry-core logs each build ("Building wheel") and warns of deprecated tables; uv's build
    of the same project would say so in the project's log, never on the tool's console."""
    logger = logging.getLogger("poetry.core")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
