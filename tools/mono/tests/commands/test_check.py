"""`mono check`: each check on a repository that triggers it and on one that does not, and the command."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from mono.commands import check
from mono.engine import health, health_locks
from mono.engine import locking as lockfile
from mono.errors import ConfigError, DuplicateProject, MonoError
from mono.external.poetry import LockCheck
from mono.model.config import Config, parse_config
from mono.model.versions import supported_pythons
from mono.repo.discovery import load_workspace
from mono.repo.lockfile import lock_without_markers
from tests.conftest import CliRunner
from tests.helpers import build_repo, pep621, poetry1, write_tree


def lock(*packages: tuple[str, str]) -> str:
    """A poetry.lock holding third-party `packages` as (name, version)."""
    text = '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.11"\ncontent-hash = "0"\n'
    for name, version in packages:
        text += f'\n[[package]]\nname = "{name}"\nversion = "{version}"\nfiles = []\n'
    return text


BUILD_SYSTEM = '\n[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n'


def healthy() -> dict[str, str]:
    """lib core <- lib util <- app web, which declares both (the repo convention) and imports util."""
    return {
        "pyproject.toml": "[tool.mono]\n",
        "lib/core/pyproject.toml": pep621("core") + BUILD_SYSTEM,
        "lib/core/core/__init__.py": "VALUE = 1\n",
        "lib/core/tests/test_core.py": "from core import VALUE\n",  # a library's tests import the library
        "lib/core/poetry.lock": lock(),
        "lib/util/pyproject.toml": pep621("util", {"core": "../core"}) + BUILD_SYSTEM,
        "lib/util/util/__init__.py": "from core import VALUE\n",
        "lib/util/poetry.lock": lock(),
        "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util", "core": "../../../lib/core"})
        + BUILD_SYSTEM,
        "app/shop/web/app.py": "import util.helpers\nfrom . import views\n",
        "app/shop/web/Dockerfile": "FROM python:3.11-slim\n",
        "app/shop/web/poetry.lock": lock(),
    }


def make(tmp_path: Path, changes: Mapping[str, str | None] | None = None) -> Path:
    """The healthy repository with `changes` (a file's new text, or None to leave it out)."""
    files = healthy()
    for path, text in (changes or {}).items():
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    return write_tree(tmp_path / "repo", files)


def found(root: Path, name: str) -> list[tuple[str, str]]:
    """(project, message) of what one check finds."""
    return [(finding.project, finding.message) for finding in check.CHECKS[name](health.load_repository(root))]


class FakePoetry:
    """Stands in for the in-process `poetry check --lock`: fresh with returncode 0, else what
    `output`'s `Error:` lines say is wrong with the pyproject.toml, else stale."""

    def __init__(self, returncode: int = 0, error: MonoError | None = None, output: str = "") -> None:
        self.returncode = returncode
        self.error = error
        self.output = output
        self.folders: list[Path] = []

    def __call__(self, folder: Path) -> LockCheck:
        self.folders.append(folder)
        if self.error:
            raise self.error
        said = [line.removeprefix("Error: ") for line in self.output.splitlines() if line.startswith("Error: ")]
        errors = tuple(line for line in said if "changed significantly" not in line)
        return LockCheck(errors, fresh=self.returncode == 0)


@pytest.fixture
def fake_poetry(monkeypatch: pytest.MonkeyPatch) -> FakePoetry:
    fake = FakePoetry()
    monkeypatch.setattr(lockfile, "poetry_check_lock", fake)
    return fake


# --- a healthy repository passes every check ----------------------------------------------------


@pytest.mark.parametrize("name", list(check.CHECKS))
def test_a_healthy_repository_passes(tmp_path: Path, fake_poetry: FakePoetry, name: str) -> None:
    assert found(make(tmp_path), name) == []


# --- names --------------------------------------------------------------------------------------


def test_two_projects_with_one_name_are_a_finding_not_a_crash(tmp_path: Path) -> None:
    root = make(tmp_path, {"lib/other/pyproject.toml": pep621("Core")})
    assert found(root, "names") == [
        ("core", "2 projects share the name 'core': lib/core, lib/other (rename all but one)")
    ]
    with pytest.raises(DuplicateProject):  # every other command still stops at it
        load_workspace(root)


def test_a_name_that_is_not_a_distribution_name_is_a_finding_shown_quoted_and_poetry_never_runs_on_it(
    tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry
) -> None:
    # Poetry 1 accepted names with spaces (a real Polylith root is "Python Polylith Example");
    # Poetry 2 cannot lock them. The repository still works; that project is refused.
    root = make(tmp_path, {"tools/odd/pyproject.toml": poetry1("my tool")})
    assert found(root, "names") == [
        (
            "my tool",
            "the name 'my tool' is not a valid distribution name "
            "(letters, digits, and '-', '_' or '.' between them; rename it in its pyproject.toml)",
        )
    ]
    assert "'my tool' (tools/odd)" in cli(root, "check").out.splitlines()
    listed = cli(root, "list").out.splitlines()
    assert [line.split()[0] for line in listed[1:]] == ["core", "'my", "util", "web"]  # quoted, never split
    assert "'my tool'" in cli(root, "graph").out.splitlines()
    checked = cli(root, "lock", "--check", "--all")
    assert checked.code == 1
    assert (
        "'my tool' is not a valid distribution name, so Poetry cannot work on it"
        " (rename it in tools/odd/pyproject.toml)" in checked.out
    )
    assert not any(folder == root / "tools/odd" for folder in fake_poetry.folders)


@pytest.mark.parametrize("name", ["/tmp/victim", "../../escape", "my\\ntool", "-rf", ".."])
def test_a_name_that_could_pass_for_a_path_or_an_option_is_refused_where_it_is_read(
    tmp_path: Path, cli: CliRunner, name: str
) -> None:
    root = make(tmp_path, {"tools/odd/pyproject.toml": poetry1(name)})
    for command in (["list"], ["graph"], ["lock", "--check"]):
        refused = cli(root, *command)
        assert (refused.code, refused.out) == (2, "")
        assert refused.err.startswith("mono: error: tools/odd/pyproject.toml: the project name ")
        assert len(refused.err.splitlines()) == 1


def test_a_pyproject_of_tool_settings_only_is_not_a_project(tmp_path: Path) -> None:
    root = make(tmp_path, {"docs/pyproject.toml": "[tool.ruff]\nline-length = 100\n", "empty/pyproject.toml": ""})
    assert "docs" not in load_workspace(root).projects and "empty" not in load_workspace(root).projects


# --- cycles -------------------------------------------------------------------------------------


def test_each_cycle_is_one_finding_on_its_first_project(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "lib/core/pyproject.toml": pep621("core", {"util": "../util"}),
            "lib/a/pyproject.toml": pep621("a", {"b": "../b"}),
            "lib/b/pyproject.toml": pep621("b", {"c": "../c"}),
            "lib/c/pyproject.toml": pep621("c", {"a": "../a"}),
        },
    )
    assert found(root, "cycles") == [
        ("a", "dependency cycle: a -> b -> c -> a (remove one of these path dependencies)"),
        ("core", "dependency cycle: core -> util -> core (remove one of these path dependencies)"),
    ]


