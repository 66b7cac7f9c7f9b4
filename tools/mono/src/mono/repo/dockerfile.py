"""Reading a Dockerfile: the images its stages start FROM."""

from __future__ import annotations

import re
from pathlib import Path

_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)


def stage_bases(dockerfile: Path) -> list[str]:
    """The image (or earlier stage) each stage starts FROM, in order; none for a Dockerfile
    without FROM (an empty one), which Docker cannot build."""
    try:
        text = dockerfile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [match.group(1) for match in _FROM.finditer(text)]


def uses_base_argument(dockerfile: Path) -> bool:
    """True when a stage starts FROM a build argument (`FROM ${BASE_IMAGE}`): --base-image applies."""
    return any("$" in image for image in stage_bases(dockerfile))


def fixed_bases(dockerfile: Path) -> list[str]:
    """The images the Dockerfile's stages start FROM that no build argument chooses and that are
    not earlier stages: `--base-image` cannot change these."""
    stages: set[str] = set()
    fixed = []
    for match in _FROM.finditer(dockerfile.read_text(encoding="utf-8", errors="replace")):
        image, stage = match.group(1), match.group(2)
        if "$" not in image and image.lower() not in stages and image.lower() != "scratch":
            fixed.append(image)
        if stage:
            stages.add(stage.lower())
    return list(dict.fromkeys(fixed))
