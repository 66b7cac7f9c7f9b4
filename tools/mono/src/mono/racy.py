"""Git's "racy" rule, shared by the caches keyed by a file's stat (mono.repo.statcache) and the
replay of answers (mono.replay). Outside the layers, and imports nothing: the replay uses it
before the command line is imported.

A file changed this close before it was looked at may change again within the same clock tick
and keep its stat. The kernel stamps times from a clock that ticks every 1 to 10 ms; a file
system that keeps whole seconds only (FAT, ext3, HFS+) ticks every 1 or 2 s."""

from __future__ import annotations

RACY_NS = 2_000_000_000
FINE_RACY_NS = 100_000_000


def racy_window(ctime_ns: int) -> int:
    """How long after a change a path may still change unseen: a ctime in whole seconds says a
    file system that keeps no finer times."""
    return RACY_NS if ctime_ns % 1_000_000_000 == 0 else min(FINE_RACY_NS, RACY_NS)


def changed_too_recently(mtime_ns: int, ctime_ns: int, now_ns: int) -> bool:
    """True when a path with these times, looked at `now_ns`, could change again unseen."""
    return now_ns - max(mtime_ns, ctime_ns) < racy_window(ctime_ns)