# --- path dependencies --------------------------------------------------------------------------


def test_path_dependencies_must_stay_inside_and_point_at_libraries(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outside/pyproject.toml": pep621("outside")})
    root = make(
        tmp_path,
        {
            "app/shop/api/pyproject.toml": pep621(
                "api",
                {"outside": "../../../../outside", "web": "../web", "data": "../../../data"},
            ),
            "app/shop/api/Dockerfile": "",
            "data/readme.txt": "not a project\n",
        },
    )
    assert sorted(found(root, "path-dependencies")) == [
        ("api", "path dependency 'data' (../../../data) points at data, which is not a project of this repository"),
        ("api", "path dependency 'outside' (../../../../outside) leaves the repository"),
        ("api", "path dependency 'web' (../web) points at web, a project of kind app, not a library"),
    ]


# --- imports ------------------------------------------------------------------------------------


def test_an_imported_library_that_is_not_declared(tmp_path: Path) -> None:
    # web reaches core through util too; the one finding says what to fix.
    root = make(
        tmp_path,
        {
            "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
            "app/shop/web/views/page.py": "import util\n\ndef f():\n    import core.sub as c\n",
        },
    )
    assert found(root, "imports") == [
        ("web", "imports core from library core but does not declare it (add it as a path dependency)")
    ]


def test_a_declared_library_that_nothing_imports_or_reaches(tmp_path: Path) -> None:
    # util no longer uses core, so web's declaration of core has no reason left.
    root = make(
        tmp_path,
        {"lib/util/pyproject.toml": pep621("util"), "lib/util/util/__init__.py": ""},
    )
    assert found(root, "imports") == [
        ("web", "declares core but never imports it (remove the dependency if nothing needs it)")
    ]
    # A warning, not an error: a library is added before the code that imports it is written.
    assert [finding.severity for finding in check.CHECKS["imports"](health.load_repository(root))] == ["warning"]


def test_code_in_a_folder_discovery_leaves_out_is_not_the_projects(tmp_path: Path) -> None:
    # A tool's test fixtures are copies of projects (excluded from discovery): their imports
    # are not the tool's.
    root = make(
        tmp_path,
        {
            "pyproject.toml": '[tool.mono]\nexclude = ["tools/helper/tests/fixtures"]\n',
            "tools/helper/pyproject.toml": pep621("helper"),
            "tools/helper/tests/fixtures/app/x/pyproject.toml": pep621("web"),
            "tools/helper/tests/fixtures/app/x/app.py": "import core\n",
        },
    )
    assert [finding for finding in found(root, "imports") if finding[0] == "helper"] == []
    (root / "tools/helper/more.py").write_text("import core\n")
    assert ("helper", "imports core from library core but does not declare it (add it as a path dependency)") in found(
        root, "imports"
    )


def test_a_library_reached_through_another_must_be_declared_too(tmp_path: Path) -> None:
    root = make(tmp_path, {"app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"})})
    assert found(root, "imports") == [
        (
            "web",
            "uses core through util but does not declare it (Poetry will not find it: declare every library you reach)",
        )
    ]


