"""Lock many projects in one process, with Poetry as a library: `python -m mono.external.poetry_worker
[--regenerate] FOLDER...`.

Each project is locked as `poetry lock` locks it: Poetry's Factory (plugins on, so the PyPI
mirror plugin applies the index setting), then its Installer in lock mode, which writes
poetry.lock with Poetry's own Locker. What this saves is Poetry's start (about 0.4 s a project)
and what Poetry learns about packages: the repositories of one project (their index pages and
release files, kept in memory) serve the next project that has the same repositories.

Run only through `mono.external.poetry.lock_projects`, one worker at a time (it writes Poetry's
cache). Poetry's messages for each project go to stdout, and a line starting with `MARK` ends
each project, saying how it went (JSON).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cleo.io.io import IO
    from poetry.poetry import Poetry
    from poetry.repositories.repository import Repository

# Begins the line that ends one project's output (an ASCII record separator, which no Poetry
# message holds).
MARK = "\x1emono-poetry-worker "


class SharedRepositories:
    """Repositories made once and reused by every project whose pool holds the same one (same
    kind, name, URL and settings): what one project fetched, the next finds in memory."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str, str, str], Repository] = {}

    def share(self, poetry: Poetry) -> None:
        """Give `poetry` a pool of the same repositories, at the same priorities, in the same
        order, each the instance an earlier project made if there is one."""
        from poetry.repositories.repository_pool import RepositoryPool

        settings = json.dumps(poetry.config.all(), sort_keys=True, default=str)
        pool = RepositoryPool(config=poetry.config)
        for repository in poetry.pool.all_repositories:
            key = (type(repository).__qualname__, repository.name, str(getattr(repository, "url", "")), settings)
            shared = self._made.setdefault(key, repository)
            pool.add_repository(shared, priority=poetry.pool.get_priority(repository.name))
        poetry.set_pool(pool)


def _io() -> IO:
    """Plain text to stdout, as `poetry --no-ansi` prints it."""
    from cleo.io.inputs.string_input import StringInput
    from cleo.io.io import IO
    from cleo.io.outputs.stream_output import StreamOutput

    output = StreamOutput(sys.stdout, decorated=False)
    return IO(StringInput(""), output, output)


def lock_one(folder: Path, repositories: SharedRepositories, io: IO, regenerate: bool = False) -> None:
    """What `poetry lock [--regenerate]` does in `folder`: solve (keeping the versions of the
    existing lock unless `regenerate`) and write poetry.lock."""
    from poetry.config.config import Config
    from poetry.factory import Factory
    from poetry.installation.installer import Installer
    from poetry.repositories.installed_repository import InstalledRepository
    from poetry.utils.env import NullEnv

    Config.create(reload=True)  # Factory merges each project's own settings into the shared one
    poetry = Factory().create_poetry(folder, io=io)
    repositories.share(poetry)
    # Locking runs nothing in an environment; Poetry only takes the source folder of editable
    # VCS dependencies from it (the project's .venv when there is one).
    venv = folder / ".venv"
    env = NullEnv(path=venv if venv.is_dir() else Path(sys.prefix))
    installer = Installer(
        io,
        env,
        poetry.package,
        poetry.locker,
        poetry.pool,
        poetry.config,
        installed=InstalledRepository(),  # a lock does not look at what is installed
        disable_cache=poetry.disable_cache,
        build_constraints=poetry.build_constraints,
    )
    installer.lock(update=regenerate)
    status = installer.run()
    if status != 0:
        raise RuntimeError(f"Poetry's installer ended with status {status}")


def _said(error: BaseException) -> str:
    """What `poetry lock` would say of `error`: its message (Poetry's are written for users)."""
    message = str(error).strip()
    return message or f"{type(error).__name__} (no message)\n{traceback.format_exc()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Lock each folder of `argv` in turn; a failure is reported for its project and the next
    one still locks. Exit status 0 when all locked, 1 otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    regenerate = "--regenerate" in args
    folders = [Path(arg) for arg in args if arg != "--regenerate"]
    repositories = SharedRepositories()
    io = _io()
    failed = 0
    for folder in folders:
        try:
            lock_one(folder, repositories, io, regenerate)
            result = {"folder": str(folder), "ok": True}
        except Exception as error:  # noqa: BLE001 - one project's failure must not stop the others
            io.write_error_line(_said(error))
            result = {"folder": str(folder), "ok": False}
            failed += 1
        sys.stdout.flush()
        print(MARK + json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
