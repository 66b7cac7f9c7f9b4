"""The apps the infrastructure deploys: the `apps` map of infra/tf/gcp/variables.tf (docs/infra.md).

Read and edited as lines, not as HCL: the map holds one `"name" = {...}` entry per app, and an
entry is added the way `terraform fmt` writes it (equals signs aligned in a run of one-line
entries), so the file stays formatted. A file in any other shape is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

APPS_FILE = "infra/tf/gcp/variables.tf"

_VARIABLE = re.compile(r'^variable\s+"apps"\s*\{\s*$')
_DEFAULT_OPEN = re.compile(r"^(\s*)default(\s*)=\s*\{\s*$")
_DEFAULT_EMPTY = re.compile(r"^(\s*)default(\s*)=\s*\{\s*\}\s*$")
_ENTRY = re.compile(r'^(\s*)("?)([A-Za-z0-9_-]+)\2(\s*)=\s*(.*?)\s*$')


@dataclass(frozen=True)
class AppsMap:
    """Where the default map sits in the file's lines: `start` is the `default = {` line,
    `end` the line that closes it (equal to `start` for a one-line `default = {}`)."""

    lines: tuple[str, ...]
    start: int
    end: int

    def names(self) -> frozenset[str]:
        """The apps the map has an entry for."""
        found = (_ENTRY.match(line) for line in self._entry_lines())
        return frozenset(match.group(3) for match in found if match)

    def _entry_lines(self) -> list[str]:
        """The map's lines at its top level (lines inside a multi-line entry left out)."""
        top: list[str] = []
        depth = 0
        for line in self.lines[self.start + 1 : self.end]:
            if depth == 0:
                top.append(line)
            depth += line.count("{") - line.count("}")
        return top


def read_apps_map(root: Path) -> AppsMap | None:
    """The default map of the `apps` variable, or None when the file or the map is not there
    (or not in the shape this module edits)."""
    try:
        text = (root / APPS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _find_map(tuple(text.splitlines()))


def _find_map(lines: tuple[str, ...]) -> AppsMap | None:
    inside = False
    for index, line in enumerate(lines):
        if _VARIABLE.match(line):
            inside = True
        elif inside and _DEFAULT_EMPTY.match(line):
            return AppsMap(lines, index, index)
        elif inside and (opened := _DEFAULT_OPEN.match(line)):
            closing = f"{opened.group(1)}}}"
            end = next((i for i in range(index + 1, len(lines)) if lines[i].rstrip() == closing), None)
            return AppsMap(lines, index, end) if end is not None else None
        elif inside and line.startswith("}"):
            return None  # the variable ended without a default map
    return None


def with_app(apps: AppsMap, name: str) -> str:
    """The file's text with `"name" = {}` added at the end of the map, aligned as terraform fmt does."""
    lines = list(apps.lines)
    if apps.start == apps.end:  # default = {}: open it up
        opened = _DEFAULT_EMPTY.match(lines[apps.start])
        assert opened is not None
        indent = opened.group(1)
        lines[apps.start : apps.start + 1] = [f"{indent}default{opened.group(2)}= {{", f"{indent}}}"]
        end = apps.start + 1
        entry_indent = indent + "  "
    else:
        end = apps.end
        entry_indent = lines[apps.start][: len(lines[apps.start]) - len(lines[apps.start].lstrip())] + "  "
    lines.insert(end, f'{entry_indent}"{name}" = {{}}')
    _align_run(lines, end)
    return "\n".join(lines) + "\n"


def _align_run(lines: list[str], index: int) -> None:
    """Align the equals signs of the run of one-line entries that holds line `index`."""

    def one_line(i: int) -> bool:
        found = _ENTRY.match(lines[i]) if 0 <= i < len(lines) else None
        return found is not None and found.group(5).count("{") == found.group(5).count("}")

    first = index
    while one_line(first - 1):
        first -= 1
    last = index
    while one_line(last + 1):
        last += 1
    matches = [_ENTRY.match(lines[i]) for i in range(first, last + 1)]
    width = max(len(m.group(2) * 2 + m.group(3)) for m in matches if m)
    for offset, found in enumerate(matches):
        assert found is not None
        key = found.group(2) + found.group(3) + found.group(2)
        lines[first + offset] = f"{found.group(1)}{key.ljust(width)} = {found.group(5)}"


def add_app(root: Path, name: str) -> bool:
    """Give app `name` an entry in the infrastructure's apps map; False when there is no map
    or it has one already."""
    apps = read_apps_map(root)
    if apps is None or name in apps.names():
        return False
    (root / APPS_FILE).write_text(with_app(apps, name), encoding="utf-8")
    return True
