from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mono.errors import ConfigError, DuplicateProject, InvalidPyproject, MissingPathDependency
from mono.model.names import normalize_name
from mono.repo import discovery
from mono.repo.discovery import load_workspace
from mono.repo.files import NOT_SEARCHED
from tests.helpers import layered_repo, pep621, poetry1, write_tree


def test_discovers_both_poetry_styles_at_any_depth(repo: Path) -> None:
    workspace = load_workspace(repo)
    assert set(workspace.projects) == {"core", "util", "lonely", "web", "study", "helper"}
    assert workspace.projects["web"].path == "app/shop/web"
    assert workspace.projects["web"].style == "pep621"
    assert workspace.projects["study"].style == "poetry1"
    assert workspace.projects["study"].version == "1.0.0"


def test_kind_comes_from_the_top_level_folder(repo: Path) -> None:
    kinds = {name: project.kind for name, project in load_workspace(repo).projects.items()}
    assert kinds == {"core": "lib", "util": "lib", "lonely": "lib", "web": "app", "study": "eda", "helper": "tools"}


def test_plural_folder_names_at_any_depth_give_kinds(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "services/api/pyproject.toml": pep621("api"),
            "libs/x/pyproject.toml": poetry1("x"),
            "py/packages/y/pyproject.toml": pep621("y"),
            "src/apps/web/pyproject.toml": pep621("web"),
            # A project folder's own name says nothing: only the folders above it do.
            "stuff/lib/pyproject.toml": pep621("lone"),
        },
    )
    kinds = {p.name: p.kind for p in load_workspace(tmp_path).projects.values()}
    assert kinds == {"api": "app", "x": "lib", "y": "lib", "web": "app", "lone": "other"}


def test_without_settings_a_project_used_by_path_is_a_library_and_one_with_a_dockerfile_is_an_app(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "projects/shop/pyproject.toml": pep621("shop", {"core": "../../components/core"}),
            "projects/shop/Dockerfile": "FROM python:3.11-slim\n",
            "components/core/pyproject.toml": pep621("core"),
            "scripts/misc/pyproject.toml": pep621("misc"),
            "other/x/pyproject.toml": pep621("x", extra='\n[tool.mono]\nkind = "eda"\n'),
        },
    )
    kinds = {p.name: p.kind for p in load_workspace(tmp_path).projects.values()}
    assert kinds == {"shop": "app", "core": "lib", "misc": "other", "x": "eda"}


def test_a_kinds_setting_replaces_the_default_folders(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": '[tool.mono]\nkinds = { svc = "app" }\n', "libs/x/pyproject.toml": poetry1("x")},
    )
    assert load_workspace(tmp_path).projects["x"].kind == "other"


def test_settings_map_folders_to_kinds_and_a_project_may_set_its_own(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mono]\nkinds = { services = "app" }\n',
            "services/api/pyproject.toml": pep621("api"),
            "services/job/pyproject.toml": pep621("job", extra='\n[tool.mono]\nkind = "eng"\n'),
        },
    )
    projects = load_workspace(tmp_path).projects
    assert (projects["api"].kind, projects["job"].kind) == ("app", "eng")


def test_path_dependencies_with_and_without_develop_become_edges(repo: Path) -> None:
    projects = load_workspace(repo).projects
    assert projects["web"].depends_on == ("util",)
    assert projects["util"].depends_on == ("core",)
    assert projects["study"].depends_on == ("core",)  # Poetry 1 style, no develop flag
    dependency = projects["study"].path_dependencies[0]
    assert (dependency.target, dependency.develop) == ("lib/core", False)
    assert projects["util"].path_dependencies[0].develop is True


def test_group_dependencies_count_as_internal_dependencies(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "lib/testkit/pyproject.toml": pep621("testkit"),
            "lib/a/pyproject.toml": pep621(
                "a", extra='\n[tool.poetry.group.dev.dependencies]\ntestkit = { path = "../testkit" }\n'
            ),
        },
    )
    assert load_workspace(tmp_path).projects["a"].depends_on == ("testkit",)


