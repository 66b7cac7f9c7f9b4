"""poetry.lock as Poetry's Locker writes it, rendered straight to text instead of through tomlkit.

Poetry's Locker decides what a lock holds (`_lock_packages`: each package's fields, dependencies,
markers, groups, files, source) and then builds a tomlkit document of it to write: every file
of every package becomes a tomlkit inline table, and tomlkit's item machinery converts each
value. For locks with numpy's and pandas' wheels that building took 1.6 s of a cold lock of 20
projects (a third of it); rendering the same values to text here takes milliseconds.

The text is tomlkit's, byte for byte (tests compare it with Poetry's own writer on generated
packages and with `poetry lock` on real projects): the `[[package]]` tables with their plain
values first and their table values after, in insertion order (tomlkit's rule for a dict that
becomes a table of an array of tables); inline tables for a dependency's constraints and for
per-group markers; `files` and a dependency's several constraints as one entry a line; bare keys
where TOML allows, else quoted; basic strings escaped as tomlkit escapes them.

Only what Poetry's Locker puts in a lock is rendered; anything else raises UnexpectedLockValue,
and the worker then writes with Poetry's own writer.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any


class UnexpectedLockValue(Exception):
    """A value this renderer does not know how tomlkit writes."""


_BARE = frozenset(string.ascii_letters + string.digits + "-_")
_COMPACT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPED = {**{chr(code): f"\\u{code:04x}" for code in (*range(0x20), 0x7F)}, **_COMPACT}
_NEEDS_ESCAPE = frozenset(_ESCAPED)


def basic_string(value: str) -> str:
    """A TOML basic string, escaped as tomlkit escapes it."""
    if _NEEDS_ESCAPE.isdisjoint(value):
        return f'"{value}"'
    return '"' + "".join(_ESCAPED.get(character, character) for character in value) + '"'


def key(name: str) -> str:
    """A key: bare when it is only letters, digits, `-` and `_`, else a basic string."""
    return name if name and _BARE.issuperset(name) else basic_string(name)


def _is_table(value: object) -> bool:
    """A dict tomlkit writes as a table of its own: any but its inline tables."""
    from tomlkit.items import InlineTable

    return isinstance(value, Mapping) and not isinstance(value, InlineTable)


def inline(value: object) -> str:
    """A value on one line: string, boolean, array, inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return basic_string(str(value))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key(str(name))} = {inline(item)}" for name, item in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    unwrap = getattr(value, "unwrap", None)  # tomlkit's Bool, which is no bool
    if callable(unwrap):
        plain = unwrap()
        if isinstance(plain, bool | str):
            return inline(plain)
    raise UnexpectedLockValue(f"{type(value).__name__}: {value!r}")


def one_a_line(values: Sequence[Any]) -> str:
    """An array of one element a line (tomlkit's multiline array); `[]` when empty."""
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {inline(value)},\n" for value in values) + "]"


def _lines(table: Mapping[str, Any], multiline: frozenset[str]) -> str:
    return "".join(
        f"{key(name)} = {one_a_line(value) if name in multiline else inline(value)}\n" for name, value in table.items()
    )


def _package(spec: Mapping[str, Any]) -> str:
    # tomlkit's order for a table of an array of tables: plain values first, dicts after.
    ordered = sorted(spec.items(), key=lambda entry: isinstance(entry[1], Mapping))
    values = {name: value for name, value in ordered if not _is_table(value)}
    text = "\n[[package]]\n" + _lines(values, frozenset({"files"}))
    for name, value in ordered:
        if _is_table(value):
            # A dependency with several constraints has them one a line; nothing else does.
            several = frozenset(n for n, v in value.items() if name == "dependencies" and isinstance(v, list))
            if name != "dependencies" and any(isinstance(v, Mapping) for v in value.values()):
                raise UnexpectedLockValue(f"a table in [package.{name}]")
            text += f"\n[package.{key(name)}]\n" + _lines(value, several)
    return text


def render(comment: str, packages: Sequence[Mapping[str, Any]], extras: Mapping[str, Any] | None,
           metadata: Mapping[str, Any]) -> str:  # fmt: skip
    """The text of a lock: `comment`, the packages as Poetry's `_lock_packages` gives them (files
    as plain dicts), the root's extras when it has any, and the metadata table."""
    # No packages is an empty array, not an array of tables (a project without dependencies).
    text = f"# {comment}\n" + ("".join(_package(spec) for spec in packages) if packages else "package = []\n")
    if extras:
        text += "\n[extras]\n" + _lines(extras, frozenset())
    return text + "\n[metadata]\n" + _lines(metadata, frozenset())


def plain(value: Any) -> Any:
    """The value as tomllib reads it back: tomlkit's items unwrapped, containers copied."""
    if isinstance(value, Mapping):
        return {str(name): plain(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    unwrap = getattr(value, "unwrap", None)
    return plain(unwrap()) if callable(unwrap) else value


class RenderedLock(dict[str, Any]):
    """What Poetry's Locker computes to write, as the plain data tomllib reads back (Poetry
    compares it with the lock on disk to decide whether to write) and its text (`as_string`,
    which Poetry's writer calls, as it would on a tomlkit document)."""

    def __init__(self, data: Mapping[str, Any], text: str) -> None:
        super().__init__(data)
        self.text = text

    def as_string(self) -> str:
        return self.text


if TYPE_CHECKING:
    from poetry.core.packages.package import Package
    from poetry.packages.locker import Locker
    from poetry.packages.transitive_package_info import TransitivePackageInfo


@functools.cache
def text_locker_class() -> type[Locker]:
    """Poetry's Locker, writing its lock through `render`: the same decisions, another writer."""
    from poetry.packages.locker import GENERATED_COMMENT, Locker

    class TextLocker(Locker):
        def _compute_lock_data(self, root: Package, packages: dict[Package, TransitivePackageInfo]) -> Any:
            specs = self._lock_packages(packages)
            for spec in specs:  # as Poetry's writer has them: each file's keys sorted
                spec["files"] = [dict(sorted(entry.items())) for entry in spec["files"]]
            extras: dict[str, list[str]] = {
                extra: sorted(dependency.pretty_name for dependency in dependencies)
                for extra, dependencies in sorted(root.extras.items())
            }
            metadata = {
                "lock-version": self._VERSION,
                "python-versions": root.python_versions,
                "content-hash": self._content_hash,
            }
            try:
                text = render(GENERATED_COMMENT, specs, extras, metadata)
            except UnexpectedLockValue:
                return super()._compute_lock_data(root, packages)  # Poetry's own writer
            data = {"package": specs, **({"extras": extras} if extras else {}), "metadata": metadata}
            return RenderedLock(plain(data), text)

    return TextLocker
