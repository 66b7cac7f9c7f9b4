"""Build logic that needs no engine: exports split, libraries pinned, tags, choices, checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mono.engine import buildcontext
from mono.engine import images as build
from mono.engine.buildcontext import split_export
from mono.engine.images import BuildOptions, base_image_choice, check_buildable, check_tag, image_tags
from mono.errors import ConfigError, MonoError
from mono.external.docker import ImagePlatform
from mono.repo.discovery import load_workspace
from mono.repo.edit import pin_internal
from mono.repo.files import copy_project_files
from tests.helpers import git, pep621, write_tree

EXPORTED = """\
-e file:///repo/lib/helloworld ; python_version >= "3.11" and python_version < "4.0"
core @ file:///repo/lib/core ; python_version >= "3.11"
--extra-index-url https://index.invalid/simple
click==8.5.1 ; python_version >= "3.11" and python_version < "4.0" \\
    --hash=sha256:aaa \\
    --hash=sha256:bbb
colorama==0.4.6 ; sys_platform == "win32" \\
    --hash=sha256:ccc
"""


def test_an_export_splits_into_hashed_third_party_entries_and_internal_paths() -> None:
    third_party, local = split_export(EXPORTED)
    assert third_party == [
        'click==8.5.1 ; python_version >= "3.11" and python_version < "4.0" --hash=sha256:aaa --hash=sha256:bbb',
        'colorama==0.4.6 ; sys_platform == "win32" --hash=sha256:ccc',
    ]
    assert local == ["/repo/lib/helloworld", "/repo/lib/core"]  # matched to projects by path, not by name


PEP621_LIBRARY = """\
[project]
name = "report"
version = "1.2.0"
dependencies = [
    "core",  # the shared core
    "util[fast] ; python_version >= '3.11'",
    "requests>=2",
]

