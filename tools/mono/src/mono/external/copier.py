"""Copier, in this process: rendering a template into a folder."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any


def render(template_root: Path, destination: Path, answers: dict[str, Any], log: Path) -> None:
    """Render the copier template at `template_root` into `destination` (new) with `answers`."""
    from copier import run_copy  # slow to import; only `new` needs it

    # copier prints notes ("No git tags found in template") and warns that a dirty template is
    # used as it is: both go to the log, not to the user.
    with log.open("a", encoding="utf-8") as sink, contextlib.redirect_stderr(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_copy(
            str(template_root),
            str(destination),
            data=answers,
            defaults=True,
            overwrite=False,
            quiet=True,
            unsafe=False,
        )