def test_lock_presence_is_recorded(repo: Path) -> None:
    (repo / "lib/core/poetry.lock").write_text("# lock\n")
    projects = load_workspace(repo).projects
    assert projects["core"].has_lock and not projects["util"].has_lock


def test_virtualenvs_hidden_and_build_folders_are_not_searched(repo: Path) -> None:
    write_tree(
        repo,
        {
            "lib/core/.venv/lib/site/pyproject.toml": pep621("venv-junk"),
            "node_modules/x/pyproject.toml": pep621("node-junk"),
            ".hidden/y/pyproject.toml": pep621("hidden-junk"),
            "lib/core/dist/pyproject.toml": pep621("dist-junk"),
        },
    )
    assert not {"venv-junk", "node-junk", "hidden-junk", "dist-junk"} & set(load_workspace(repo).projects)


def test_exclude_setting_skips_folders(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mono]\nexclude = ["tools/*"]\n')
    assert "helper" not in load_workspace(repo).projects


def test_names_are_normalised() -> None:
    assert normalize_name("My_Lib.Core") == "my-lib-core"


def test_root_settings_file_is_not_a_project_but_a_root_poetry_project_is(repo: Path) -> None:
    assert all(project.path != "." for project in load_workspace(repo).projects.values())
    (repo / "pyproject.toml").write_text(pep621("umbrella"))
    assert load_workspace(repo).projects["umbrella"].path == "."


def test_malformed_pyproject_names_the_file(repo: Path) -> None:
    (repo / "lib/util/pyproject.toml").write_text("[project\nname = 'util'\n")
    with pytest.raises(InvalidPyproject, match=r"lib/util/pyproject.toml: not valid TOML"):
        load_workspace(repo)


def test_path_dependency_to_a_missing_folder_is_an_error(repo: Path) -> None:
    (repo / "app/shop/web/pyproject.toml").write_text(pep621("web", {"gone": "../../../lib/gone"}))
    with pytest.raises(MissingPathDependency, match=r"app/shop/web/pyproject.toml: path dependency 'gone'"):
        load_workspace(repo)


def test_two_projects_with_one_name_is_an_error(repo: Path) -> None:
    write_tree(repo, {"lib/core2/pyproject.toml": pep621("Core")})
    with pytest.raises(DuplicateProject, match="'core': lib/core and lib/core2"):
        load_workspace(repo)


def test_unknown_setting_suggests_the_closest_key(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mono]\nglobal_files = ["x"]\n')
    with pytest.raises(ConfigError) as raised:
        load_workspace(repo)
    assert "unknown key 'global_files'" in str(raised.value)
    assert "did you mean 'global-files'?" in str(raised.value)


def test_the_installer_setting_defaults_to_uv_and_rejects_unknown_names(repo: Path) -> None:
    assert load_workspace(repo).config.installer == "uv"
    (repo / "pyproject.toml").write_text('[tool.mono]\ninstaller = "poetry"\n')
    assert load_workspace(repo).config.installer == "poetry"
    (repo / "pyproject.toml").write_text('[tool.mono]\ninstaller = "pip"\n')
    with pytest.raises(ConfigError, match="unknown installer 'pip'"):
        load_workspace(repo)


def test_unknown_kind_is_rejected(repo: Path) -> None:
    write_tree(repo, {"lib/core/pyproject.toml": pep621("core", extra='\n[tool.mono]\nkind = "service"\n')})
    with pytest.raises(ConfigError, match="unknown kind 'service'"):
        load_workspace(repo)


def test_discovery_of_the_layered_fixture_is_stable() -> None:
    # Guards the fixture other tests rely on: six projects, one Poetry 1.
    files = layered_repo()
    assert sum(path.endswith("pyproject.toml") for path in files) == 7


def test_nested_git_repositories_are_not_searched(repo: Path) -> None:
    write_tree(
        repo, {"vendor/other/.git/HEAD": "ref: refs/heads/main\n", "vendor/other/lib/x/pyproject.toml": pep621("x")}
    )
    assert "x" not in load_workspace(repo).projects


