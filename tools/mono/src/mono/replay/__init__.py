"""A no-op answered from its last run: when nothing the last run of the same command line looked at
has changed, print what it printed and exit as it exited, without importing the CLI.

A warm `./mono install --all` spends 0.2 s starting a Python CLI (imports, discovery, a stat of
every input) to say that nothing changed; uv's warm sync takes 0.04 s. Build tools answer such a
no-op from what they recorded (ninja's log, Turborepo's replayed output); this is the same idea.

Sound by construction rather than by a list of inputs kept by hand. While a command runs, the
recorder wraps the functions that observe files (os.stat, os.lstat, os.access, os.readlink,
os.scandir and its entries) and listens to the interpreter's audit events (every open, listing,
write, program start and socket). The run is recorded only if it
- is one of the commands in REPLAYABLE, exits 0 and printed less than a megabyte;
- started no program and opened no socket (a program's answer is not a file we can stat);
- wrote only inside the repository's .mono/, the tool's user cache and its bytecode folder;
- saw nothing change under it while it ran.
The record holds the stat (inode, size, mtime, ctime, mode, owner) of every path the run
observed, the tool's own sources, the command line, the folder, the environment and the terminal.
A later run with all of them equal replays the record; anything else runs the command, which
records again. MONO_NO_REPLAY=1 turns replay off.

The records are kept in the tool's user cache, not in the repository: read-only commands write
nothing inside it, and a repository cannot carry a forged record in its `.mono/`.

This package sits outside the layers on purpose: it runs before the CLI is imported (answer.py
imports almost nothing), and records by watching the process, not by calling the layers:
answer.py checks and prints a record, watch.py and recording.py make one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from mono.replay.answer import PRIMING, replayed


def entry(argv: Sequence[str], load_main: Callable[[], Callable[[], int]]) -> int:
    """Replay `argv` if its last answer still holds; else run the command line (the `main` that
    `load_main` imports) while recording it. After an install that did work, the same
    command line runs once more, quietly, to record the answer the next run will give."""
    if PRIMING in os.environ:
        from mono.replay import recording

        return recording.record_quietly(argv, load_main)
    code = replayed(argv)
    if code is not None:
        return code
    from mono.replay import recording

    recorder = recording.start(argv)
    try:
        code = load_main()()
    finally:
        if recorder is not None:
            recorder.stop()
    if recorder is not None:
        recorder.finish(code)
        if code == 0:
            recording.prime(argv, recorder)
    return code


def root_used(root: str) -> None:
    """The CLI tells the recorder which repository it acted on (a record is kept only when it is
    the one the recorder expected)."""
    from mono.replay import recording

    recording.root_used(root)
