"""Repository settings: the `[tool.mono]` table of the root pyproject.toml, validated, with defaults."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from mono.errors import ConfigError
from mono.model.kinds import DEFAULT_FOLDERS, Kind, check_kind
from mono.model.names import normalize_name
from mono.model.versions import is_version

Installer = Literal["uv", "poetry"]
INSTALLERS: tuple[str, ...] = get_args(Installer)
# What an image is built from: the project's folder with the tool's wheels (the default), or the
# repository's root, for Dockerfiles written to be built from there (`COPY libs/core ...`).
DockerContext = Literal["project", "repo"]
DOCKER_CONTEXTS: tuple[str, ...] = get_args(DockerContext)
DEFAULT_BASE_IMAGE = "python:3.11-slim-bookworm"
DEFAULT_GLOBAL_FILES = ("pyproject.toml", "requirements.txt", "mono", ".ci/run")


@dataclass(frozen=True)
class DockerConfig:
    """`[tool.mono.docker]`: how images are built and where they are pushed."""

    base_image: str = DEFAULT_BASE_IMAGE
    registry: str = ""  # prefix of every tag, e.g. "ghcr.io/acme"; empty: local names only
    context: DockerContext = "project"


@dataclass(frozen=True)
class Config:
    """Validated `[tool.mono]` settings of one repository."""

    kinds: dict[str, Kind] = field(default_factory=lambda: dict(DEFAULT_FOLDERS))
    global_files: tuple[str, ...] = DEFAULT_GLOBAL_FILES
    exclude: tuple[str, ...] = ()
    workers: int = 0
    # What puts a locked set into a venv: uv (fast, the default) or Poetry's own installer.
    installer: Installer = "uv"
    docker: DockerConfig = field(default_factory=DockerConfig)
    # Third-party packages every lock must hold at one version: normalised name -> version.
    pins: dict[str, str] = field(default_factory=dict)

    def folder_of(self, kind: Kind) -> str:
        """The top-level folder projects of `kind` live in (from the `kinds` setting)."""
        return next((folder for folder, mapped in self.kinds.items() if mapped == kind), kind)


REPOSITORY_KEYS = frozenset({"kinds", "global-files", "exclude", "workers", "installer", "docker", "pins"})
_DOCKER_KEYS = {"base-image", "registry", "context"}


def unknown_key(key: str, known: set[str], where: str) -> ConfigError:
    """An error for an unknown settings key, suggesting the closest known one."""
    match = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean '{match[0]}'?" if match else f"known keys: {', '.join(sorted(known))}"
    return ConfigError(f"{where}: unknown key {key!r}", hint)


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _docker_config(raw: Any, where: str) -> DockerConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'docker' must be a table ([tool.mono.docker])")
    for key, value in raw.items():
        if key not in _DOCKER_KEYS:
            raise unknown_key(key, _DOCKER_KEYS, f"{where}.docker")
        if not isinstance(value, str) or (key == "base-image" and not value.strip()):
            raise ConfigError(f"{where}.docker: '{key}' must be a non-empty string")
    return DockerConfig(
        base_image=raw.get("base-image", DEFAULT_BASE_IMAGE),
        registry=raw.get("registry", "").rstrip("/"),
        context=check_docker_context(raw.get("context", "project"), f"{where}.docker context"),
    )


def check_docker_context(value: Any, where: str) -> DockerContext:
    """A valid Docker context setting, or a ConfigError naming `where`."""
    if value not in DOCKER_CONTEXTS:
        raise ConfigError(f"{where}: unknown Docker context {value!r}", f"use one of {', '.join(DOCKER_CONTEXTS)}")
    return cast(DockerContext, value)


def _pins(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'pins' must be a table of package = \"version\"")
    if not raw:
        return {}
    pins: dict[str, str] = {}
    for package, version in raw.items():
        if not isinstance(version, str):
            raise ConfigError(f'{where} pins.{package}: must be a version string such as "2.2.3"')
        if not is_version(version):
            raise ConfigError(
                f"{where} pins.{package}: {version!r} is not a version", 'pin one exact version, such as "2.2.3"'
            )
        pins[normalize_name(str(package))] = version.strip()
    return pins


_FOLDER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _folder_name(folder: Any, where: str) -> str:
    """A key of `kinds`: one folder name (matched at any depth), never a path, '..' or absolute:
    `new` makes projects below it."""
    if not isinstance(folder, str) or not _FOLDER_NAME.fullmatch(folder) or folder in {".", ".."}:
        raise ConfigError(f"{where} kinds: {folder!r} is not a folder name", 'one name such as "services", no "/"')
    return folder


def parse_config(settings: dict[str, Any], where: str = "pyproject.toml [tool.mono]") -> Config:
    """Validate a `[tool.mono]` table; unknown keys and wrong types raise ConfigError."""
    for key in settings:
        if key not in REPOSITORY_KEYS:
            raise unknown_key(key, set(REPOSITORY_KEYS), where)
    config = Config()
    kinds = dict(config.kinds)
    if "kinds" in settings:
        raw = settings["kinds"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: 'kinds' must be a table of folder = kind")
        kinds = {
            _folder_name(folder, where): check_kind(kind, f"{where} kinds.{folder}") for folder, kind in raw.items()
        }
    workers = settings.get("workers", 0)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        raise ConfigError(f"{where}: 'workers' must be a whole number >= 0 (0 means one per CPU)")
    installer = settings.get("installer", "uv")
    if installer not in INSTALLERS:
        raise ConfigError(f"{where}: unknown installer {installer!r}", f"use one of {', '.join(INSTALLERS)}")
    return Config(
        kinds=kinds,
        global_files=_string_list(settings.get("global-files", list(DEFAULT_GLOBAL_FILES)), f"{where} global-files"),
        exclude=_string_list(settings.get("exclude", []), f"{where} exclude"),
        workers=workers,
        installer=cast(Installer, installer),
        docker=_docker_config(settings.get("docker", {}), where),
        pins=_pins(settings.get("pins", {}), where),
    )
