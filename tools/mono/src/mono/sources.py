"""The tool's own source files. Outside the layers, and imports nothing but os: the replay
(mono.replay) uses it before the command line is imported, and the caches of what the tool
derives from files (mono.repo.statcache) use it as those depend on the code that derived it."""

from __future__ import annotations

import os


def tool_sources() -> list[str]:
    """The folders and .py files of the installed `mono` package, in a stable order: an edit of
    one may change what any command answers."""
    package = os.path.dirname(os.path.abspath(__file__))
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        found.append(folder)
        found.extend(os.path.join(folder, name) for name in sorted(files) if name.endswith(".py"))
    return found