def test_poetry_finds_libraries_reached_through_poetry1_libraries(tmp_path: Path) -> None:
    # Poetry follows the [tool.poetry.dependencies] paths of a Poetry 1 style library (not a
    # PEP 621 one's), so web need not declare core.
    root = make(
        tmp_path,
        {
            "lib/util/pyproject.toml": poetry1("util", {"core": "../core"}),
            "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
        },
    )
    assert found(root, "imports") == []


def test_a_library_only_in_a_dev_group_need_not_be_imported(tmp_path: Path) -> None:
    dev_tools = '\n[tool.poetry.group.dev.dependencies]\ntools = { path = "../../../lib/tools", develop = true }\n'
    root = make(
        tmp_path,
        {
            "lib/tools/pyproject.toml": pep621("tools"),
            "app/shop/web/pyproject.toml": pep621(
                "web", {"util": "../../../lib/util", "core": "../../../lib/core"}, dev_tools
            ),
        },
    )
    assert found(root, "imports") == []


def test_libraries_sharing_a_namespace_package_are_told_apart(tmp_path: Path) -> None:
    namespaced = '[tool.poetry]\npackages = [{ include = "mycorp" }]\n'
    root = make(
        tmp_path,
        {
            "lib/one/pyproject.toml": pep621("one", extra=namespaced),
            "lib/one/mycorp/one/__init__.py": "",
            "lib/two/pyproject.toml": pep621("two", extra=namespaced),
            "lib/two/mycorp/two/__init__.py": "",
            "app/shop/api/pyproject.toml": pep621("api", {"two": "../../../lib/two"}),
            "app/shop/api/Dockerfile": "FROM python:3.11-slim\n",
            "app/shop/api/main.py": "import mycorp.two\nfrom mycorp import two\n",
            "app/shop/other/pyproject.toml": pep621("other"),
            "app/shop/other/Dockerfile": "FROM python:3.11-slim\n",
            "app/shop/other/main.py": "from mycorp.one.models import Thing\n",
        },
    )
    assert found(root, "imports") == [
        ("other", "imports mycorp.one from library one but does not declare it (add it as a path dependency)")
    ]


