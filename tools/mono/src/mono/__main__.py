"""`python -m mono`."""

import sys

from mono import keep_bytecode

keep_bytecode()

from mono.cli import main  # noqa: E402 - after keep_bytecode, so the CLI's modules are kept too

sys.exit(main())
