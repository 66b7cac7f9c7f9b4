"""Reading a Dockerfile: the images its stages start FROM."""

from __future__ import annotations

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
