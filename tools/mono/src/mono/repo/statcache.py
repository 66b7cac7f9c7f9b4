"""What the tool knows of a file while a stat of it says it did not change: its sha256 (the
cache keys of install and test), a folder's listing, and (mono.repo.facts) what a pyproject.toml
says, so an unchanged file is not read again.

A file is stat'ed before it is read, and what was learnt is trusted only while the stat
matches in full: modification and change time in nanoseconds, size and inode (a rewrite moves
the first, `os.utime` putting the mtime back moves the change time, a replace the inode). A
file changed just now (0.1 s; 2 s where times are whole seconds) is not remembered at all: a
second write within the same clock tick would leave all of those as they were (git's "racy"
rule). The caches are JSON files written atomically; one that is damaged, hostile or of another
format is discarded whole.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from mono.model.layout import file_hash_cache, folder_cache
from mono.racy import changed_too_recently
from mono.repo.state import write_atomically
from mono.sources import tool_sources

logger = logging.getLogger("mono")

# Past this many entries, those not used by this run are dropped when the cache is saved.
MAX_ENTRIES = 100_000
# A cache file larger than this is not ours (ours hold ~300 B per pyproject, ~150 B per hash).
MAX_BYTES = 512 * 1024 * 1024

V = TypeVar("V")


class Signature(NamedTuple):
    """What a stat says of a file. A tuple, not a dataclass: thousands are compared per run."""

    mtime_ns: int
    ctime_ns: int
    size: int
    inode: int


def signature(path: str | Path) -> Signature | None:
    """The stat of `path` (symlinks followed, as a read follows them); None when it has none."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in a path a file wrote
        return None
    return Signature(status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino)


@functools.cache
def sources_fingerprint() -> str:
    """A digest of the stat of every source file of the tool, for a cache of what its code
    derives: another version of the tool (or an edit of it) starts a new cache."""
    seen = [f"{path} {signature(path)}" for path in tool_sources()]
    return hashlib.sha256("\n".join(seen).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def is_racy(seen: Signature, now_ns: int) -> bool:
    """True when the file changed so recently that another change could leave its stat as it is
    (mono.racy: the replay's rule too, so that a run right after another one caches what that one
    could not, and the next run finds the cache as it left it)."""
    return changed_too_recently(seen.mtime_ns, seen.ctime_ns, now_ns)


class StatCache(Generic[V]):
    """Repo-relative path -> (Signature, value), kept in one JSON file; safe to share between threads.

    An entry is a list `[mtime_ns, ctime_ns, size, inode, value]`, checked when it is used, not
    when the file is loaded: tens of thousands are loaded, and a check of each costs more than
    the reads it saves. One that is not what this cache stores makes the whole file damaged."""

    def __init__(self, file: Path, kind: str, valid: Callable[[object, bool], bool]) -> None:
        """A cache kept at `file`; `valid(value, strict)` says whether a value read back from it
        is one this cache could have stored (`strict`: the file holds a `null` somewhere, which
        none of ours does, so the value must be checked in full)."""
        self.file = file
        self._format = f"mono {kind} 1 python {sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
        self._valid = valid
        self._lock = threading.Lock()
        self._entries: dict[str, Any] | None = None
        self._strict = False
        self._used: set[str] = set()
        self._changed = False

    def get(self, key: str, seen: Signature) -> V | None:
        """The value remembered for `key`, if it was learnt from a file with the stat `seen`."""
        with self._lock:
            entries = self._loaded()
            self._used.add(key)
            entry = entries.get(key)
            if entry is None:
                return None
            if not (isinstance(entry, list) and len(entry) == 5):
                self._entries = self._damaged()
                return None
            if not (entry[0] == seen[0] and entry[1] == seen[1] and entry[2] == seen[2] and entry[3] == seen[3]):
                return None
            if not self._valid(entry[4], self._strict):
                self._entries = self._damaged()
                return None
            value: V = entry[4]
            return value

    def entries(self) -> dict[str, Any]:
        """Every entry as loaded, unchecked, for a caller that checks each one it uses as `get`
        would (see walk_listings) and then says which it used (`used`)."""
        with self._lock:
            return self._loaded()

    def used(self, keys: list[str]) -> None:
        """Keep `keys` when the cache is saved without its unused entries."""
        with self._lock:
            self._used.update(keys)

    def put(self, key: str, seen: Signature, value: V) -> None:
        """Remember `value`, learnt from `key` after a stat gave `seen`; not for a racy file."""
        with self._lock:
            entries = self._loaded()
            self._used.add(key)
            if is_racy(seen, time.time_ns()):
                self._changed |= entries.pop(key, None) is not None
            elif entries.get(key) != [*seen, value]:
                entries[key] = [*seen, value]
                self._changed = True

    def save(self, keep_unused: bool = True) -> None:
        """Write the cache when this run changed it (or, without `keep_unused`, when it holds
        entries this run did not use); one that cannot be written is left unwritten."""
        with self._lock:
            entries = self._loaded()
            if not keep_unused or len(entries) > MAX_ENTRIES:
                unused = [key for key in entries if key not in self._used]
                for key in unused:
                    del entries[key]
                self._changed |= bool(unused)
            if not self._changed:
                return
            try:
                data = json.dumps({"format": self._format, "entries": entries}, separators=(",", ":"))
                write_atomically(self.file, data.encode("utf-8", "surrogateescape"))
            except (OSError, ValueError, RecursionError) as error:
                logger.debug("could not save %s: %s", self.file, error)
                return
            self._changed = False

    def _loaded(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, Any]:
        try:
            if self.file.stat().st_size > MAX_BYTES:
                raise ValueError("too large")
            raw = self.file.read_bytes()
            data = json.loads(raw)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError):  # ValueError: not JSON, not UTF-8
            return self._damaged()
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            return self._damaged()
        if data.get("format") != self._format:
            return {}  # another version's: rebuilt, not damage
        self._strict = b"null" in raw
        entries: dict[str, Any] = data["entries"]
        return entries

    def _damaged(self) -> dict[str, Any]:
        logger.warning("discarded a damaged cache file %s; what it held will be read again", self.file)
        self._changed = True  # the next save replaces it
        with contextlib.suppress(OSError):
            self.file.unlink(missing_ok=True)
        return {}