def test_a_library_is_imported_by_its_poetry_packages_name(tmp_path: Path) -> None:
    packaged = '[tool.poetry]\npackages = [{ include = "corelib", from = "src" }]\n'
    root = make(
        tmp_path,
        {
            "lib/core/pyproject.toml": pep621("core", extra=packaged),
            "lib/util/util/__init__.py": "from corelib import VALUE\n",
            "app/shop/web/app.py": "import util\nimport core  # a third-party 'core', not the library\n",
        },
    )
    assert found(root, "imports") == []
    (root / "app/shop/web/app.py").write_text("import util\nfrom corelib.sub import thing\n")
    (root / "app/shop/web/pyproject.toml").write_text(pep621("web", {"util": "../../../lib/util"}))
    assert found(root, "imports") == [
        ("web", "imports corelib from library core but does not declare it (add it as a path dependency)")
    ]


def test_imports_in_environments_caches_and_nested_projects_do_not_count(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "lib/util/pyproject.toml": pep621("util"),
            "lib/util/util/__init__.py": "from . import core\n",  # relative: util's own module
            "lib/util/.venv/lib/site.py": "import core\n",
            "lib/util/build/lib/util.py": "import core\n",
            "lib/util/__pycache__/x.py": "import core\n",
            "lib/util/examples/demo/pyproject.toml": pep621("demo", {"core": "../../../core"}),
            "lib/util/examples/demo/demo/__init__.py": "import core\n",
            "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
            "app/shop/web/broken.py": "def (:\n",  # does not parse: skipped, not a crash
        },
    )
    assert found(root, "imports") == []


def test_a_librarys_dev_group_is_not_reached_by_its_users(tmp_path: Path) -> None:
    dev = '\n[tool.poetry.group.dev.dependencies]\ntestkit = { path = "../testkit", develop = true }\n'
    root = make(
        tmp_path,
        {
            "lib/testkit/pyproject.toml": pep621("testkit"),
            "lib/util/pyproject.toml": pep621("util", {"core": "../core"}, extra=dev),
            "lib/util/tests/test_util.py": "import testkit\n",
        },
    )
    assert found(root, "imports") == []


# --- requires-python ----------------------------------------------------------------------------


def test_a_project_that_allows_a_python_its_library_does_not(tmp_path: Path) -> None:
    root = make(tmp_path, {"lib/core/pyproject.toml": pep621("core").replace(">=3.11", ">=3.12")})
    assert found(root, "requires-python") == [
        ("util", "requires-python '>=3.11' does not fit core's '>=3.12': core leaves out Python 3.11"),
        ("web", "requires-python '>=3.11' does not fit core's '>=3.12': core leaves out Python 3.11"),
    ]


def test_an_uncapped_project_does_not_fit_a_library_capped_below_4(tmp_path: Path) -> None:
    root = make(tmp_path, {"lib/core/pyproject.toml": pep621("core").replace(">=3.11", ">=3.11,<4.0")})
    assert ("util", "requires-python '>=3.11' does not fit core's '>=3.11,<4.0': core leaves out Python 4.0") in found(
        root, "requires-python"
    )


def test_poetry_1_python_constraints_are_understood(tmp_path: Path) -> None:
    root = make(tmp_path, {"eda/shop/study/pyproject.toml": poetry1("study", {"core": "../../../lib/core"})})
    assert found(root, "requires-python") == []  # ^3.11 is >=3.11,<4.0, inside core's >=3.11
    (root / "lib/core/pyproject.toml").write_text(pep621("core").replace(">=3.11", ">=3.11,<3.13"))
    messages = dict(found(root, "requires-python"))
    assert messages["study"] == (
        "requires-python '^3.11' does not fit core's '>=3.11,<3.13': core leaves out Python 3.13, 3.14, 3.15"
    )


