"""Which base images a Dockerfile hard-codes."""

from __future__ import annotations

from pathlib import Path

from mono.repo.dockerfile import final_base, fixed_bases, stage_bases, uses_base_argument


def test_build_arguments_and_earlier_stages_are_not_fixed_bases(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "ARG BASE_IMAGE=python:3.11-slim\n"
        "FROM ${BASE_IMAGE} AS deps\n"
        "from --platform=linux/amd64 node:20 as assets\n"
        "FROM deps AS final\n"
        "FROM scratch\n"
        "COPY --from=assets /x /x\n"
        "FROM python:3.12-slim\n"
    )
    assert fixed_bases(dockerfile) == ["node:20", "python:3.12-slim"]


def test_a_dockerfile_of_build_arguments_only_has_none(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG BASE_IMAGE\nFROM $BASE_IMAGE\nRUN true\n")
    assert fixed_bases(dockerfile) == []


def test_other_build_arguments_take_their_defaults(tmp_path: Path) -> None:
    # Only BASE_IMAGE is the tool's; `FROM python:${PY}-slim` is built on python:3.12-slim.
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG PY=3.12\nFROM python:${PY}-slim AS build\nFROM build\nRUN true\n")
    assert fixed_bases(dockerfile) == ["python:3.12-slim"]
    assert not uses_base_argument(dockerfile)
    assert final_base(dockerfile) == "python:3.12-slim"  # through the stage it starts from


def test_the_final_base_is_the_last_stages(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12 AS a\nFROM alpine AS b\nFROM python:3.12\n")
    assert final_base(dockerfile) == "python:3.12"
    dockerfile.write_text("FROM python:3.12 AS builder\nFROM ${BASE_IMAGE}\n")
    assert final_base(dockerfile) is None and uses_base_argument(dockerfile)
    dockerfile.write_text("")
    assert final_base(dockerfile) is None and stage_bases(dockerfile) == []