[tool.poetry.dependencies]
core = { path = "../core", develop = true }
util = { path = "../util" }
"""


def test_path_dependencies_of_a_pep621_library_become_exact_requirements() -> None:
    pinned = pin_internal(PEP621_LIBRARY, {"core": "0.3.0", "util": "2.0.0"})
    assert '"core==0.3.0",  # the shared core' in pinned
    assert "\"util[fast]==2.0.0; python_version >= '3.11'\"" in pinned
    assert '"requests>=2"' in pinned
    assert "path" not in pinned


def test_path_dependencies_of_a_poetry1_library_become_exact_versions() -> None:
    text = (
        '[tool.poetry]\nname = "report"\n\n[tool.poetry.dependencies]\npython = "^3.11"\ncore = { path = "../core" }\n'
    )
    pinned = pin_internal(text, {"core": "0.3.0"})
    assert 'core = "==0.3.0"' in pinned and 'python = "^3.11"' in pinned


def test_wheels_are_picked_for_the_images_platform() -> None:
    options = ImagePlatform("3.12", "aarch64", "2.36").pip_download_options()
    assert options[:8] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.12", "--abi",
                           "cp312", "--platform"]  # fmt: skip
    platforms = [options[i + 1] for i, option in enumerate(options) if option == "--platform"]
    assert platforms[0] == "manylinux_2_36_aarch64" and "manylinux_2_17_aarch64" in platforms
    assert "manylinux2014_aarch64" in platforms and not any("x86_64" in p for p in platforms)
    assert "manylinux_2_37_aarch64" not in platforms  # newer than the image's C library


def test_tags_are_version_git_sha_and_extras_with_the_registry_prefix(repo: Path) -> None:
    workspace = load_workspace(repo)
    web = workspace.projects["web"]
    sha = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    tags = image_tags(workspace, web, BuildOptions("base", registry="ghcr.io/acme", extra_tags=("latest",)))
    assert tags == ("ghcr.io/acme/web:0.1.0", f"ghcr.io/acme/web:git-{sha}", "ghcr.io/acme/web:latest")
    (repo / "app/shop/web/app.py").write_text("print('changed')\n")
    assert image_tags(workspace, web, BuildOptions("base"))[1] == f"web:git-{sha}-dirty"


def test_only_apps_with_a_dockerfile_can_be_built(repo: Path) -> None:
    workspace = load_workspace(repo)
    with pytest.raises(MonoError, match="core is of kind lib: only apps and models have images"):
        check_buildable(workspace, workspace.projects["core"])
    with pytest.raises(MonoError, match="app/shop/web has no Dockerfile"):
        check_buildable(workspace, workspace.projects["web"])
    (repo / "app/shop/web/Dockerfile").write_text("FROM scratch\n")
    check_buildable(workspace, workspace.projects["web"])


def test_bad_tags_are_refused() -> None:
    assert check_tag("v1.2_rc-1") == "v1.2_rc-1"
    for bad in ("", "-leading", "has space", "a/b", "x" * 129):
        with pytest.raises(MonoError):
            check_tag(bad)


def test_the_base_image_comes_from_the_option_then_the_variable_then_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MONO_BASE_IMAGE", raising=False)
    assert base_image_choice(None, "python:3.11-slim-bookworm") == "python:3.11-slim-bookworm"
    monkeypatch.setenv("MONO_BASE_IMAGE", "local/python:3.11")
    assert base_image_choice(None, "python:3.11-slim-bookworm") == "local/python:3.11"
    assert base_image_choice("other:1", "python:3.11-slim-bookworm") == "other:1"
    for option in ("--help", "-q", "two words", "line\nbreak"):  # they would reach docker as options
        with pytest.raises(MonoError, match="is not an image reference"):
            base_image_choice(option, "python:3.11-slim-bookworm")


def test_docker_settings_are_checked(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mono.docker]\nregistry = "ghcr.io/acme/"\nbase-image = "b:1"\n')
    settings = load_workspace(repo).config.docker
    assert (settings.registry, settings.base_image) == ("ghcr.io/acme", "b:1")
    (repo / "pyproject.toml").write_text('[tool.mono.docker]\nregistery = "x"\n')
    with pytest.raises(ConfigError, match="did you mean 'registry'"):
        load_workspace(repo)


def test_only_files_git_tracks_go_into_a_copy(repo: Path, tmp_path: Path) -> None:
    write_tree(repo, {"lib/core/.gitignore": ".env\nnotes/\n", "lib/core/.env": "TOKEN=secret\n",
                      "lib/core/notes/n.txt": "x\n", "lib/core/core/new.py": "NEW = 1\n"})  # fmt: skip
    shipped = copy_project_files(repo / "lib/core", tmp_path / "copy")
    copied = {p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*") if p.is_file()}
    assert copied == {"pyproject.toml", "core/__init__.py"}  # not new.py (untracked), .env or notes/ (ignored)
    assert shipped.left_out == (".gitignore", "core/new.py")  # ignored files are not news


def test_a_cached_wheel_is_built_again_once_a_file_of_the_library_is_tracked(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built_from: list[set[str]] = []

    def poetry_builds(args: list[str], root: Path, folder: Path, log: Path, **options: object) -> None:
        out = Path(args[args.index("--output") + 1])
        out.mkdir(parents=True)
        with zipfile.ZipFile(out / "core-0.1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr("core/__init__.py", "")
        built_from.append({p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()})

    monkeypatch.setattr(buildcontext, "poetry", poetry_builds)
    (repo / "lib/core/core/new.py").write_text("NEW = 1\n")
    workspace = load_workspace(repo)
    core = workspace.projects["core"]
    buildcontext.project_wheels(workspace, core, repo / "build.log")
    buildcontext.project_wheels(workspace, core, repo / "build.log")
    assert built_from == [{"pyproject.toml", "core/__init__.py"}]  # untracked: left out, and cached
    git(repo, "add", "lib/core/core/new.py")  # its contents unchanged: only what git tracks is
    buildcontext.project_wheels(workspace, core, repo / "build.log")
    assert built_from[1:] == [{"pyproject.toml", "core/__init__.py", "core/new.py"}]


def test_a_library_whose_pyproject_git_does_not_track_is_refused_in_one_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buildcontext, "poetry", lambda *args, **options: None)
    write_tree(repo, {"lib/fresh/pyproject.toml": pep621("fresh"), "lib/fresh/fresh/__init__.py": ""})
    workspace = load_workspace(repo)
    with pytest.raises(MonoError, match=r"lib/fresh/pyproject\.toml is not tracked by git"):
        buildcontext.project_wheels(workspace, workspace.projects["fresh"], repo / "build.log")


def test_a_local_version_becomes_a_valid_tag_and_an_unknown_tree_state_gives_no_git_tag(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = repo / "app/shop/web/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.0+build.7"'))
    workspace = load_workspace(repo)
    tags = image_tags(workspace, workspace.projects["web"], BuildOptions("base"))
    assert tags[0] == "web:0.1.0-build.7" and all(check_tag(tag.split(":", 1)[1]) for tag in tags)
    monkeypatch.setattr(build, "try_git", lambda root, *args: "abc123" if args[0] == "rev-parse" else None)
    assert build.git_tag(repo) is None


def test_only_a_context_the_tool_assembled_is_built_without_network(repo: Path) -> None:
    # The tool's own context carries every wheel; a Dockerfile written for the repository root
    # installs what it needs itself, as it does when its team builds it.
    workspace = load_workspace(repo)
    web = workspace.projects["web"]
    spec = build.ImageSpec("web", "Dockerfile")
    offline = build._build_arguments(web, spec, repo, "base:1", ("web:1",), offline=True)
    online = build._build_arguments(web, spec, repo, "base:1", ("web:1",), offline=False)
    assert offline[1:3] == ["--network", "none"] and "--network" not in online


def test_a_damaged_cached_wheel_is_built_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    builds: list[Path] = []

    def poetry_builds(args: list[str], root: Path, folder: Path, log: Path, **options: object) -> None:
        out = Path(args[args.index("--output") + 1])
        out.mkdir(parents=True)
        with zipfile.ZipFile(out / "core-0.1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr("core/__init__.py", "")
        builds.append(folder)

    monkeypatch.setattr(buildcontext, "poetry", poetry_builds)
    workspace = load_workspace(repo)
    core = workspace.projects["core"]
    [first] = buildcontext.project_wheels(workspace, core, repo / "build.log")
    assert buildcontext.project_wheels(workspace, core, repo / "build.log") == [first] and len(builds) == 1
    first.write_bytes(first.read_bytes()[:40])  # a truncated download or a full disk
    [again] = buildcontext.project_wheels(workspace, core, repo / "build.log")
    assert len(builds) == 2 and zipfile.is_zipfile(again)
    assert "discarded a damaged cached wheel of core" in caplog.text
