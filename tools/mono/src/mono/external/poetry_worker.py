"""Lock many projects in one process, with Poetry as a library: `python -m mono.external.poetry_worker
[--regenerate] FOLDER...`.

Each project is locked as `poetry lock` locks it: Poetry's Factory (plugins on, so the PyPI
mirror plugin applies the index setting), then its Installer in lock mode, which writes
poetry.lock with Poetry's own Locker. What this saves is Poetry's start (about 0.4 s a project)
and what Poetry learns about packages: the repositories of one project (their index pages and
release files, kept in memory) serve the next project that has the same repositories.

Index pages are fetched ahead, in threads (IndexPages): the solver asks for one page at a time
and a page takes about 0.1 s to arrive, so a cold lock of 20 projects spent half its time
waiting for 25 pages in turn. Which pages a project will need is guessed from the names in its
existing lock and from what earlier locks learnt: which packages each package depends on, kept
by name in the user's cache (`--names FILE`). A wrong guess costs one request in the
background; the solver still asks Poetry's repository for whatever it did not guess.

Run only through `mono.external.poetry.lock_in_one_process`, one worker at a time (it writes
Poetry's cache). Poetry's messages for each project go to stdout, and a line starting with
`MARK` ends each project, saying how it went (JSON).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tomllib
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleo.io.io import IO
    from packaging.utils import NormalizedName
    from poetry.poetry import Poetry
    from poetry.repositories.link_sources.base import LinkSource
    from poetry.repositories.repository import Repository

# Begins the line that ends one project's output (an ASCII record separator, which no Poetry
# message holds).
MARK = "\x1emono-poetry-worker "
# Index pages fetched at once; Poetry's own downloads use as many (installer.max-workers' default
# on two cores is 6, and urllib3 keeps 10 connections a host).
_FETCHERS = 8
# What the names file keeps at most: packages and the names each depends on (about 50 bytes each).
_MOST_NAMES = 20_000


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


class IndexPages:
    """Index pages fetched ahead, in threads, for the projects about to be locked.

    `depends_on` is what locks have shown: each package's name and the names it depends on. A
    project's likely pages are the closure of its direct dependencies over it, with the names of
    its existing lock. Only primary repositories are asked ahead (where Poetry looks first)."""

    def __init__(self, depends_on: dict[str, list[str]]) -> None:
        self.depends_on = depends_on
        self._pool = ThreadPoolExecutor(max_workers=_FETCHERS, thread_name_prefix="mono-index-page")
        self._ahead: dict[int, dict[str, Future[LinkSource]]] = {}
        self._fetch: dict[int, Callable[[NormalizedName], LinkSource]] = {}
        # Of the pages the solver asked for since the last `expect`: how many, and how many of
        # them had been fetched ahead.
        self.asked = self.ahead_of_time = 0

    def attach(self, repository: Repository) -> None:
        """Serve the repository's index pages from what was fetched ahead, when it was."""
        from poetry.repositories.http_repository import HTTPRepository

        if not isinstance(repository, HTTPRepository) or id(repository) in self._fetch:
            return
        fetch = repository._get_page  # Poetry's own uncached fetch, safe in threads (its downloads are)
        ahead: dict[str, Future[LinkSource]] = {}

        def get_page(name: Any) -> LinkSource:  # cached as Poetry caches it, so each name is asked once
            future = ahead.get(str(name))
            self.asked += 1
            self.ahead_of_time += future is not None
            if future is not None:
                try:
                    return future.result()
                except Exception:  # noqa: BLE001 - Poetry's own fetch below says what is wrong
                    pass
            return fetch(name)

        repository.get_page = functools.cache(get_page)  # as Poetry sets it, in HTTPRepository.__init__
        self._ahead[id(repository)] = ahead
        self._fetch[id(repository)] = fetch

    def expect(self, poetry: Poetry, locked: Iterable[str]) -> None:
        """Start fetching the pages the project is likely to need, in its primary repositories."""
        from packaging.utils import canonicalize_name
        from poetry.repositories.repository_pool import Priority

        # Path dependencies lead on to what they depend on; an index page of such a name (not on
        # the index, most likely) costs one request in the background.
        elsewhere = {dependency.name for dependency in poetry.package.all_requires if dependency.source_name}
        direct = [dependency.name for dependency in poetry.package.all_requires]
        likely = (set(locked) | self._closure(direct)) - elsewhere
        self.asked = self.ahead_of_time = 0
        for repository in poetry.pool.all_repositories:
            ahead = self._ahead.get(id(repository))
            if ahead is None or poetry.pool.get_priority(repository.name) is not Priority.PRIMARY:
                continue
            fetch = self._fetch[id(repository)]
            for name in sorted(likely - ahead.keys()):
                ahead[name] = self._pool.submit(fetch, canonicalize_name(name))

    def _closure(self, names: Iterable[str]) -> set[str]:
        found: set[str] = set()
        todo = [_canonical(name) for name in names]
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo.extend(self.depends_on.get(name, ()))
        return found

    def learn(self, lock: dict[str, Any]) -> None:
        """Remember what each package of a lock Poetry wrote depends on."""
        for package in lock.get("package", []):
            dependencies = package.get("dependencies", {})
            if isinstance(package.get("name"), str) and isinstance(dependencies, dict):
                self.depends_on[_canonical(package["name"])] = sorted({_canonical(name) for name in dependencies})

    def close(self) -> None:
        """Drop the fetches nobody waited for (a wrong guess costs nothing more)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def read_names(path: Path | None) -> dict[str, list[str]]:
    """What the names file at `path` holds; nothing when it is missing or not what it should be."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        name: [each for each in names if isinstance(each, str)]
        for name, names in data.items()
        if isinstance(name, str) and isinstance(names, list)
    }


