"""Build fake monorepos from data, and run the CLI against them."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = next(folder for folder in Path(__file__).resolve().parents if (folder / "mono").is_file())
LAUNCHER = REPO_ROOT / "mono"


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (repo-relative path -> text, dedented) under `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return its output (raises on failure)."""
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def build_repo(root: Path, files: Mapping[str, str], commit: bool = True) -> Path:
    """A git repository at `root` holding `files`, committed on branch main."""
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "tests@example.invalid")
    git(root, "config", "user.name", "tests")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def pep621(name: str, deps: Mapping[str, str] | None = None, extra: str = "") -> str:
    """A Poetry 2 pyproject.toml; `deps` maps internal names to their path."""
    deps = deps or {}
    listed = ", ".join(f'"{dep}"' for dep in deps)
    paths = "\n".join(f'{dep} = {{ path = "{path}", develop = true }}' for dep, path in deps.items())
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{listed}]\n\n[tool.poetry.dependencies]\n{paths}\n{extra}"
    )


def poetry1(name: str, deps: Mapping[str, str] | None = None, extra: str = "") -> str:
    """A Poetry 1 pyproject.toml (everything under [tool.poetry]); path deps without develop."""
    deps = deps or {}
    paths = "\n".join(f'{dep} = {{ path = "{path}" }}' for dep, path in deps.items())
    return (
        f'[tool.poetry]\nname = "{name}"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n\n'
        f'[tool.poetry.dependencies]\npython = "^3.11"\n{paths}\n{extra}'
    )


def layered_repo() -> dict[str, str]:
    """lib core <- lib util <- app web, eda study; a lone lib; a tools project."""
    return {
        "pyproject.toml": "[tool.mono]\n",
        "lib/core/pyproject.toml": pep621("core"),
        "lib/core/core/__init__.py": "",
        "lib/util/pyproject.toml": pep621("util", {"core": "../core"}),
        "lib/util/util/__init__.py": "",
        "lib/lonely/pyproject.toml": pep621("lonely"),
        "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
        "app/shop/web/app.py": "print('hi')\n",
        "eda/shop/study/pyproject.toml": poetry1("study", {"core": "../../../lib/core"}),
        "tools/helper/pyproject.toml": pep621("helper"),
        "README.md": "# test repo\n",
    }


def tree_listing(root: Path) -> set[str]:
    """Every file and folder under `root` (git's own folder left out)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.relative_to(root).parts}
