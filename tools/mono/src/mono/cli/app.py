"""The command group and `main`: parse, call a command, render; errors become one line and an exit code."""

from __future__ import annotations

import errno
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import click

from mono import __version__, collect_garbage_seldom, keep_bytecode, replay
from mono.cli.context import Repo, find_root
from mono.cli.render import escaped
from mono.errors import EXIT_USAGE, CommandFailed, Interrupted, MonoError, ReadOnlyRepository, WorkFailed
from mono.external.proc import redact, reset_stop
from mono.repo.statcache import save_file_hashes
from mono.repo.state import hide_state, refuse_links_out

# Command name -> (module of mono.cli, click command in it). A command's module is imported when
# it runs (or when --help lists them all): `list`, `graph` and `affected` must start fast.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("list", "list_command"),
    "graph": ("graph", "graph_command"),
    "affected": ("affected", "affected_command"),
    "lock": ("lock", "lock_command"),
    "install": ("install", "install_command"),
    "test": ("test", "test_command"),
    "run": ("run", "run_command"),
    "exec": ("exec", "exec_command"),
    "poetry": ("poetry", "poetry_command"),
    "build": ("build", "build_command"),
    "check": ("check", "check_command"),
    "new": ("new", "new_command"),
    "update-template": ("update_template", "update_template_command"),
    "add": ("add", "add_command"),
    "upgrade": ("upgrade", "upgrade_command"),
    "outdated": ("outdated", "outdated_command"),
    "kernel": ("kernel", "kernel_command"),
    "notebook": ("notebook", "notebook_command"),
    "publish": ("publish", "publish_command"),
    "version": ("version", "version_command"),
    "lint": ("lint", "lint_command"),
    "ci": ("ci", "ci_group"),
    "code": ("code", "code_command"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name when they are needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests close names from the commands it has loaded: here, from all of them.
        name = args[0] if args else ""
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            raise click.exceptions.NoSuchCommand(name, possibilities=list(COMMANDS), ctx=ctx)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"mono.cli.{module}"), attribute)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as error:
            refused = _refused_write(ctx, error)
            if refused is None:
                raise
            raise refused from error


def _refused_write(ctx: click.Context, error: OSError) -> ReadOnlyRepository | None:
    """The error to report when a command failed because the repository cannot be written (it is
    mounted read-only, or not ours to write), else None: a path elsewhere, a file that cannot be
    read, or another failure stays what it is."""
    repo = ctx.obj
    if error.errno not in {errno.EROFS, errno.EACCES, errno.EPERM} or not isinstance(repo, Repo) or not error.filename:
        return None
    path = Path(os.fsdecode(error.filename))
    path = path if path.is_absolute() else repo.cwd / path
    if not path.is_relative_to(repo.root):
        return None
    if error.errno != errno.EROFS:
        # Permission denied also answers a read; a write was refused where reading is allowed.
        there = next((folder for folder in (path, *path.parents) if folder.exists()), repo.root)
        if os.access(there, os.W_OK) or not os.access(there, os.R_OK):
            return None
    written = path.relative_to(repo.root).as_posix()
    return ReadOnlyRepository(repo.root, ctx.invoked_subcommand or "", os.strerror(error.errno).lower(), written)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", metavar="DIR", help="Act on the repository at DIR instead of this one.")
@click.version_option(__version__, prog_name="mono")
@click.pass_context
def cli(context: click.Context, directory: str | None) -> None:
    """One front door for a Poetry monorepo: list, graph, affected, lock, install, test, run, exec, poetry, build,
    new, update-template, add, upgrade, outdated, check, lint, kernel, notebook, code, publish, version."""
    context.obj = Repo(root=find_root(directory), cwd=Path.cwd())
    replay.root_used(str(context.obj.root))
    refuse_links_out(context.obj.root)
    # Whatever the command writes under .mono/, it never shows in the user's `git status`.
    context.call_on_close(lambda: hide_state(context.obj.root))
    # Once, at the end (the file hashes install and test learnt, mono.repo.statcache): a run
    # cut short keeps what it learnt, and a run that learnt nothing writes nothing.
    context.call_on_close(save_file_hashes)


class _WarningLine(logging.Handler):
    """Core warnings (logger "mono") become one `mono: warning:` line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(escaped(redact(f"mono: warning: {record.getMessage()}")), err=True)


def _route_warnings() -> None:
    logger = logging.getLogger("mono")
    if not any(isinstance(handler, _WarningLine) for handler in logger.handlers):
        logger.addHandler(_WarningLine(logging.WARNING))


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_like_ctrl_c() -> None:
    # A closed terminal (SIGHUP) or a cancelled CI job (SIGTERM) takes the Ctrl-C path: children
    # stopped with their process groups, a lock put back, a half-made project removed.
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, _interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv`; return the exit code (never raises for user errors)."""
    _route_warnings()
    _stop_like_ctrl_c()
    reset_stop()
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="mono", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "mono"
        click.echo(f"mono: error: {_one_line(error.format_message())} (hint: see '{command} --help')", err=True)
        return EXIT_USAGE
    except (click.Abort, Interrupted):
        click.echo("mono: interrupted", err=True)
        return Interrupted.exit_code
    except (CommandFailed, WorkFailed) as error:
        click.echo(escaped(redact(f"mono: error: {error}")), err=True)
        if error.tail:
            click.echo(error.tail, err=True)
        return error.exit_code
    except MonoError as error:
        # One line, whatever a file put in the message (escaped() says why).
        click.echo(escaped(redact(f"mono: error: {error}")), err=True)
        return error.exit_code
    except KeyboardInterrupt:
        click.echo("mono: interrupted", err=True)
        return Interrupted.exit_code
    except BrokenPipeError:
        return 1  # the reader went away (./mono list | head): nothing more to say
    except OSError as error:
        click.echo(escaped(redact(f"mono: error: {error}")), err=True)
        return 1
    return result if isinstance(result, int) else 0


def main_entry() -> None:
    """Console-script entry point."""
    keep_bytecode()  # for what the commands import from here on (the CLI itself is imported)
    collect_garbage_seldom()
    sys.exit(replay.entry(sys.argv[1:], lambda: main))
