"""Write a synthetic monorepo of N Poetry projects, for benchmarking ./mono.

About 40% of the projects are libraries under lib/, spread over five layers: a library of layer 0
depends on nothing, one of a higher layer on 1-3 libraries of lower layers. The rest are apps
(app/<program>/<app>, ~60% of them) and EDA projects (eda/<program>/<name>), each depending on
1-4 libraries. Every project has a PEP 621 pyproject.toml with Poetry path dependencies
(develop = true), a package folder with __init__.py and a tests/ folder. The root holds a
pyproject.toml with an empty [tool.mono] table. The result is a git repository on branch main
with everything committed; the same --projects and --seed always give the same files.

Usage: python3 generate_repo.py --out DIR [--projects 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import posixpath
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LIB_SHARE = 0.4
APP_SHARE = 0.6  # of the projects that are not libraries; the rest are EDA projects
LAYERS = 5
PROGRAMS = 12
FIXED_DATE = "2024-01-01T00:00:00+00:00"
SUMMARY = "Write a synthetic monorepo of N Poetry projects, for benchmarking ./mono."


@dataclass(frozen=True)
class Spec:
    """One project to write: its name, its repo-relative folder and the libraries it uses."""

    name: str
    path: str
    deps: tuple[str, ...]


def plan(count: int, seed: int) -> list[Spec]:
    """The projects of the repository, libraries first, in a deterministic order."""
    rng = random.Random(seed)
    n_libs = max(1, round(count * LIB_SHARE))
    n_apps = round((count - n_libs) * APP_SHARE)
    libs_by_layer: list[list[str]] = [[] for _ in range(LAYERS)]
    specs: list[Spec] = []
    for index in range(n_libs):
        layer = index * LAYERS // n_libs
        name = f"lib-{index:04d}"
        lower = [lib for below in libs_by_layer[:layer] for lib in below]
        deps = rng.sample(lower, min(len(lower), rng.randint(1, 3))) if lower else []
        libs_by_layer[layer].append(name)
        specs.append(Spec(name, f"lib/{name}", tuple(sorted(deps))))
    all_libs = [spec.name for spec in specs]
    for index in range(count - n_libs):
        kind, number = ("app", index) if index < n_apps else ("eda", index - n_apps)
        name = f"{kind}-{number:04d}"
        program = f"program-{rng.randrange(PROGRAMS):02d}"
        deps = rng.sample(all_libs, min(len(all_libs), rng.randint(1, 4)))
        specs.append(Spec(name, f"{kind}/{program}/{name}", tuple(sorted(deps))))
    return specs


def pyproject(spec: Spec, paths: dict[str, str]) -> str:
    """A Poetry 2 (PEP 621) pyproject.toml with one path dependency per internal dependency."""
    listed = ", ".join(f'"{dep}"' for dep in spec.deps)
    lines = [
        "[project]",
        f'name = "{spec.name}"',
        'version = "0.1.0"',
        'requires-python = ">=3.11"',
        f"dependencies = [{listed}]",
        "",
        "[tool.poetry.dependencies]",
    ]
    for dep in spec.deps:
        relative = posixpath.relpath(paths[dep], spec.path)
        lines.append(f'{dep} = {{ path = "{relative}", develop = true }}')
    lines += ["", "[build-system]", 'requires = ["poetry-core>=2.0"]', 'build-backend = "poetry.core.masonry.api"']
    return "\n".join(lines) + "\n"


def write(root: Path, relative: str, text: str) -> None:
    """Write `text` to the repo-relative file `relative`, making its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, count: int, seed: int) -> list[Spec]:
    """Write the repository at `root` (absent or empty) and commit it; return what was written."""
    specs = plan(count, seed)
    paths = {spec.name: spec.path for spec in specs}
    write(root, "pyproject.toml", "[tool.mono]\n")
    write(root, ".gitignore", ".venv/\n__pycache__/\n")
    for spec in specs:
        package = spec.name.replace("-", "_")
        imports = "".join(f"import {dep.replace('-', '_')}  # noqa: F401\n" for dep in spec.deps)
        write(root, f"{spec.path}/pyproject.toml", pyproject(spec, paths))
        write(root, f"{spec.path}/{package}/__init__.py", f'"""{spec.name}."""\n\n{imports}\nVALUE = 1\n')
        test = f"import {package}\n\n\ndef test_value() -> None:\n    assert {package}.VALUE == 1\n"
        write(root, f"{spec.path}/tests/test_{package}.py", test)
    env = {**os.environ, "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE}
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "synthetic repo"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return specs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=SUMMARY)
    parser.add_argument("--projects", type=int, default=1000, help="how many projects (default: 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to create (must be absent or empty)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out} exists and is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    specs = generate(args.out, args.projects, args.seed)
    kinds = {kind: sum(spec.path.startswith(f"{kind}/") for spec in specs) for kind in ("lib", "app", "eda")}
    print(f"wrote {len(specs)} projects to {args.out} ({', '.join(f'{n} {k}' for k, n in kinds.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
