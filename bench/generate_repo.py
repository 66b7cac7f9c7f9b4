"""Write a synthetic monorepo of N Poetry projects, for benchmarking ./mono.

About 40% of the projects are libraries under lib/, spread over five layers: a library of layer 0
depends on nothing, one of a higher layer on 1-3 libraries of lower layers. The rest are apps
(app/<program>/<app>, ~60% of them) and EDA projects (eda/<program>/<name>), each depending on
1-4 libraries. Every project has a PEP 621 pyproject.toml with Poetry path dependencies
(develop = true), a package folder with __init__.py and a tests/ folder. The root holds a
pyproject.toml with an empty [tool.mono] table. The result is a git repository on branch main
with everything committed; the same --projects and --seed always give the same files.

With --real-deps the projects are real enough to lock, install and test: libraries of layer 0
use requests, apps use flask (and test a route with Flask's test client), EDA projects use
pandas, every project has pytest in its dev group, and each test imports the project's
libraries and third-party packages. Each project then also declares every library it uses
indirectly: Poetry 2 does not follow a PEP 621 library's own path dependencies when it locks a
project that uses it (python-poetry/poetry#10178), so the repository's convention is to list the
whole closure.

With --to-uv ROUTE DIR it turns an existing generated repository (a copy) into one that uv
drives, for bench/peers.sh: every project gets its Poetry dev group as a PEP 735 dependency group
and, when it is not in package mode, `[tool.uv] package = false`; with ROUTE `workspace` the root
becomes a uv workspace of all the projects, with the libraries as workspace sources; with
`projects` each project gets path sources (editable) for the libraries it uses, to lock and sync
on its own. The Poetry tables stay as they are (uv ignores them).

Usage: python3 generate_repo.py --out DIR [--projects 1000] [--seed 0] [--real-deps]
       python3 generate_repo.py --to-uv {workspace,projects} DIR
"""

from __future__ import annotations

import argparse
import os
import posixpath
import random
import subprocess
import sys
import tomllib
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


# Third-party dependencies by kind of project, for --real-deps (layer-0 libraries only for lib).
REAL_DEPS = {"lib": ("requests>=2.31,<3",), "app": ("flask>=3.0,<4",), "eda": ("pandas>=2.2,<3",)}
REAL_TESTS = {
    "lib": (
        "import requests\n\n\ndef test_requests() -> None:\n"
        "    assert requests.Request('GET', 'http://x').method == 'GET'\n"
    ),
    "app": (
        "from flask import Flask\n\n\ndef test_route() -> None:\n    app = Flask(__name__)\n"
        "    app.add_url_rule('/', 'index', lambda: 'ok')\n    assert app.test_client().get('/').data == b'ok'\n"
    ),
    "eda": (
        "import pandas as pd\n\n\ndef test_frame() -> None:\n    assert pd.DataFrame({'a': [1, 2]})['a'].sum() == 3\n"
    ),
}


def kind_of(spec: Spec) -> str:
    """lib, app or eda: the first folder of the project's path."""
    return spec.path.split("/", 1)[0]


def third_party(spec: Spec) -> tuple[str, ...]:
    """The real third-party requirements a project gets with --real-deps."""
    kind = kind_of(spec)
    if kind == "lib" and spec.deps:
        return ()  # only the bottom layer of libraries uses requests; the rest get it through them
    return REAL_DEPS[kind]


def pyproject(spec: Spec, paths: dict[str, str], real: bool = False) -> str:
    """A Poetry 2 (PEP 621) pyproject.toml with one path dependency per internal dependency."""
    listed = ", ".join(f'"{dep}"' for dep in (*spec.deps, *(third_party(spec) if real else ())))
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
    if real:
        lines += ["", "[tool.poetry.group.dev.dependencies]", 'pytest = "^8.3"']
        if kind_of(spec) != "lib":  # not installed into its own venv: the tests import it from the folder
            lines += [
                "",
                "[tool.poetry]",
                "package-mode = false",
                "",
                "[tool.pytest.ini_options]",
                'pythonpath = ["."]',
            ]
    lines += ["", "[build-system]", 'requires = ["poetry-core>=2.0"]', 'build-backend = "poetry.core.masonry.api"']
    return "\n".join(lines) + "\n"


