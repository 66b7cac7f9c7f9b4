"""What ships into an image or a package: what git tracks, and what the Dockerfile COPYs by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.engine import images, scaffolding
from mono.errors import MonoError
from mono.model.graph import build_graph
from mono.repo.discovery import load_workspace
from mono.repo.dockerfile import named_sources
from mono.repo.files import LeftOut, copy_project_files, files_below, shipped_files
from tests.helpers import build_repo, git, pep621, write_tree

DOCKERFILE = "FROM base\nCOPY app.py config.json /app/\nCOPY templates/ /app/templates/\n"


def copied(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A committed app folder, then every state a file can be in besides committed."""
    repo = build_repo(
        tmp_path / "repo",
        {
            "web/.gitignore": ".env\n",
            "web/Dockerfile": DOCKERFILE,
            "web/app.py": "print('hi')\n",
            "web/templates/index.html": "<p>hi</p>\n",
            "web/gone.txt": "deleted in the work tree\n",
        },
    )
    (repo / "web/gone.txt").unlink()
    write_tree(
        repo,
        {
            "web/templates/secret.txt": "untracked\n",
            "web/notes.md": "untracked\n",
            "web/config.json": "untracked, but the Dockerfile COPYs it by name\n",
            "web/.env": "TOKEN=ignored\n",
            "web/staged.py": "git add, not committed\n",
            "web/planned.py": "git add -N\n",
            "web/__pycache__/app.cpython-311.pyc": "cache\n",
        },
    )
    git(repo, "add", "web/staged.py")
    git(repo, "add", "--intent-to-add", "web/planned.py")
    return repo / "web"


def test_tracked_files_and_those_the_dockerfile_names_are_copied_and_the_other_untracked_are_reported(
    app: Path, tmp_path: Path
) -> None:
    shipped = copy_project_files(app, tmp_path / "copy", shipped_files(app, named_sources(app / "Dockerfile")))
    expected = {".gitignore", "Dockerfile", "app.py", "templates/index.html", "config.json", "staged.py", "planned.py"}
    assert copied(tmp_path / "copy") == expected
    assert shipped.files is not None and set(shipped.files) == expected
    assert shipped.left_out == ("notes.md", "templates/secret.txt")  # not .env (ignored), not the cache


def test_without_a_dockerfile_its_named_files_are_left_out_too(app: Path, tmp_path: Path) -> None:
    shipped = copy_project_files(app, tmp_path / "copy")
    assert "config.json" not in copied(tmp_path / "copy")
    assert shipped.left_out == ("config.json", "notes.md", "templates/secret.txt")


def test_outside_git_everything_but_caches_is_copied_and_nothing_is_reported(tmp_path: Path) -> None:
    write_tree(tmp_path / "plain", {"app.py": "", "notes.md": "", "__pycache__/app.pyc": "", ".venv/bin/python": ""})
    shipped = copy_project_files(tmp_path / "plain", tmp_path / "copy")
    assert copied(tmp_path / "copy") == {"app.py", "notes.md"}
    assert shipped.files is None and shipped.left_out == ()


def test_the_warning_names_a_few_files_and_counts_the_rest() -> None:
    assert LeftOut("flask-app-1", ("notes.md", "templates/secret.txt")).warning() == (
        "left out 2 untracked files of flask-app-1 (notes.md, templates/secret.txt): git add them to ship them"
    )
    assert LeftOut("core", ("x.py",)).warning() == "left out 1 untracked file of core (x.py): git add it to ship it"
    many = LeftOut("core", ("a", "b", "c", "d", "e\nf")).warning()
    assert many == "left out 5 untracked files of core (a, b, c and 2 more): git add them to ship them"
    assert "\n" not in LeftOut("core", ("line\nbreak",)).warning()  # a hostile name stays one line


def layered_app(tmp_path: Path) -> Path:
    return build_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.mono]\n",
            "lib/core/pyproject.toml": pep621("core"),
            "lib/core/core/__init__.py": "",
            "app/shop/web/pyproject.toml": pep621("web", {"core": "../../../lib/core"}),
            "app/shop/web/Dockerfile": DOCKERFILE,
            "app/shop/web/app.py": "",
        },
    )


def test_the_image_reports_its_own_and_its_libraries_untracked_files(tmp_path: Path) -> None:
    repo = layered_app(tmp_path)
    write_tree(
        repo, {"app/shop/web/templates/secret.txt": "", "app/shop/web/config.json": "", "lib/core/core/new.py": ""}
    )
    workspace = load_workspace(repo)
    assert images.left_out_of_image(workspace, workspace.projects["web"]) == [
        LeftOut("web", ("templates/secret.txt",)),  # config.json is COPYed by name: it ships
        LeftOut("core", ("core/new.py",)),
    ]


def test_an_untracked_dockerfile_is_refused_in_one_line(tmp_path: Path) -> None:
    repo = layered_app(tmp_path)
    write_tree(repo, {"app/shop/new/pyproject.toml": pep621("new"), "app/shop/new/Dockerfile": "FROM base\n"})
    workspace = load_workspace(repo)
    with pytest.raises(MonoError, match="app/shop/new/Dockerfile is not tracked by git") as refused:
        images.left_out_of_image(workspace, workspace.projects["new"])
    assert "git add -N app/shop/new" in str(refused.value)


def test_a_new_project_is_marked_for_git_and_unmarked_when_new_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = layered_app(tmp_path)
    workspace = load_workspace(repo)
    request = scaffolding.plan(workspace, build_graph(workspace), "eng", "etl/clean", ())

    def render(workspace: object, plan: object, staging: Path, log: Path) -> None:
        write_tree(staging, {"pyproject.toml": pep621("clean"), "clean/__init__.py": ""})

    monkeypatch.setattr(scaffolding, "_render", render)
    monkeypatch.setattr(scaffolding, "poetry", lambda *args, **options: None)
    seen: list[str] = []

    def fails_after_listing() -> None:
        seen.extend(git(repo, "ls-files", "eng").split())
        assert git(repo, "diff", "--cached", "--name-only") == ""  # nothing staged for a commit
        raise MonoError("tests failed")

    with pytest.raises(MonoError, match="tests failed"):
        scaffolding.create(workspace, request, tmp_path / "new.log", fails_after_listing, lambda said: None)
    assert seen == ["eng/etl/clean/clean/__init__.py", "eng/etl/clean/pyproject.toml"]
    assert git(repo, "status", "--porcelain") == ""  # no index entry of the removed files is left
    scaffolding.create(workspace, request, tmp_path / "new.log", lambda: None, lambda said: None)
    assert git(repo, "ls-files", "eng").split() == seen
    assert git(repo, "status", "--porcelain") == " A eng/etl/clean/clean/__init__.py\n A eng/etl/clean/pyproject.toml\n"


def test_what_a_test_run_writes_in_its_project_is_not_an_input_of_the_next_run(tmp_path: Path) -> None:
    # pytest, hypothesis and import-linter write caches into the project they test: were they
    # inputs, a passing run would change its own cache key and the suite would never be cached.
    write_tree(tmp_path, {"tools/t/src/t.py": "", "tools/t/.github/ci.yml": "", "tools/t/.dockerignore": ""})
    before = list(files_below(tmp_path, "tools/t"))
    for cache in (".hypothesis/examples/ab", ".import_linter_cache/x.json", ".pytest_cache/v/x", ".tox/py/x"):
        write_tree(tmp_path, {f"tools/t/{cache}": "data"})
    assert list(files_below(tmp_path, "tools/t")) == before
    assert before == ["tools/t/.dockerignore", "tools/t/.github/ci.yml", "tools/t/src/t.py"]
