"""The one place that calls the Docker client: the engine, images, builds and pushes."""

from __future__ import annotations

import functools
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError, NoEngine
from mono.external.proc import Completed, child_environment, run


def docker_executable() -> str:
    """The Docker client: MONO_DOCKER, else `docker` on PATH."""
    chosen = os.environ.get("MONO_DOCKER") or shutil.which("docker")
    if not chosen:
        raise NoEngine("no Docker client found", "install Docker, or point MONO_DOCKER at a docker executable")
    return chosen


@functools.cache
def _has_buildx(client: str) -> bool:
    return run([client, "buildx", "version"], cwd=Path.cwd(), env=child_environment(), check=False).returncode == 0


def docker_environment() -> dict[str, str]:
    """BuildKit where the client has it (buildx); the classic builder otherwise, which a client
    without buildx would refuse to replace."""
    client = docker_executable()
    return child_environment(DOCKER_BUILDKIT="1" if _has_buildx(client) else "0")


def docker(args: list[str], cwd: Path, log: Path | None = None, check: bool = True) -> Completed:
    """Run `docker ARGS`."""
    return run([docker_executable(), *args], cwd=cwd, env=docker_environment(), log=log, check=check)


def require_engine(cwd: Path) -> None:
    """Raise NoEngine (one line) unless a Docker engine answers."""
    result = docker(["info", "--format", "{{.ServerVersion}}"], cwd, check=False)
    if result.returncode != 0 or not result.output.strip():
        first = next((line for line in result.output.splitlines() if line.strip()), "no answer")
        raise NoEngine(f"no Docker engine is reachable ({first.strip()})", "start dockerd, or set DOCKER_HOST")


def image_id(image: str, cwd: Path) -> str | None:
    """The local image's ID, or None when there is no such image here."""
    result = docker(["image", "inspect", "--format", "{{.Id}}", image], cwd, check=False)
    return result.output.strip() if result.returncode == 0 else None


def ensure_base_image(image: str, cwd: Path, log: Path) -> None:
    """Pull the base image when it is not here; one line (exit 2) when that cannot be done."""
    if image_id(image, cwd) is not None:
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    if docker(["pull", image], cwd, log, check=False).returncode != 0:
        raise MonoError(
            f"base image {image} is not on this machine and cannot be pulled",
            "make one from Debian packages with tools/build/base-image.sh, then use --base-image or MONO_BASE_IMAGE",
        )


@dataclass(frozen=True)
class ImagePlatform:
    """What a base image runs: its Python, CPU and C library, which decide the wheels it can use."""

    python: str  # "3.11"
    machine: str  # "x86_64"
    glibc: str  # "2.36"

    def pip_download_options(self) -> list[str]:
        """`pip download` options that pick wheels for this platform instead of the host's."""
        major, minor = self.python.split(".")
        glibc_minor = int(self.glibc.split(".")[1])
        platforms = [f"manylinux_2_{version}_{self.machine}" for version in range(glibc_minor, 4, -1)]
        platforms += [f"manylinux{alias}_{self.machine}" for alias in ("2014", "2010", "1")]
        options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python]
        options += ["--abi", f"cp{major}{minor}"]
        for platform in platforms:
            options += ["--platform", platform]
        return options


_PROBE = (
    "import json, os, platform, sys; print(json.dumps({'python': '%d.%d' % sys.version_info[:2], "
    "'machine': platform.machine(), 'libc': os.confstr('CS_GNU_LIBC_VERSION') or ''}))"
)


def probe_platform(root: Path, image: str, log: Path) -> ImagePlatform:
    """Ask the base image what it runs: its Python, CPU and C library (a container run)."""
    probe = ["run", "--rm", "--network", "none", "--entrypoint", "python3", image, "-c", _PROBE]
    answer = json.loads(docker(probe, root, log).output.strip().splitlines()[-1])
    libc = str(answer["libc"])
    if not libc.startswith("glibc "):
        raise MonoError(f"base image {image} does not use glibc ({libc or 'unknown C library'})", "use a Debian base")
    return ImagePlatform(str(answer["python"]), str(answer["machine"]), libc.split(" ", 1)[1])