def write_names(path: Path, depends_on: dict[str, list[str]]) -> None:
    """Keep `depends_on` at `path` (at most _MOST_NAMES packages), atomically: a worker killed
    meanwhile leaves the old file."""
    kept = dict(list(depends_on.items())[-_MOST_NAMES:])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only or full cache only costs the next lock time


def _locked_names(folder: Path) -> set[str]:
    """The names of the packages of the folder's poetry.lock, if it has one Poetry can read."""
    try:
        lock = tomllib.loads((folder / "poetry.lock").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    packages = lock.get("package", [])
    return {
        _canonical(package["name"])
        for package in packages if isinstance(packages, list)
        if isinstance(package, dict) and isinstance(package.get("name"), str)
    }  # fmt: skip


class SharedRepositories:
    """Repositories made once and reused by every project whose pool holds the same one (same
    kind, name, URL and settings): what one project fetched, the next finds in memory."""

    def __init__(self, pages: IndexPages | None = None) -> None:
        self._made: dict[tuple[str, str, str, str], Repository] = {}
        self._pages = pages

    def share(self, poetry: Poetry) -> None:
        """Give `poetry` a pool of the same repositories, at the same priorities, in the same
        order, each the instance an earlier project made if there is one."""
        from poetry.repositories.repository_pool import RepositoryPool

        settings = json.dumps(poetry.config.all(), sort_keys=True, default=str)
        pool = RepositoryPool(config=poetry.config)
        for repository in poetry.pool.all_repositories:
            key = (type(repository).__qualname__, repository.name, str(getattr(repository, "url", "")), settings)
            shared = self._made.setdefault(key, repository)
            if self._pages is not None:
                self._pages.attach(shared)
            pool.add_repository(shared, priority=poetry.pool.get_priority(repository.name))
        poetry.set_pool(pool)


def _io() -> IO:
    """Plain text to stdout, as `poetry --no-ansi` prints it."""
    from cleo.io.inputs.string_input import StringInput
    from cleo.io.io import IO
    from cleo.io.outputs.stream_output import StreamOutput

    output = StreamOutput(sys.stdout, decorated=False)
    return IO(StringInput(""), output, output)


def _project(folder: Path, io: IO) -> Poetry:
    """The project as `poetry lock` makes it, its lock written by mono.external.lock_text."""
    from poetry.config.config import Config
    from poetry.factory import Factory

    from mono.external.lock_text import text_locker_class

    Config.create(reload=True)  # Factory merges each project's own settings into the shared one
    poetry = Factory().create_poetry(folder, io=io)
    return poetry.set_locker(text_locker_class()(poetry.locker.lock, poetry.pyproject.data))


def lock_one(
    folder: Path, repositories: SharedRepositories, io: IO, regenerate: bool = False, pages: IndexPages | None = None
) -> None:
    """What `poetry lock [--regenerate]` does in `folder`: solve (keeping the versions of the
    existing lock unless `regenerate`) and write poetry.lock. With `pages`, the index pages the
    project is likely to need are fetched ahead, and the lock teaches it what depends on what."""
    from poetry.installation.installer import Installer
    from poetry.repositories.installed_repository import InstalledRepository
    from poetry.utils.env import NullEnv

    poetry = _project(folder, io)
    repositories.share(poetry)
    if pages is not None:
        pages.expect(poetry, _locked_names(folder))
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
    if pages is not None:
        io.write_line(f"mono: {pages.ahead_of_time} of the {pages.asked} index pages asked for were fetched ahead")
        with contextlib.suppress(OSError, ValueError):
            pages.learn(tomllib.loads((folder / "poetry.lock").read_text(encoding="utf-8")))


def _said(error: BaseException) -> str:
    """What `poetry lock` would say of `error`: its message (Poetry's are written for users)."""
    message = str(error).strip()
    return message or f"{type(error).__name__} (no message)\n{traceback.format_exc()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Lock each folder of `argv` in turn; a failure is reported for its project and the next
    one still locks. Exit status 0 when all locked, 1 otherwise.

    Arguments: `[--regenerate] [--names FILE] FOLDER...`; FILE holds what packages depend on, read
    at the start and written at the end (IndexPages)."""
    regenerate, names_file, folders = False, None, []
    args = iter(sys.argv[1:] if argv is None else argv)
    for arg in args:
        if arg == "--regenerate":
            regenerate = True
        elif arg == "--names":
            names_file = Path(next(args))
        else:
            folders.append(Path(arg))
    pages = IndexPages(read_names(names_file))
    repositories = SharedRepositories(pages)
    io = _io()
    failed = 0
    try:
        for folder in folders:
            try:
                lock_one(folder, repositories, io, regenerate, pages)
                result = {"folder": str(folder), "ok": True}
            except Exception as error:  # noqa: BLE001 - one project's failure must not stop the others
                io.write_error_line(_said(error))
                result = {"folder": str(folder), "ok": False}
                failed += 1
            sys.stdout.flush()
            print(MARK + json.dumps(result), flush=True)
    finally:
        pages.close()
    if names_file is not None:
        write_names(names_file, pages.depends_on)
    return 1 if failed else 0


if __name__ == "__main__":
    from mono import keep_bytecode

    keep_bytecode()  # before Poetry is imported (lock_one imports it)
    sys.exit(main())