def test_pep621_project_without_a_name_is_an_error(repo: Path) -> None:
    (repo / "lib/lonely/pyproject.toml").write_text('[project]\nversion = "1.0"\n')
    with pytest.raises(
        InvalidPyproject, match=r"lib/lonely/pyproject\.toml: the project name must be a non-empty string"
    ):
        load_workspace(repo)


def test_poetry1_project_without_a_name_takes_its_folder_name(repo: Path) -> None:
    (repo / "lib/lonely/pyproject.toml").write_text("[tool.poetry]\npackage-mode = false\n")
    assert load_workspace(repo).projects["lonely"].style == "poetry1"


def test_template_folders_are_not_projects(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "templates/{{cookiecutter.slug}}/pyproject.toml": pep621("template"),
            "lib/{% if x %}y{% endif %}/pyproject.toml": pep621("jinja"),
            "lib/real/pyproject.toml": pep621("real"),
        },
    )
    assert set(load_workspace(tmp_path).projects) == {"real"}


def test_folders_a_root_excludes_are_not_searched(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = {
        "pyproject.toml": """
            [tool.poetry]
            name = "root"
            version = "1.0.0"
            packages = [{ include = "rootpkg" }, { include = "brick", from = "components" }, { include = "*" }]
            # Files left out of the root's own package, not folders without projects.
            exclude = ["libs/kept"]

            [tool.mono]
            exclude = ["fixtures/*"]

            [tool.uv.workspace]
            exclude = ["libs/legacy"]

            [tool.poetry.workspace]
            exclude = ["libs/old-*"]
        """,
        "rootpkg/data/pyproject.toml": pep621("packaged-data"),
        "components/brick/sample/pyproject.toml": pep621("brick-data"),
        "fixtures/case/pyproject.toml": pep621("fixture"),
        "libs/legacy/pyproject.toml": pep621("legacy"),
        "libs/legacy/deeper/pyproject.toml": pep621("deeper"),
        "libs/old-stuff/pyproject.toml": pep621("old-stuff"),
        "libs/kept/pyproject.toml": pep621("kept"),
    }
    workspace = load_workspace(write_tree(root, files))
    assert sorted(workspace.projects) == ["kept", "root"]


def test_docker_context_settings_are_checked(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.mono.docker]\ncontext = "repo"\n',
        "apps/web/pyproject.toml": pep621("web", extra='\n[tool.mono]\ndocker-context = "project"\n'),
    }
    workspace = load_workspace(write_tree(tmp_path / "repo", files))
    assert workspace.config.docker.context == "repo"
    assert workspace.projects["web"].docker_context == "project"
    write_tree(tmp_path / "repo", {"pyproject.toml": '[tool.mono.docker]\ncontext = "root"\n'})
    with pytest.raises(ConfigError, match=r"unknown Docker context 'root' \(hint: use one of project, repo\)"):
        load_workspace(tmp_path / "repo")


def test_a_root_that_is_a_project_holds_the_repository_settings_and_its_own(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": poetry1(
            "root", extra='\n[tool.mono]\nkind = "tools"\nexclude = ["legacy"]\ninstaller = "poetry"\n'
        ),
        "legacy/old/pyproject.toml": pep621("old"),
        "packages/a/pyproject.toml": pep621("a"),
    }
    workspace = load_workspace(write_tree(tmp_path / "repo", files))
    assert sorted(workspace.projects) == ["a", "root"]
    assert workspace.projects["root"].kind == "tools" and workspace.config.installer == "poetry"
    write_tree(tmp_path / "repo", {"pyproject.toml": poetry1("root", extra="\n[tool.mono]\nexclud = []\n")})
    with pytest.raises(ConfigError, match="unknown key 'exclud' \\(hint: did you mean 'exclude'\\?\\)"):
        load_workspace(tmp_path / "repo")


