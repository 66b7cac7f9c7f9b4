"""Reading a Dockerfile: the images its stages start FROM, the files it COPYs by name."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)
_ARG = re.compile(r"^\s*ARG\s+(\w+)(?:=(\S*))?", re.IGNORECASE | re.MULTILINE)
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
# The build argument `./mono build` sets (--base-image); every other one keeps its default.
BASE_ARGUMENT = "BASE_IMAGE"


def _read(dockerfile: Path) -> str:
    try:
        return dockerfile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _stages(dockerfile: Path) -> list[tuple[str, str | None]]:
    """Each stage's base, with the defaults of the ARGs before the first FROM filled in (all but
    BASE_IMAGE), and the stage's name when it has one."""
    text = _read(dockerfile)
    first = _FROM.search(text)
    defaults = {m.group(1): m.group(2) for m in _ARG.finditer(text[: first.start() if first else 0]) if m.group(2)}

    def filled(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return defaults.get(name, match.group(0)) if name != BASE_ARGUMENT else match.group(0)

    return [(_VARIABLE.sub(filled, m.group(1)), m.group(2)) for m in _FROM.finditer(text)]


def _is_base_argument(image: str) -> bool:
    return any(BASE_ARGUMENT in (match.group(1), match.group(2)) for match in _VARIABLE.finditer(image))


def stage_bases(dockerfile: Path) -> list[str]:
    """The image (or earlier stage) each stage starts FROM, in order; none for a Dockerfile
    without FROM (an empty one), which Docker cannot build."""
    return [image for image, _ in _stages(dockerfile)]


def uses_base_argument(dockerfile: Path) -> bool:
    """True when a stage starts FROM the base-image argument (`FROM ${BASE_IMAGE}`): --base-image applies."""
    return any(_is_base_argument(image) for image in stage_bases(dockerfile))


def fixed_bases(dockerfile: Path) -> list[str]:
    """The images the Dockerfile's stages start FROM that the base-image argument does not choose
    and that are not earlier stages: `--base-image` cannot change these."""
    stages: set[str] = set()
    fixed = []
    for image, stage in _stages(dockerfile):
        if not _is_base_argument(image) and image.lower() not in stages and image.lower() != "scratch":
            fixed.append(image)
        if stage:
            stages.add(stage.lower())
    return list(dict.fromkeys(fixed))


def final_base(dockerfile: Path) -> str | None:
    """The image the last stage (the image that ships) is built on, through the stages it starts
    from; None when that is the base-image argument, or there is no stage."""
    stages = _stages(dockerfile)
    named = {stage.lower(): image for image, stage in stages if stage}
    image = stages[-1][0] if stages else None
    for _ in range(len(stages)):
        if image is None or image.lower() not in named:
            break
        image = named[image.lower()]
    return None if image is None or _is_base_argument(image) else image


# COPY and ADD lines (their continuations joined); the arguments are read apart.
_COPY = re.compile(r"^\s*(?:COPY|ADD)\s+(.+)$", re.IGNORECASE)
_OPTION = re.compile(r"\s*(--\S+)")
_PATTERN_CHARACTERS = frozenset("*?[$")


def _instructions(text: str) -> list[str]:
    """The Dockerfile's lines with continuations joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue  # Docker drops comment lines, inside a continued instruction too
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return [*joined, pending] if pending else joined


def _copy_arguments(rest: str) -> tuple[list[str], list[str]]:
    """The options (`--from=deps`) and the paths of a COPY/ADD line, in its JSON form or its plain one."""
    options: list[str] = []
    while (option := _OPTION.match(rest)) is not None:
        options.append(option.group(1))
        rest = rest[option.end() :]
    if not rest.lstrip().startswith("["):
        return options, rest.split()
    try:
        parsed = json.loads(rest)
    except ValueError:
        return options, []
    return options, [item for item in parsed if isinstance(item, str)] if isinstance(parsed, list) else []


def named_sources(dockerfile: Path) -> list[str]:
    """The files the Dockerfile's COPY and ADD lines name one by one (`COPY config.json /app/`),
    relative to the context: no folders (`templates/`), patterns, variables, URLs, heredocs or
    files of other stages (`--from`). These ship in its context even when git does not track them."""
    named: list[str] = []
    for line in _instructions(_read(dockerfile)):
        found = _COPY.match(line)
        if not found:
            continue
        options, paths = _copy_arguments(found.group(1))
        if any(option.startswith("--from") for option in options):
            continue
        for source in paths[:-1]:  # the last one is the destination
            if source.endswith("/") or "://" in source or source.startswith("<<") or _PATTERN_CHARACTERS & set(source):
                continue
            relative = posixpath.normpath(source.lstrip("/"))
            if relative not in {".", ".."} and not relative.startswith("../"):
                named.append(relative)
    return list(dict.fromkeys(named))
