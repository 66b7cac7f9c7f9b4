"""Which base images a Dockerfile hard-codes, which files it COPYs by name."""

from __future__ import annotations

from pathlib import Path

from mono.repo.dockerfile import final_base, fixed_bases, named_sources, stage_bases, uses_base_argument


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


def test_only_files_copied_one_by_one_are_named(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "FROM base AS deps\n"
        "COPY .mono/requirements.txt /build/requirements.txt\n"
        "COPY --from=deps /opt/venv /opt/venv\n"
        "copy --chown=app:app app.py ./settings.toml /app/\n"
        "COPY templates/ static /app/\n"  # folders: their untracked files stay out
        "ADD https://example.invalid/x.tgz *.cfg conf/?.ini ${FILE} /app/\n"
        'COPY --chmod=644 ["model card.md", "/app/"]\n'
        "COPY ../outside.txt / ./ /app/\n"
        "COPY <<EOF /app/inline.txt\n"
        "RUN echo COPY not-a-copy.txt /x\n"
        "COPY first.txt \\\n"
        "# a comment inside the instruction\n"
        "     /deep/../second.txt /app/\n"
    )
    assert named_sources(dockerfile) == [
        ".mono/requirements.txt", "app.py", "settings.toml", "static", "model card.md", "first.txt", "second.txt",
    ]  # fmt: skip


def test_a_missing_or_broken_dockerfile_names_nothing(tmp_path: Path) -> None:
    assert named_sources(tmp_path / "absent") == []
    broken = tmp_path / "Dockerfile"
    broken.write_bytes(b'COPY ["unclosed\nCOPY\n\xff\xfe /x\n')
    assert named_sources(broken) == []
