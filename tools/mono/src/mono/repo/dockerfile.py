"""Reading a Dockerfile: the images its stages start FROM."""

from __future__ import annotations

import re
from pathlib import Path

_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE | re.MULTILINE)


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
