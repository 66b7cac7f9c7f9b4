"""mono: one front door for a Poetry monorepo."""

import os
import sys

__version__ = "0.1.0"


def keep_bytecode() -> None:
    """Let the tool's own process keep the bytecode it compiles, inside its own venv.

    Where PYTHONDONTWRITEBYTECODE is set (CI, many containers, these machines), every start of
    the tool compiled Poetry and the tool from source again: 0.15 s a command, 1.8 s for the
    Poetry worker. Compiling the whole venv at bootstrap instead took 8 s of a fresh clone's
    first run. So the tool writes what it imports to `pycache/` inside its venv (sys.prefix) and
    nowhere else: the setting's purpose, no __pycache__ in the user's folders, still holds, and
    the processes the tool starts inherit the setting untouched."""
    if sys.dont_write_bytecode and sys.pycache_prefix is None and sys.prefix != sys.base_prefix:
        sys.pycache_prefix = os.path.join(sys.prefix, "pycache")
        sys.dont_write_bytecode = False


def collect_garbage_seldom() -> None:
    """Run Python's cycle collector every 50,000 new objects instead of every 700.

    A command on a large repository loads its caches as hundreds of thousands of small lists
    and tuples, all kept to the end: at the default thresholds the collector walks them again
    and again and finds nothing (15 % of `affected` on 10,000 projects). The tool's cycles are
    few and its processes short, so collecting seldom costs little memory; mypy and Instagram's
    servers raise the threshold for the same reason."""
    import gc

    gc.set_threshold(50_000, 20, 20)
