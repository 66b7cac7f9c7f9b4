"""Watching a run (see mono.replay): text streams that keep what is printed, os.scandir entries
and functions of `os` that tell the recorder each path they observe."""

from __future__ import annotations

import os
from typing import Any, Protocol, TextIO

from mono.replay.answer import Signature, signature_of


class WouldWork(BaseException):
    """Raised in the quiet run (mono.replay.recording.prime) where it would do more than answer:
    start a program, open a socket, write outside the tool's state or past its text streams. A
    BaseException, so that no handler of the command's turns it into an answer; the run then
    ends unrecorded."""


class Observer(Protocol):
    """What the watchers tell (mono.replay.recording.Recorder)."""

    active: bool

    def taint(self, reason: str) -> None: ...

    def keep_output(self, fd: int, data: bytes) -> None: ...

    def witness(self, path: Any, follow: bool) -> None: ...

    def witnessed(self, path: Any, follow: bool, seen: Signature) -> None: ...


class Tee:
    """A text stream that also keeps what was written to it, in order with the other stream."""

    def __init__(self, stream: TextIO, fd: int, recorder: Observer, quiet: bool = False) -> None:
        self._stream = stream
        self._fd = fd
        self._recorder = recorder
        self._quiet = quiet  # keeps what is written, and writes none of it

    def write(self, text: str) -> int:
        self._recorder.keep_output(self._fd, text.encode(self.encoding, self.errors or "strict"))
        return len(text) if self._quiet else self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        # encoding, errors, isatty, fileno, flush...: click and rich ask for them. Bytes written
        # to .buffer are not kept, so a run that writes any is not recorded (Recorder.finish).
        if name == "buffer":
            self._recorder.taint("wrote bytes to a standard stream")
            if self._quiet:
                raise WouldWork("would write bytes to a standard stream")
        return getattr(self._stream, name)


class Entry:
    """An os.DirEntry whose answers about the entry itself are witnessed (its folder's stat covers
    only the names in it)."""

    __slots__ = ("_entry", "_recorder", "name", "path")

    def __init__(self, entry: os.DirEntry[str], recorder: Observer) -> None:
        self._entry = entry
        self._recorder = recorder
        self.name = entry.name
        self.path = entry.path

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        self._recorder.witness(self.path, follow_symlinks)
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        self._recorder.witness(self.path, follow_symlinks)
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def is_symlink(self) -> bool:
        self._recorder.witness(self.path, False)
        return self._entry.is_symlink()

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        self._recorder.witness(self.path, follow_symlinks)
        return self._entry.stat(follow_symlinks=follow_symlinks)

    def inode(self) -> int:
        self._recorder.witness(self.path, False)
        return self._entry.inode()

    def __fspath__(self) -> str:
        return self.path


class Listing:
    """os.scandir's iterator, handing out witnessed entries."""

    def __init__(self, inner: Any, recorder: Observer) -> None:
        self._inner = inner
        self._recorder = recorder

    def __iter__(self) -> Listing:
        return self

    def __next__(self) -> Entry:
        entry = next(self._inner)
        return Entry(entry, self._recorder) if isinstance(entry.path, str) else entry

    def __enter__(self) -> Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()

    def close(self) -> None:
        self._inner.close()


def _stat_watchers(recorder: Observer, stat: Any) -> tuple[Any, Any]:
    """os.stat and os.lstat that tell the recorder what they found (no second stat)."""

    def watched_stat(path: Any, *args: Any, dir_fd: int | None = None, follow_symlinks: bool = True) -> Any:
        if dir_fd is not None:
            recorder.taint("a stat relative to a folder descriptor")
        try:
            found = stat(path, *args, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
        except (FileNotFoundError, NotADirectoryError):
            recorder.witnessed(path, follow_symlinks, None)
            raise
        recorder.witnessed(path, follow_symlinks, signature_of(found, follow_symlinks))
        return found

    def watched_lstat(path: Any, *args: Any, dir_fd: int | None = None) -> Any:
        return watched_stat(path, *args, dir_fd=dir_fd, follow_symlinks=False)

    return watched_stat, watched_lstat


def wrap_os(recorder: Observer) -> dict[str, Any]:
    """Put watching versions of the functions of `os` that observe files in place; returns
    the originals, for unwrap_os."""
    originals = {name: getattr(os, name) for name in ("stat", "lstat", "access", "readlink", "scandir")}

    def watched_access(path: Any, mode: int, *args: Any, **options: Any) -> Any:
        if options.get("dir_fd") is not None:
            recorder.taint("an access check relative to a folder descriptor")
        recorder.witness(path, options.get("follow_symlinks", True))
        return originals["access"](path, mode, *args, **options)

    def watched_readlink(path: Any, *args: Any, **options: Any) -> Any:
        if options.get("dir_fd") is not None:
            recorder.taint("a readlink relative to a folder descriptor")
        recorder.witness(path, False)
        return originals["readlink"](path, *args, **options)

    def watched_scandir(path: Any = ".") -> Any:
        listing = originals["scandir"](path)
        return Listing(listing, recorder) if recorder.active and not isinstance(path, int) else listing

    watched_stat, watched_lstat = _stat_watchers(recorder, originals["stat"])
    os.stat, os.lstat, os.access = watched_stat, watched_lstat, watched_access
    os.readlink, os.scandir = watched_readlink, watched_scandir
    return originals


def unwrap_os(originals: dict[str, Any]) -> None:
    for name, function in originals.items():
        setattr(os, name, function)
