"""`python -m mono`."""

import sys
from collections.abc import Callable

from mono import collect_garbage_seldom, keep_bytecode, replay

keep_bytecode()
collect_garbage_seldom()


def _load_main() -> Callable[[], int]:
    # Imported only when the command runs: a replayed no-op needs none of the CLI (mono.replay).
    from mono.cli import main

    return main


sys.exit(replay.entry(sys.argv[1:], _load_main))
