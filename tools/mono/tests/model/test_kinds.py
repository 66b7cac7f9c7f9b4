"""The one table of what each kind can do, and the settings that map folders to kinds."""

from __future__ import annotations

import pytest

from mono.errors import ConfigError
from mono.model.config import Config
from mono.model.kinds import KINDS, RULES, check_kind, kinds_where, rules


def test_every_kind_has_rules() -> None:
    assert set(RULES) == set(KINDS)


def test_apps_and_models_are_built_libraries_are_published_apps_are_served() -> None:
    assert set(kinds_where("buildable")) == {"app", "model"}
    assert kinds_where("publishable") == ("lib",)
    assert kinds_where("servable") == ("app",)
    assert rules("model").images == "image-folders" and rules("app").images == "dockerfile"
    assert kinds_where("scaffolded") == ("app", "eda", "eng", "model", "lib")


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="use one of app, lib"):
        check_kind("service", "x")


def test_the_folder_of_a_kind_follows_the_setting() -> None:
    assert Config().folder_of("lib") == "lib"
    assert Config(kinds={"libs": "lib"}).folder_of("lib") == "libs"
    assert Config(kinds={}).folder_of("eda") == "eda"