# --- file hashes ---------------------------------------------------------------------------------


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_sha256(value: object, strict: bool) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


_hashes: dict[Path, StatCache[str]] = {}
_hashes_lock = threading.Lock()


def file_hashes(root: Path) -> StatCache[str]:
    """The hash cache of the repository at `root` (.mono/state/), one per process."""
    with _hashes_lock:
        if root not in _hashes:
            _hashes[root] = StatCache(file_hash_cache(root), "file-hashes", _is_sha256)
        return _hashes[root]


def save_file_hashes() -> None:
    """Save the hash caches this process changed, and forget them (a later run stats afresh)."""
    with _hashes_lock:
        caches = list(_hashes.values())
        _hashes.clear()
    for cache in caches:
        cache.save()


def file_sha256(root: Path, relative: str) -> bytes | None:
    """The sha256 of repo-relative file `relative`, read only when its stat changed since it was
    last hashed; None when it cannot be read."""
    path = root / relative
    cache = file_hashes(root)
    seen = signature(path)  # before the read: a change during the read shows next time
    if seen is not None:
        known = cache.get(relative, seen)
        if known is not None:
            return bytes.fromhex(known)
    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
    except (OSError, ValueError):
        return None
    if seen is not None:
        cache.put(relative, seen, digest.hex())
    return digest


# --- folder listings -----------------------------------------------------------------------------


ListingCache = StatCache[str]
_PYPROJECT_STATES = {"f": "file", "l": "link", "-": "none"}


def _is_listing(value: object, strict: bool) -> bool:
    # No empty name (a '/' at either end of the names, or two together): "" would list a folder
    # inside itself for ever.
    return (
        type(value) is str
        and len(value) >= 2
        and value[0] in "g-"
        and value[1] in _PYPROJECT_STATES
        and "//" not in value
        and value[2:3] != "/"
        and (len(value) == 2 or value[-1] != "/")
    )


def folder_listings(root: Path) -> ListingCache:
    """The cache of folder listings of the repository at `root`, in the user's cache folder: a
    folder's entries change only when its own stat does (an entry added, removed or renamed)."""
    return StatCache(folder_cache(root), "folder-listings", _is_listing)


def _list(path: str) -> str:
    """A folder's entries as a ListingCache keeps them: two flags, then '/'-separated names of
    sub-folders (a name never holds '/'). OSError when it cannot be listed."""
    git, pyproject, folders = "-", "-", []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name == ".git":
                git = "g"
            if entry.name == "pyproject.toml" and not entry.is_dir(follow_symlinks=False):
                pyproject = "l" if entry.is_symlink() else ("f" if entry.is_file(follow_symlinks=False) else "-")
            elif entry.is_dir(follow_symlinks=False):
                folders.append(entry.name)
    return git + pyproject + "/".join(folders)


def walk_listings(
    cache: ListingCache, top: str, entered: Callable[[str, list[str]], Iterable[str]]
) -> list[tuple[str, str]]:
    """The folders at and below `top` (repo-relative, "" for `top`) whose entries hold a
    `pyproject.toml`, each with what it is ("file", or "link" to check each time). Walked: `top`
    and the sub-folders `entered(relative, names)` lets in of each folder walked (links to
    folders are never entered); not a folder that cannot be listed, nor one holding a `.git`
    below `top` (another repository, a submodule), nor what is below those. A folder's listing
    comes from `cache` while its stat is what it was.

    Tens of thousands of folders on a large repository: the loop is kept tight (one call of
    `entered` a folder, the stat compared field by field), and an entry that is not what the
    cache stores is listed again (its folder, not the whole file)."""
    entries = cache.entries()
    used: list[str] = []
    found: list[tuple[str, str]] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        listing = _listing(cache, entries, relative, f"{top}/{relative}" if relative else top, used)
        if listing is None or (relative and listing[0] == "g"):
            continue
        if listing[1] != "-":
            found.append((relative, _PYPROJECT_STATES[listing[1]]))
        if len(listing) > 2:
            prefix = f"{relative}/" if relative else ""
            pending.extend(prefix + name for name in entered(relative, listing[2:].split("/")))
    cache.used(used)
    return found


def _listing(cache: ListingCache, entries: dict[str, Any], relative: str, path: str, used: list[str]) -> str | None:
    """The listing of the folder `path`: the one `entries` (of `cache`) holds while the folder's
    stat is what it was (then `relative` goes into `used`), else listed now and kept; None when
    the folder cannot be stat'ed or listed."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in a name
        return None
    entry = entries.get(relative)
    if (
        type(entry) is list
        and len(entry) == 5
        and entry[0] == status.st_mtime_ns
        and entry[1] == status.st_ctime_ns
        and entry[2] == status.st_size
        and entry[3] == status.st_ino
        and _is_listing(entry[4], False)
    ):
        used.append(relative)
        listing: str = entry[4]
        return listing
    try:
        listing = _list(path)
    except OSError:
        return None
    cache.put(relative, Signature(status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino), listing)
    return listing