def write(root: Path, relative: str, text: str) -> None:
    """Write `text` to the repo-relative file `relative`, making its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def with_closure(specs: list[Spec]) -> list[Spec]:
    """The same projects, each depending on every library it reaches (libraries come first)."""
    closure: dict[str, set[str]] = {}
    result = []
    for spec in specs:
        reached = set(spec.deps).union(*(closure[dep] for dep in spec.deps))
        closure[spec.name] = reached
        result.append(Spec(spec.name, spec.path, tuple(sorted(reached))))
    return result


def generate(root: Path, count: int, seed: int, real: bool = False) -> list[Spec]:
    """Write the repository at `root` (absent or empty) and commit it; return what was written."""
    specs = with_closure(plan(count, seed)) if real else plan(count, seed)
    paths = {spec.name: spec.path for spec in specs}
    write(root, "pyproject.toml", "[tool.mono]\n")
    write(root, ".gitignore", ".venv/\n__pycache__/\n.mono/\n")
    for spec in specs:
        package = spec.name.replace("-", "_")
        imports = "".join(f"import {dep.replace('-', '_')}  # noqa: F401\n" for dep in spec.deps)
        write(root, f"{spec.path}/pyproject.toml", pyproject(spec, paths, real))
        write(root, f"{spec.path}/{package}/__init__.py", f'"""{spec.name}."""\n\n{imports}\nVALUE = 1\n')
        test = f"import {package}\n\n\ndef test_value() -> None:\n    assert {package}.VALUE == 1\n"
        write(root, f"{spec.path}/tests/test_{package}.py", test)
        if real and third_party(spec):
            write(root, f"{spec.path}/tests/test_third_party.py", REAL_TESTS[kind_of(spec)])
    env = {**os.environ, "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE}
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "synthetic repo"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return specs


def caret_to_pep440(constraint: str) -> str:
    """Poetry's `^X.Y` (the form the generator writes) as a PEP 440 range; others unchanged."""
    if not constraint.startswith("^"):
        return constraint
    parts = constraint[1:].split(".")
    return f">={constraint[1:]},<{int(parts[0]) + 1}"


def uv_tables(project: dict, sources: str | None) -> str:
    """The uv tables for one generated project: its dev group, package = false where Poetry has
    package-mode = false, and (with sources `path`) editable path sources for its libraries."""
    poetry = project.get("tool", {}).get("poetry", {})
    dev = poetry.get("group", {}).get("dev", {}).get("dependencies", {})
    lines = ["", "[dependency-groups]"]
    lines.append("dev = [" + ", ".join(f'"{name}{caret_to_pep440(spec)}"' for name, spec in dev.items()) + "]")
    if poetry.get("package-mode") is False:
        lines += ["", "[tool.uv]", "package = false"]
    paths = {name: spec["path"] for name, spec in poetry.get("dependencies", {}).items() if isinstance(spec, dict)}
    if sources == "path" and paths:
        lines += ["", "[tool.uv.sources]"]
        lines += [f'{name} = {{ path = "{path}", editable = true }}' for name, path in sorted(paths.items())]
    return "\n".join(lines) + "\n"


def to_uv(root: Path, route: str) -> int:
    """Turn the generated repository at `root` into a uv workspace or uv projects (see above)."""
    libraries, members = [], []
    for path in sorted(root.glob("*/**/pyproject.toml")):
        if ".venv" in path.parts:
            continue
        project = tomllib.loads(path.read_text(encoding="utf-8"))
        folder = path.parent.relative_to(root).as_posix()
        members.append(folder)
        if folder.startswith("lib/"):
            libraries.append(project["project"]["name"])
        with path.open("a", encoding="utf-8") as file:
            file.write(uv_tables(project, "path" if route == "projects" else None))
    if route == "workspace":
        lines = ["", "[tool.uv.workspace]", "members = [" + ", ".join(f'"{m}"' for m in members) + "]"]
        lines += ["", "[tool.uv.sources]", *(f"{name} = {{ workspace = true }}" for name in libraries)]
        with (root / "pyproject.toml").open("a", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
    print(f"made {root} into a uv {route} route ({len(members)} projects, {len(libraries)} libraries)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=SUMMARY)
    parser.add_argument("--projects", type=int, default=1000, help="how many projects (default: 1000)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="folder to create (must be absent or empty)")
    where.add_argument(
        "--to-uv",
        nargs=2,
        metavar=("ROUTE", "DIR"),
        help="make the generated repository DIR a uv 'workspace' or uv 'projects' (for bench/peers.sh)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--real-deps", action="store_true", help="third-party dependencies and dev tools, for lock/install/test"
    )
    args = parser.parse_args(argv)
    if args.to_uv:
        route, folder = args.to_uv
        if route not in ("workspace", "projects"):
            parser.error(f"--to-uv: ROUTE must be 'workspace' or 'projects', not {route!r}")
        return to_uv(Path(folder), route)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out} exists and is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    specs = generate(args.out, args.projects, args.seed, args.real_deps)
    kinds = {kind: sum(spec.path.startswith(f"{kind}/") for spec in specs) for kind in ("lib", "app", "eda")}
    print(f"wrote {len(specs)} projects to {args.out} ({', '.join(f'{n} {k}' for k, n in kinds.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
