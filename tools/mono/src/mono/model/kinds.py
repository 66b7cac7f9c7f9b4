"""Kinds of project and the one table of what each kind can do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from mono.errors import ConfigError

Kind = Literal["app", "lib", "eda", "eng", "model", "tools", "other"]
KINDS: tuple[str, ...] = get_args(Kind)

# Where each kind lives by default: a folder above its projects (`[tool.mono] kinds`). The first
# folder of a kind is where `./mono new` puts new ones; the plural names are those of
# repositories in the wild (`libs/`, `apps/`, `services/`, `packages/`), at any depth (`py/libs`).
DEFAULT_FOLDERS: dict[str, Kind] = {
    "app": "app",
    "lib": "lib",
    "eda": "eda",
    "eng": "eng",
    "model": "model",
    "tools": "tools",
    "apps": "app",
    "services": "app",
    "libs": "lib",
    "packages": "lib",
    "models": "model",
}

Images = Literal["dockerfile", "image-folders", "none"]


@dataclass(frozen=True)
class KindRules:
    """What projects of one kind are and may do."""

    images: Images  # "dockerfile": one image from ./Dockerfile; "image-folders": one per *-image/Dockerfile
    servable: bool  # `./mono run` serves it (app.py)
    library: bool  # others depend on it by path; `./mono add`, `publish` and `version` take it
    has_program: bool  # lives at KIND/PROGRAM/NAME (`./mono new KIND PROGRAM/NAME`)
    scaffolded: bool  # `./mono new` has a template for it
    tests_need_docker: bool  # its tests build images themselves (a CI runner needs an engine)

    @property
    def publishable(self) -> bool:
        """True when `./mono publish` uploads it to a package index: libraries are."""
        return self.library

    @property
    def buildable(self) -> bool:
        """True when `./mono build` makes images of it."""
        return self.images != "none"


_PLAIN = KindRules("none", False, False, False, False, False)

RULES: dict[Kind, KindRules] = {
    "app": KindRules("dockerfile", True, False, True, True, False),
    "eda": KindRules("none", False, False, True, True, False),
    "eng": KindRules("none", False, False, True, True, False),
    "model": KindRules("image-folders", False, False, True, True, False),
    "lib": KindRules("none", False, True, False, True, False),
    # The tool's own tests build images end to end.
    "tools": KindRules("none", False, False, False, False, True),
    "other": _PLAIN,
}


def rules(kind: Kind) -> KindRules:
    """The rules of `kind`."""
    return RULES[kind]


def kinds_where(predicate: str) -> tuple[Kind, ...]:
    """The kinds whose rules have `predicate` (a field or property of KindRules) true, in KINDS order."""
    return tuple(kind for kind in RULES if getattr(RULES[kind], predicate))


def check_kind(value: Any, where: str) -> Kind:
    """`value` as a Kind, or a ConfigError naming the allowed kinds."""
    if value not in KINDS:
        raise ConfigError(f"{where}: unknown kind {value!r}", f"use one of {', '.join(KINDS)}")
    return cast(Kind, value)