@pytest.mark.parametrize(
    ("constraint", "allowed"),
    [
        ("^3.11", ["3.11", "3.12", "3.13", "3.14", "3.15"]),
        ("~3.11", ["3.11"]),
        ("~3.11.4", ["3.11"]),  # 3.11.99 only
        (">=3.9 <3.11", ["3.9", "3.10"]),
        (">=3.9, <3.11", ["3.9", "3.10"]),
        ("3.12.*", ["3.12"]),
        ("~3.8 || ^3.14", ["3.8", "3.14", "3.15"]),
        ("==3.13.*", ["3.13"]),
    ],
)
def test_supported_pythons(constraint: str, allowed: list[str]) -> None:
    pythons = supported_pythons(constraint)
    assert pythons is not None
    assert sorted({f"{v.major}.{v.minor}" for v in pythons}, key=lambda v: tuple(map(int, v.split(".")))) == allowed


def test_unreadable_python_constraints_are_skipped() -> None:
    assert supported_pythons("three point eleven") is None
    assert supported_pythons("^3.*") is None


# --- locked versions ----------------------------------------------------------------------------


def test_one_package_at_different_versions_is_a_warning_per_project(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "lib/core/poetry.lock": lock(("Pandas", "2.2.2"), ("numpy", "2.1.0")),
            "lib/util/poetry.lock": lock(("pandas", "2.2.3"), ("numpy", "2.1.0")),
            "app/shop/web/poetry.lock": lock(("pandas", "2.2.3")),
        },
    )
    findings = list(health_locks.locked_versions(health.load_repository(root)))
    assert {finding.severity for finding in findings} == {"warning"}
    assert [(f.project, f.message) for f in findings] == [
        ("core", "locks pandas 2.2.2, other projects lock 2.2.3 in util, web"),
        ("util", "locks pandas 2.2.3, other projects lock 2.2.2 in core"),
        ("web", "locks pandas 2.2.3, other projects lock 2.2.2 in core"),
    ]


def test_packages_from_paths_and_urls_are_not_compared(tmp_path: Path) -> None:
    def from_source(kind: str) -> str:
        return lock(("requests", "2.32.0")) + f'\n[package.source]\ntype = "{kind}"\nurl = "../wheels"\n'

    root = make(
        tmp_path,
        {"lib/util/poetry.lock": lock(("requests", "2.31.0")), "app/shop/web/poetry.lock": from_source("directory")},
    )
    assert found(root, "versions") == []
    (root / "app/shop/web/poetry.lock").write_text(from_source("url"))
    assert found(root, "versions") == []
    (root / "app/shop/web/poetry.lock").write_text(from_source("legacy"))  # another index: a real version
    assert [project for project, _ in found(root, "versions")] == ["util", "web"]


def test_a_pinned_package_locked_at_another_version_is_an_error(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "pyproject.toml": '[tool.mono]\npins = { pandas = "2.2.3" }\n',
            "lib/core/poetry.lock": lock(("pandas", "2.2.2")),
            "lib/util/poetry.lock": lock(("pandas", "2.2.3")),
        },
    )
    findings = list(health_locks.locked_versions(health.load_repository(root)))
    assert [(f.project, f.severity, f.message) for f in findings] == [
        ("core", "error", "locks pandas 2.2.2 but the repository pins 2.2.3 ([tool.mono] pins)")
    ]
    (root / "lib/core/poetry.lock").write_text(lock(("pandas", "2.2.3.0")))  # the same version, spelled longer
    assert found(root, "versions") == []


def test_an_unreadable_lock_is_a_finding(tmp_path: Path) -> None:
    root = make(tmp_path, {"lib/core/poetry.lock": "[[package]\n"})
    [(project, message)] = found(root, "versions")
    assert project == "core" and message.startswith("poetry.lock cannot be read: ")


