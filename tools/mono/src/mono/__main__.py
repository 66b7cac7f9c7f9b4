"""`python -m mono`."""

import sys

from mono.cli import main

sys.exit(main())