def test_projects_of_other_tools_are_left_alone(tmp_path: Path) -> None:
    pdm = (
        '[project]\nname = "lib"\nversion = "0.1.0"\n\n'
        '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n'
    )
    files = {
        "pdm/lib/pyproject.toml": pdm,
        "uv/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.1.0"\n',
        "uv/lib/uv.lock": "version = 1\n",
        "uv/tabled/pyproject.toml": '[project]\nname = "tabled"\nversion = "0.1.0"\n\n[tool.uv]\npackage = true\n',
        "poetry/lib/pyproject.toml": poetry1("lib"),
        # Poetry's own table wins over another tool's lock or table.
        "both/mixed/pyproject.toml": poetry1("mixed", extra="\n[tool.pdm]\n"),
        "both/mixed/pdm.lock": "",
        "hatch/plain/pyproject.toml": pep621("plain"),  # a [project] alone suits Poetry 2
        # ...and one a Poetry project installs by path is part of the repository after all.
        "uv/used/pyproject.toml": '[project]\nname = "used"\nversion = "0.1.0"\n',
        "uv/used/uv.lock": "version = 1\n",
        "apps/web/pyproject.toml": poetry1("web", {"used": "../../uv/used"}),
    }
    workspace = load_workspace(write_tree(tmp_path / "repo", files))
    assert {name: project.path for name, project in workspace.projects.items()} == {
        "lib": "poetry/lib",
        "mixed": "both/mixed",
        "plain": "hatch/plain",
        "used": "uv/used",
        "web": "apps/web",
    }
    assert workspace.projects["used"].kind == "lib" and workspace.projects["web"].depends_on == ("used",)


def test_paths_out_of_the_repository_are_refused_or_left_alone(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"pyproject.toml": pep621("stranger"), "data/x.csv": "1\n"})
    root = write_tree(tmp_path / "repo", {"libs/mine/pyproject.toml": pep621("mine")})
    (root / "libs/linked").mkdir()
    (root / "libs/linked/pyproject.toml").symlink_to(outside / "pyproject.toml")
    assert sorted(load_workspace(root).projects) == ["mine"]  # a link to a file outside is no project
    (root / "libs/mine/data").symlink_to(outside / "data")
    write_tree(root, {"libs/mine/pyproject.toml": pep621("mine", extra='\n[tool.mono]\ntest-inputs = ["data"]\n')})
    with pytest.raises(InvalidPyproject, match="test-inputs: 'data' leaves the repository"):
        load_workspace(root)
    for folder in ("../apps", "/abs", "a/b", ".."):
        write_tree(root, {"pyproject.toml": f'[tool.mono.kinds]\n"{folder}" = "app"\n'})
        with pytest.raises(ConfigError, match="is not a folder name"):
            load_workspace(root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x01binary", "lib/core/pyproject.toml: not UTF-8 text (byte 0)"),
        (b'name = "caf\xe9"\n', "lib/core/pyproject.toml: not UTF-8 text (byte 11)"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "lib/core/pyproject.toml: nested too deep to read"),
    ],
)
def test_a_pyproject_that_is_not_toml_text_is_one_line(repo: Path, content: bytes, message: str) -> None:
    (repo / "lib/core/pyproject.toml").write_bytes(content)
    with pytest.raises(InvalidPyproject) as raised:
        load_workspace(repo)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


_NAME = st.text(alphabet="ab.{}%*?[]!_-", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    exclude=st.lists(st.text(alphabet="ab/*?[]!.-", min_size=1, max_size=8), max_size=3),
    relative=st.sampled_from(["", "a", "a/b", "lib/x.y"]),
    names=st.lists(_NAME, max_size=6),
)
def test_the_folders_entered_are_those_no_rule_and_no_exclude_glob_leaves_out(
    exclude: list[str], relative: str, names: list[str]
) -> None:
    # The rules one at a time (fnmatch per glob); discovery checks them in one compiled pattern.
    def left_out(name: str) -> bool:
        child = f"{relative}/{name}" if relative else name
        return (
            name.startswith(".")
            or name in NOT_SEARCHED
            or "{{" in name
            or "{%" in name
            or any(fnmatch.fnmatchcase(child, pattern) for pattern in exclude)
        )

    assert discovery._entered(tuple(exclude))(relative, names) == [name for name in names if not left_out(name)]