def test_pins_setting() -> None:
    assert Config().pins == {}
    assert parse_config({"pins": {"Scikit_Learn": "1.5.2", "pandas": "2.2.3"}}).pins == {
        "scikit-learn": "1.5.2",
        "pandas": "2.2.3",
    }
    with pytest.raises(ConfigError, match="'pins' must be a table"):
        parse_config({"pins": ["pandas==2.2.3"]})
    with pytest.raises(ConfigError, match=r"pins\.pandas: must be a version string"):
        parse_config({"pins": {"pandas": 2}})
    with pytest.raises(ConfigError, match=r"pins\.pandas: '>=2\.2' is not a version"):
        parse_config({"pins": {"pandas": ">=2.2"}})
    with pytest.raises(ConfigError, match="did you mean 'pins'"):
        parse_config({"pin": {"pandas": "2.2.3"}})


# --- stale locks --------------------------------------------------------------------------------


def test_missing_and_stale_locks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePoetry(returncode=1)
    monkeypatch.setattr(lockfile, "poetry_check_lock", fake)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make(tmp_path, {"app/shop/web/poetry.lock": None})
    stale = "poetry.lock is stale: pyproject.toml changed since poetry.lock was written"
    assert found(root, "locks") == [
        ("web", "has no poetry.lock (run ./mono lock web)"),
        ("core", f"{stale} (run ./mono lock core)"),
        ("util", f"{stale} (run ./mono lock util)"),
    ]
    assert sorted(fake.folders) == [root / "lib/core", root / "lib/util"]
    # A read-only check keeps Poetry's output outside the repository.
    assert not (root / ".mono").exists()
    assert [log.name for log in (tmp_path / "cache").rglob("logs/check/util.log")] == ["util.log"]


def test_a_library_used_by_path_needs_no_lock_of_its_own(tmp_path: Path, fake_poetry: FakePoetry) -> None:
    root = make(tmp_path, {"lib/core/poetry.lock": None, "lib/util/poetry.lock": None})
    assert found(root, "locks") == []
    assert fake_poetry.folders == [root / "app/shop/web"]
    # A library nothing uses by path is worked on alone, so it needs its lock.
    root = make(tmp_path / "alone", {"app/shop/web/pyproject.toml": pep621("web"), "lib/util/poetry.lock": None})
    assert found(root, "locks") == [("util", "has no poetry.lock (run ./mono lock util)")]


def test_a_library_that_changed_makes_its_users_locks_stale(tmp_path: Path, fake_poetry: FakePoetry) -> None:
    core = '\n[[package]]\nname = "core"\nversion = "0.0.9"\nfiles = []\n'
    root = make(
        tmp_path, {"lib/util/poetry.lock": lock() + core + '\n[package.source]\ntype = "directory"\nurl = "../core"\n'}
    )
    assert found(root, "locks") == [
        ("util", "poetry.lock is stale: core is 0.1.0 but the lock has 0.0.9 (run ./mono lock util)")
    ]


def test_a_lock_that_cannot_be_checked_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePoetry(error=MonoError("poetry is not installed"))
    monkeypatch.setattr(lockfile, "poetry_check_lock", fake)
    messages = {message for _, message in found(make(tmp_path), "locks")}
    assert messages == {"could not check poetry.lock: poetry is not installed"}


# --- build systems ------------------------------------------------------------------------------


def test_a_project_that_gets_built_without_a_build_system_is_a_warning(tmp_path: Path) -> None:
    root = make(tmp_path, {"lib/core/pyproject.toml": pep621("core")})
    [(project, message)] = found(root, "build-system")
    assert project == "core" and message.startswith("has no [build-system]: uv and pip build it with setuptools")
    # Nothing builds a project that neither installs itself nor is used by path.
    quiet = pep621("quiet", extra="\n[tool.poetry]\npackage-mode = false\n")
    assert found(make(tmp_path / "other", {"tools/quiet/pyproject.toml": quiet}), "build-system") == []


