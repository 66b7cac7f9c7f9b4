"""The command line: click only. `app` holds the group and `main`; one module per command parses
its arguments, calls `mono.commands`, and renders the result."""

from mono.cli.app import cli, main, main_entry

__all__ = ["cli", "main", "main_entry"]
