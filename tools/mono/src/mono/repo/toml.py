"""Reading TOML files into plain dicts, with parse errors turned into one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mono.errors import InvalidPyproject


def read_toml(path: Path, shown_as: str) -> dict[str, Any]:
    """Parse `path`; a syntax error becomes InvalidPyproject naming `shown_as` and the line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPyproject(shown_as, f"not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise InvalidPyproject(
            shown_as, f"not UTF-8 text (byte {error.start})", "a pyproject.toml is TOML text"
        ) from error
    except RecursionError as error:
        # Arrays or tables nested thousands deep: tomllib parses them recursively.
        raise InvalidPyproject(shown_as, "nested too deep to read", "no real pyproject.toml nests so") from error
    except OSError as error:
        raise InvalidPyproject(shown_as, f"cannot be read: {error.strerror}") from error


def table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The nested table at `keys`, or an empty dict when any level is missing or not a table."""
    current: Any = data
    for key in keys:
        if not isinstance(current, dict):
            return {}
        current = current.get(key, {})
    return current if isinstance(current, dict) else {}