# --- Dockerfiles --------------------------------------------------------------------------------


def test_an_empty_dockerfile_is_a_finding_and_build_refuses_it_in_one_line(tmp_path: Path, cli: CliRunner) -> None:
    root = make(tmp_path, {"app/shop/web/Dockerfile": "# nothing yet\n"})
    assert found(root, "dockerfiles") == [("web", "app/shop/web/Dockerfile has no FROM line: Docker cannot build it")]
    built = cli(root, "build", "web")
    assert built.code == 2
    assert built.err == (
        "mono: error: app/shop/web/Dockerfile has no FROM line: Docker cannot build it"
        " (hint: start it with FROM IMAGE)\n"
    )


def test_an_app_without_a_dockerfile(tmp_path: Path) -> None:
    root = make(tmp_path, {"app/shop/web/Dockerfile": None})
    assert found(root, "dockerfiles") == [("web", "is an app but has no Dockerfile (./mono build needs one)")]


# --- the command --------------------------------------------------------------------------------


def test_a_healthy_repository_exits_0(tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry) -> None:
    root = build_repo(tmp_path / "repo", healthy())
    result = cli(root, "check")
    assert (result.code, result.out, result.err) == (0, "check: 0 errors, 0 warnings in 3 projects\n", "")
    assert json.loads(cli(root, "check", "--json").out) == []


def test_findings_are_grouped_per_project_and_exit_1(tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry) -> None:
    files = {**healthy(), "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}) + BUILD_SYSTEM}
    files.pop("app/shop/web/Dockerfile")
    files["lib/core/poetry.lock"] = lock(("pandas", "2.2.2"))
    files["lib/util/poetry.lock"] = lock(("pandas", "2.2.3"))
    root = build_repo(tmp_path / "repo", files)
    result = cli(root, "check")
    assert result.code == 1
    assert result.out.splitlines() == [
        "core (lib/core)",
        "  warning  versions: locks pandas 2.2.2, other projects lock 2.2.3 in util",
        "util (lib/util)",
        "  warning  versions: locks pandas 2.2.3, other projects lock 2.2.2 in core",
        "web (app/shop/web)",
        "  error    imports: uses core through util but does not declare it "
        "(Poetry will not find it: declare every library you reach)",
        "  error    dockerfiles: is an app but has no Dockerfile (./mono build needs one)",
        "",
        "check: 2 errors, 2 warnings in 3 projects",
    ]


def test_json_is_a_list_of_findings(tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry) -> None:
    files = healthy()
    files.pop("app/shop/web/Dockerfile")
    root = build_repo(tmp_path / "repo", files)
    result = cli(root, "check", "--json")
    assert result.code == 1
    assert json.loads(result.out) == [
        {
            "project": "web",
            "path": "app/shop/web",
            "check": "dockerfiles",
            "severity": "error",
            "message": "is an app but has no Dockerfile (./mono build needs one)",
        }
    ]


def test_warnings_fail_only_with_strict(tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry) -> None:
    files = {
        **healthy(),
        "lib/core/poetry.lock": lock(("flask", "3.0.0")),
        "lib/util/poetry.lock": lock(("flask", "3.1.0")),
    }
    root = build_repo(tmp_path / "repo", files)
    relaxed = cli(root, "check", "--json")
    assert relaxed.code == 0
    assert {finding["severity"] for finding in json.loads(relaxed.out)} == {"warning"}
    strict = cli(root, "check", "--strict")
    assert strict.code == 1
    assert strict.out.splitlines()[-1] == "check: 2 errors, 0 warnings in 3 projects"


def test_cycles_and_shared_names_are_findings_for_check_but_bad_input_elsewhere(
    tmp_path: Path, cli: CliRunner, fake_poetry: FakePoetry
) -> None:
    files = {
        **healthy(),
        "lib/core/pyproject.toml": pep621("core", {"util": "../util"}),
        "lib/core/core/__init__.py": "import util\n",
        "lib/copy/pyproject.toml": pep621("web"),
        "lib/copy/poetry.lock": lock(),
    }
    root = build_repo(tmp_path / "repo", files)
    assert cli(root, "list").code == 2
    result = cli(root, "check", "--json")
    assert result.code == 1
    checks = {(finding["project"], finding["check"]) for finding in json.loads(result.out)}
    assert {("core", "cycles"), ("web", "names")} <= checks


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"lib/util/pyproject.toml": "[project\n"}, "lib/util/pyproject.toml: not valid TOML"),
        ({"pyproject.toml": '[tool.mono]\npins = { pandas = "^2" }\n'}, "pins.pandas: '^2' is not a version"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, cli: CliRunner, files: dict[str, str], expected: str) -> None:
    root = build_repo(tmp_path / "repo", {**healthy(), **files})
    result = cli(root, "check")
    assert (result.code, result.out) == (2, "")
    assert result.err.count("\n") == 1 and result.err.startswith("mono: error: ") and expected in result.err


