"""Which base images a Dockerfile hard-codes."""

from __future__ import annotations

from pathlib import Path

from mono.repo.dockerfile import fixed_bases


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
