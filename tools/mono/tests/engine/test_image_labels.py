"""What every image of a build gets besides its tags: labels (MONO_IMAGE_LABELS, --label), and
the registry prefix of its tags (MONO_DOCKER_REGISTRY, else the setting)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.engine import images as build
from mono.errors import MonoError
from mono.repo.discovery import load_workspace
from tests.conftest import CliRunner


def test_labels_come_from_the_variable_then_the_options_and_bad_ones_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MONO_IMAGE_LABELS", raising=False)
    assert build.image_labels(("org.example.team=shop",)) == ("org.example.team=shop",)
    monkeypatch.setenv("MONO_IMAGE_LABELS", "ci.run=7  org.example.team=data ci.note=")
    chosen = build.image_labels(("org.example.team=shop", "with.equals=a=b"))
    assert chosen == ("ci.run=7", "org.example.team=shop", "ci.note=", "with.equals=a=b")  # --label wins
    for bad in ("no-equals", "=value", "-x=1", "key with space=1", "tab=a\tb"):
        with pytest.raises(MonoError, match=r"--label .* is not a label KEY=VALUE"):
            build.image_labels((bad,))
    monkeypatch.setenv("MONO_IMAGE_LABELS", "broken")
    with pytest.raises(MonoError, match="MONO_IMAGE_LABELS 'broken' is not a label KEY=VALUE"):
        build.image_labels()


def test_labels_follow_the_tools_own_in_the_build_command(repo: Path) -> None:
    web = load_workspace(repo).projects["web"]
    spec = build.ImageSpec("web", "Dockerfile")
    command = build._build_arguments(web, spec, repo, "base:1", ("web:1",), True, ("org.opencontainers.image.title=x",))
    labels = [command[i + 1] for i, word in enumerate(command) if word == "--label"]
    assert labels == [
        "org.opencontainers.image.title=web",
        "org.opencontainers.image.version=0.1.0",
        "org.opencontainers.image.title=x",  # the last one wins in Docker
    ]


def test_the_registry_comes_from_the_variable_then_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONO_DOCKER_REGISTRY", raising=False)
    assert build.registry_choice("ghcr.io/acme") == "ghcr.io/acme"
    monkeypatch.setenv("MONO_DOCKER_REGISTRY", "127.0.0.1:5000/team/")
    assert build.registry_choice("ghcr.io/acme") == "127.0.0.1:5000/team"
    monkeypatch.setenv("MONO_DOCKER_REGISTRY", "")
    assert build.registry_choice("ghcr.io/acme") == "ghcr.io/acme"
    for bad in ("--push", "two words"):
        monkeypatch.setenv("MONO_DOCKER_REGISTRY", bad)
        with pytest.raises(MonoError, match="is not a registry prefix"):
            build.registry_choice("")


def test_a_bad_label_is_one_line_and_exit_2(repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONO_IMAGE_LABELS", raising=False)
    (repo / "app/shop/web/Dockerfile").write_text("FROM scratch\n")
    result = cli(repo, "build", "web", "--label", "team")
    assert result.code == 2
    assert result.err == (
        "mono: error: --label 'team' is not a label KEY=VALUE"
        " (hint: e.g. --label org.opencontainers.image.source=https://example.org/repo)\n"
    )