def test_help_lists_check(repo: Path, cli: CliRunner) -> None:
    assert "check" in cli(repo, "--help").out
    assert "--strict" in cli(repo, "check", "--help").out


def test_a_pyproject_poetry_finds_wrong_is_reported_as_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = (
        "Error: Declared README file does not exist: README.md\n"
        "Error: pyproject.toml changed significantly since poetry.lock was last generated.\n"
    )
    monkeypatch.setattr(lockfile, "poetry_check_lock", FakePoetry(returncode=1, output=said))
    root = make(tmp_path, {"app/shop/web/poetry.lock": lock(("flask", "3.0.0"))})
    web = [message for project, message in found(root, "locks") if project == "web"]
    assert web == [
        "app/shop/web/pyproject.toml: poetry check says 'Declared README file does not exist: README.md'"
        " (fix the file, then ./mono lock web)"
    ]


def test_main_dependency_by_version_dev_dependency_by_path_is_understood(tmp_path: Path) -> None:
    # A common pattern: users get the published library, its developers the one next door.
    web = (
        '[project]\nname = "web"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["core>=0.1"]\n\n'
        '[tool.poetry.group.dev.dependencies]\ncore = { path = "../../../lib/core", develop = true }\n'
    )
    root = build_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.mono]\n",
            "lib/core/pyproject.toml": pep621("core"),
            "lib/core/core/__init__.py": "",
            "app/shop/web/pyproject.toml": web,
            "app/shop/web/app.py": "import core\n",
        },
    )
    repo = health.load_repository(root)
    assert repo.workspace.projects["web"].depends_on == ("core",)
    for name in ("imports", "path-dependencies"):
        assert list(check.CHECKS[name](repo)) == []


def test_a_main_dependency_by_version_with_a_dev_path_must_still_be_imported(tmp_path: Path) -> None:
    # Poetry 1 repositories: `core = "*"` in main, the path in dev-dependencies for development.
    web = poetry1("web", extra='core = "*"\n\n[tool.poetry.dev-dependencies]\ncore = { path = "../../../lib/core" }\n')
    root = make(tmp_path, {"app/shop/web/pyproject.toml": web, "app/shop/web/app.py": "print('no imports')\n"})
    assert ("web", "declares core but never imports it (remove the dependency if nothing needs it)") in found(
        root, "imports"
    )


def test_a_lock_written_before_poetry_2_1_is_a_warning(tmp_path: Path, fake_poetry: FakePoetry) -> None:
    old = lock().replace('lock-version = "2.1"', 'lock-version = "1.1"')
    root = make(tmp_path, {"lib/util/poetry.lock": old})
    assert found(root, "locks") == [
        (
            "util",
            "util's poetry.lock has lock-version 1.1 (older than 2.1), which records no markers: "
            "its export may leave packages out (./mono lock util --force rewrites it)",
        )
    ]
    assert lock_without_markers(root / "lib/core/poetry.lock") is None  # 2.1
    (root / "lib/core/poetry.lock").write_text("not toml [")
    assert lock_without_markers(root / "lib/core/poetry.lock") is None  # reported elsewhere
