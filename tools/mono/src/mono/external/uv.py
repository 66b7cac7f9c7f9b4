"""uv: making venvs and syncing them to a requirements file, with pip's index."""

from __future__ import annotations

from pathlib import Path

from mono.errors import CommandFailed
from mono.external.index import index_url
from mono.external.proc import child_environment, run, tool_executable


def uv_executable() -> str:
    """uv from the tool's own environment (.mono/venv), else from PATH."""
    return tool_executable("uv")


def uv_environment() -> dict[str, str]:
    """Environment for uv: pip's index (as Poetry uses it), no downloaded Pythons, no user config."""
    env = child_environment()
    env.setdefault("UV_INDEX_URL", index_url())
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.setdefault("UV_NO_CONFIG", "1")
    return env


def create_venv(venv: Path, python: str, cwd: Path, log: Path) -> None:
    """`uv venv` at `venv` with `python` (an interpreter path or a version request)."""
    command = [uv_executable(), "venv", "--quiet", "--python-preference", "only-system", "--python", python]
    run([*command, str(venv)], cwd=cwd, env=uv_environment(), log=log)


def pip_sync(python: Path, requirements: Path, cwd: Path, log: Path, rebuilt: tuple[str, ...] = ()) -> None:
    """Make the environment of `python` hold exactly `requirements` (anything else is removed);
    the packages `rebuilt` are built again from their sources and reinstalled."""
    sync = [uv_executable(), "pip", "sync", "--python", str(python), str(requirements)]
    for name in rebuilt:
        sync += ["--reinstall-package", name, "--refresh-package", name]
    # Every version is pinned with its hashes, so uv's cache is enough when it holds them: offline,
    # uv skips revalidating each package's index page (0.1-0.4 s a venv). A miss (a version not
    # cached yet) fails; then the index is asked, and that run's outcome is the one that counts.
    try:
        run([*sync, "--offline"], cwd=cwd, env=uv_environment(), log=log)
    except CommandFailed:
        run(sync, cwd=cwd, env=uv_environment(), log=log)
