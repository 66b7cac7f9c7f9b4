"""Issue 13's reliability suite, the generated part: whatever bytes a pyproject.toml holds, and
whatever its tables and `[tool.mono]` settings say, the read-only commands give an answer or
one error line (exit 0, 1 or 2, never a traceback) and write nothing outside `.mono/` and the
tool's cache folder. docs/reliability.md says what is fuzzed and how to run more examples."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import tomlkit
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from mono.cli import main
from tests.helpers import build_repo, git, pep621

# The CI run is derandomized (the same inputs each time, so a red run is a change, not luck) and
# writes no example database into the checkout. MONO_FUZZ_EXAMPLES=N runs N random examples
# per property instead: a longer campaign that explores new inputs on every run.
_CAMPAIGN = int(os.environ.get("MONO_FUZZ_EXAMPLES", "0") or "0")
FUZZ = settings(
    max_examples=_CAMPAIGN or 60,  # about a minute in CI on 2 cores
    derandomize=not _CAMPAIGN,
    database=None,
    deadline=None,
    # `capsys` is read (and so emptied) by every example; big documents are the point.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- the repository each example starts from -------------------------------------------------

# Placeholders a generated string may hold; they become absolute paths when the file is written:
# a folder beside the repository (what an escaping path would reach) and the repository itself.
VICTIM = "@VICTIM@"
REPO = "@REPO@"
FUZZED = "lib/fuzz/pyproject.toml"


def _starting_files() -> dict[str, str]:
    return {
        "pyproject.toml": "[tool.mono]\n",
        "lib/core/pyproject.toml": pep621("core"),
        "lib/core/core/__init__.py": "",
        "lib/util/pyproject.toml": pep621("util", {"core": "../core"}),
        "lib/util/util/__init__.py": "import core\n",
        FUZZED: pep621("fuzz"),
        "lib/fuzz/fuzz/__init__.py": "",
        "app/shop/web/pyproject.toml": pep621("web", {"util": "../../../lib/util"}),
        "app/shop/web/Dockerfile": "FROM python:3.11-slim\n",
        "app/shop/web/app.py": "import util\n",
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder: repo/ (committed on main), and beside it victim/ (what must stay
    untouched), home/, cache/ (the user's) and elsewhere/ (the working directory)."""
    base = tmp_path_factory.mktemp("fuzz-template")
    repo = build_repo(base / "repo", _starting_files())
    victim = base / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "pyproject.toml").write_text(pep621("victim"))
    (victim / "data.txt").write_text("precious\n")
    for folder in ("home", "cache", "elsewhere"):
        (base / folder).mkdir()
    # Links a hostile path may go through: out of the repository, and back into it.
    (repo / "lib/outlink").symlink_to("../../victim")
    (repo / "lib/inlink").symlink_to("core")
    (repo / "lib/linked").mkdir()
    (repo / "lib/linked/pyproject.toml").symlink_to("../../../victim/pyproject.toml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    return base


@dataclass(frozen=True)
class Scratch:
    base: Path

    @property
    def repo(self) -> Path:
        return self.base / "repo"

    @property
    def cache(self) -> Path:
        return self.base / "cache"

    def real(self, text: str) -> str:
        return text.replace(VICTIM, str(self.base / "victim")).replace(REPO, str(self.repo))

    def write(self, relative: str, content: bytes) -> None:
        (self.repo / relative).write_bytes(content)

    def write_toml(self, relative: str, document: dict[str, Any]) -> None:
        self.write(relative, self.real(tomlkit.dumps(document)).encode("utf-8"))


@contextlib.contextmanager
def scratch_from(template: Path) -> Iterator[Scratch]:
    """A fresh copy of the template, with HOME, the cache folder and the cwd inside it."""
    with tempfile.TemporaryDirectory(prefix="mono-fuzz-") as folder:
        base = Path(folder) / "s"
        shutil.copytree(template, base, symlinks=True)
        environment = {"HOME": str(base / "home"), "XDG_CACHE_HOME": str(base / "cache")}
        with mock.patch.dict(os.environ, environment), contextlib.chdir(base / "elsewhere"):
            yield Scratch(base)


# --- what every command must do ----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    args: tuple[str, ...]
    code: int
    out: str
    err: str


def _entry(path: Path, info: os.stat_result, with_mtime: bool) -> tuple[object, ...]:
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return ("dir", info.st_mode, info.st_mtime_ns if with_mtime else None)
    return ("file", info.st_mode, info.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())


def snapshot(scratch: Scratch) -> dict[str, tuple[object, ...]]:
    """Every entry of the scratch folder (.git included) but .mono/ and the cache folder: kind,
    mode, mtime and content. The repository's folder changes when .mono/ appears in it, and
    `git diff` (of `affected`) refreshes the stat cache in .git/index, as any git command may
    (GIT_OPTIONAL_LOCKS does not stop it): git's own cache, so neither is compared."""
    left_out = {scratch.repo / ".mono", scratch.cache, scratch.repo / ".git/index"}
    no_mtime = {scratch.repo, scratch.repo / ".git"}
    found: dict[str, tuple[object, ...]] = {}
    for folder, subfolders, files in os.walk(scratch.base):
        here = Path(folder)
        subfolders[:] = [name for name in subfolders if here / name not in left_out]
        for name in [*subfolders, *files]:
            path = here / name
            if path not in left_out:
                found[path.relative_to(scratch.base).as_posix()] = _entry(path, path.lstat(), path not in no_mtime)
    return found


def assert_cache_holds_only_the_tools_folder(scratch: Scratch) -> None:
    allowed = scratch.cache / "mono" / "repos"
    for path in scratch.cache.rglob("*"):
        assert path in allowed.parents or path.is_relative_to(allowed), f"wrote {path}"


def assert_one_answer(answer: Answer) -> None:
    """Exit 0, 1 (check's findings) or 2; no traceback; stderr is `mono: ` lines, at most one an error."""
    command = " ".join(answer.args)
    allowed = {0, 1, 2} if answer.args[0] == "check" else {0, 2}
    assert answer.code in allowed, f"mono {command} exited {answer.code}: {answer.err}"
    assert "Traceback" not in answer.out + answer.err, command
    lines = answer.err.splitlines()
    assert all(line.startswith("mono: ") for line in lines), f"mono {command}: {answer.err!r}"
    errors = [line for line in lines if line.startswith("mono: error")]
    assert len(errors) == (1 if answer.code == 2 else 0), f"mono {command}: {answer.err!r}"
    if answer.code != 2:
        assert_well_formed(answer)


# The lines each output may hold, whatever the names in it: `check`'s report (a project, its
# findings, the totals), Graphviz's and Mermaid's statements.
_REPORT_LINE = re.compile(r"\S.* \([^()]*\)|  (error|warning) +\S.*|check: \d+ errors?, .*|")
_DOT_ID = r'"(?:[^"\\\n]|\\.)*"'
_DOT_LINE = re.compile(
    rf"digraph mono {{|  rankdir=LR;|  {_DOT_ID} \[label={_DOT_ID}\];"
    rf"|  {_DOT_ID} -> {_DOT_ID}( \[style=dashed, label=version\])?;|}}"
)
_MERMAID_LINE = re.compile(r'flowchart LR|  n\d+\["[^"\n]*"\]|  n\d+ (-->|-\. version \.->) n\d+')


def assert_well_formed(answer: Answer) -> None:
    """What a script reads parses: JSON, a DOT or Mermaid graph, the lines of `check`'s report."""
    if "--json" in answer.args or answer.args[-1] == "json":
        json.loads(answer.out)
        return
    pattern = {"dot": _DOT_LINE, "mermaid": _MERMAID_LINE, "check": _REPORT_LINE}.get(answer.args[-1])
    if pattern is not None:
        assert all(pattern.fullmatch(line) for line in answer.out.splitlines()), answer.out


def _shape(err: str) -> str:
    """An error line with what varies (quoted values, paths, numbers) blanked: which check spoke."""
    last = err.strip().splitlines()[-1] if err.strip() else ""
    return re.sub(r"'[^']*'|\S*/\S*|\d+", "_", last.removeprefix("mono: error: "))[:60]


def assert_projects_inside(scratch: Scratch, listed: list[dict[str, Any]]) -> None:
    """Every project `list --json` shows is a folder of the repository, and so is the file it was
    read from, links resolved."""
    root = scratch.repo.resolve()
    for project in listed:
        assert (root / project["path"]).resolve().is_relative_to(root), project
        assert (root / project["path"] / "pyproject.toml").resolve().is_relative_to(root), project


def run_read_only(scratch: Scratch, capsys: pytest.CaptureFixture[str], graph_format: str) -> list[Answer]:
    """The read-only commands on the scratch repository, each checked, writes checked after all."""
    before = snapshot(scratch)
    answers: list[Answer] = []
    for args in (
        ("list",),
        ("list", "--json"),
        ("graph", "--format", graph_format),
        ("affected", "--json"),
        ("check",),
    ):
        if args[0] == "affected" and answers[0].code != 0:
            continue  # it loads the workspace as list does, then asks git (slow): the same one line
        # An exception out of main() is what a user would see as a traceback: it fails the test.
        code = main(["-C", str(scratch.repo), *args])
        captured = capsys.readouterr()
        answer = Answer(args, code, captured.out, captured.err)
        assert_one_answer(answer)
        answers.append(answer)
        if currently_in_test_context():  # which errors the inputs reach: --hypothesis-show-statistics
            event(f"{args[0]} exit {code}: {_shape(answer.err)}")
    assert snapshot(scratch) == before
    assert_cache_holds_only_the_tools_folder(scratch)
    listed, as_json = answers[0], answers[1]
    assert listed.code == as_json.code
    if as_json.code == 0:
        projects = json.loads(as_json.out)
        assert_projects_inside(scratch, projects)
        assert len(listed.out.splitlines()) == 1 + len(projects)  # one line per project, whatever its name
    return answers


GRAPH_FORMATS = st.sampled_from(["text", "json", "dot", "mermaid"])

# --- generated values ---------------------------------------------------------------------------


def mostly(usual: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` three times in four: a value that passes one check reaches the next one."""
    return st.integers(0, 3).flatmap(lambda pick: hostile if pick == 0 else usual)


HOSTILE_STRINGS = st.sampled_from(
    [
        "", " ", ".", "..", "../x", "/tmp/x", VICTIM, f"{VICTIM}/data.txt", f"{REPO}/lib/core", "con", "nul",
        "aux", "lpt1", "-rf", "--help", "a\nb", "a\rb", "a\x00b", "tab\tname", "\x1b[31mred", "ünïcödé",
        "hello world!", "lib/core", "core", "util", "web", "fuzz", "~", "~/x", "$HOME", "C:\\Windows",
        "\\\\server\\share", "*", "**", "[", "{{ name }}", "%s", ".mono", ".git", "\u202e", "a\u2028b", "a\x85b",
    ]
)  # fmt: skip
LONG_STRINGS = st.tuples(st.sampled_from(["x", "é", "../", "a/"]), st.integers(100, 5000)).map(lambda t: t[0] * t[1])
STRINGS = HOSTILE_STRINGS | LONG_STRINGS | st.text(max_size=16) | st.text(alphabet="./\\-_~acé*\x00\n", max_size=12)
SCALARS = STRINGS | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.booleans() | st.floats() | st.dates()


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3)


VALUES = st.recursive(SCALARS, _containers, max_leaves=8)
# Where a path dependency, a package source or a test input may point: siblings, the project
# itself, the root, outside (by '..', absolute, a link), into .git or .mono, through NUL, too long.
HOSTILE_PATHS = (
    "../core", "../util", "../../lib/core", "../fuzz", ".", "./", "..", "", "/", VICTIM, f"{VICTIM}/sub",
    "../../../victim", "../outlink", "../outlink/sub", "../inlink", "../linked", "../../../../../../../etc",
    "/etc", f"{REPO}/lib/core", "../core/../../..", "..\\core", "../core\x00x", "../co\nre", "../core\x1b[2K",
    "../core/core/__init__.py", "../../.git", "../../.mono", "~/x", "../../app/shop/web", "fuzz", "tests", "*",
    "../*",
)  # fmt: skip
PATHS = st.sampled_from(HOSTILE_PATHS) | STRINGS
DEPENDENCY_NAMES = mostly(
    st.sampled_from(["core", "util", "web", "fuzz", "victim", "python", "CORE", "co_re"]), STRINGS
)
REQUIREMENTS = mostly(
    st.sampled_from(["core", "util>=1", "web", "Core[x] ; python_version < '3'", "requests>=2"]),
    st.sampled_from([f"core @ file://{VICTIM}", "-e ../core", "", "core\n"]) | STRINGS,
)
NAMES = mostly(
    st.sampled_from(["fuzz", "Fuzz_Lib", "fuzz.two", "core", "web", "a" * 5000]),
    st.sampled_from(["my tool", "../../etc", VICTIM, "ünïcödé", "con", "-rf", "a\nb", 'a"b', "it's", "a -> b{c}[d];"])
    | STRINGS
    | VALUES,
)
KINDS = mostly(
    st.sampled_from(["app", "lib", "eda", "eng", "model", "tools", "other"]),
    st.sampled_from(["APP", "library", ""]) | VALUES,
)
PATH_SPECS = st.fixed_dictionaries(
    {"path": PATHS}, optional={"develop": st.booleans() | VALUES, "optional": st.booleans(), "version": STRINGS}
)
DEPENDENCY_SPECS = mostly(
    st.sampled_from(["*", "^1.0", ">=2"]) | PATH_SPECS,
    st.lists(PATH_SPECS | VALUES, max_size=2) | VALUES,
)
DEPENDENCY_TABLES = st.dictionaries(DEPENDENCY_NAMES, DEPENDENCY_SPECS, max_size=4)
PROJECT_TABLES = st.fixed_dictionaries(
    {"name": NAMES},
    optional={
        "version": mostly(st.just("1.0"), VALUES),
        "requires-python": mostly(st.sampled_from([">=3.11", "^3.11", ">=4", "3.x", ""]), VALUES),
        "dependencies": mostly(st.lists(REQUIREMENTS, max_size=4), VALUES),
        "optional-dependencies": mostly(st.dictionaries(STRINGS, st.lists(REQUIREMENTS, max_size=2)), VALUES),
    },
)
PACKAGES = st.lists(
    mostly(st.fixed_dictionaries({"include": PATHS}, optional={"from": PATHS, "to": PATHS}), VALUES), max_size=3
)
GROUPS = st.dictionaries(
    mostly(st.sampled_from(["dev", "test"]), STRINGS),
    mostly(
        st.fixed_dictionaries({"dependencies": DEPENDENCY_TABLES}, optional={"optional": st.booleans() | VALUES}),
        VALUES,
    ),
    max_size=3,
)
POETRY_TABLES = st.fixed_dictionaries(
    {},
    optional={
        "name": NAMES,
        "version": mostly(st.just("1.0"), VALUES),
        "dependencies": mostly(DEPENDENCY_TABLES, VALUES),
        "dev-dependencies": mostly(DEPENDENCY_TABLES, VALUES),
        "group": mostly(GROUPS, VALUES),
        "packages": mostly(PACKAGES, VALUES),
        "package-mode": mostly(st.booleans(), VALUES),
    },
)
PROJECT_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "kind": KINDS,
        "test-inputs": mostly(st.lists(PATHS, max_size=3), VALUES),
        "test-env": mostly(st.lists(st.sampled_from(["CI", "HOME", "A_B"]) | STRINGS, max_size=3), VALUES),
        "docker-context": mostly(st.sampled_from(["project", "repo"]), st.just("root") | VALUES),
        "groups": mostly(st.just([]), st.lists(st.sampled_from(["dev", "test"]) | STRINGS, max_size=2) | VALUES),
    },
)
# A key of `kinds` is a folder name; these would be paths, or reach outside or into the tool's own.
FOLDERS = mostly(
    st.sampled_from(["lib", "app", "libs", "services", "shop", "fuzz", "core", "outlink", "inlink", "linked"]),
    st.sampled_from(["../x", "/abs", "..", ".", "a/b", "lib/*", ".mono", ".git", "-x"]) | STRINGS,
)
GLOBS = mostly(
    st.sampled_from(["*", "**", "lib/*", "lib/core", "lib/fuzz", "app/*/web", "*/*", "lib/[cf]*"]),
    st.sampled_from(["[", "[!", "../*", "/", "", "lib/fuzz/", "./lib"]) | STRINGS,
)
REPOSITORY_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "kinds": mostly(st.dictionaries(FOLDERS, KINDS, max_size=3), VALUES),
        "global-files": mostly(st.lists(PATHS | GLOBS, max_size=3), VALUES),
        "exclude": mostly(st.lists(GLOBS, max_size=3), VALUES),
        "workers": mostly(st.integers(min_value=0, max_value=2**63 - 1), st.integers(max_value=-1) | VALUES),
        "installer": mostly(st.sampled_from(["uv", "poetry"]), st.just("pip") | VALUES),
        "docker": mostly(
            st.fixed_dictionaries(
                {},
                optional={"base-image": STRINGS, "registry": STRINGS, "context": st.sampled_from(["project", "repo"])},
            ),
            st.fixed_dictionaries({"platform": STRINGS}) | VALUES,
        ),
        "pins": mostly(
            st.dictionaries(DEPENDENCY_NAMES, st.sampled_from(["1.0", "2.2.3", "0!1.0.post1"]), max_size=3),
            st.dictionaries(DEPENDENCY_NAMES, st.sampled_from(["^1", "", "latest"]) | VALUES, max_size=2) | VALUES,
        ),
    },
)
UNKNOWN_SETTINGS = mostly(
    st.just({}),
    st.dictionaries(st.sampled_from(["kindz", "test_inputs", "exclude-dirs"]) | STRINGS, VALUES, max_size=1),
)


def _merged(*tables: dict[str, Any]) -> dict[str, Any]:
    return {key: value for table in tables for key, value in table.items()}


PROJECT_MONO_TABLES = st.builds(_merged, PROJECT_SETTINGS, UNKNOWN_SETTINGS)


@st.composite
def project_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A pyproject.toml of any shape: PEP 621, Poetry 1, both, neither, or tables that are not tables."""
    document: dict[str, Any] = {}
    style = draw(st.sampled_from(["pep621", "poetry1", "both", "neither"]))
    if style in {"pep621", "both"}:
        document["project"] = draw(mostly(PROJECT_TABLES, VALUES))
    tool: dict[str, Any] = {}
    if style in {"poetry1", "both"} or draw(st.booleans()):
        poetry = draw(mostly(POETRY_TABLES, VALUES))
        if style == "poetry1" and isinstance(poetry, dict):
            poetry.setdefault("name", draw(NAMES))
        tool["poetry"] = poetry
    if draw(st.booleans()):
        tool["mono"] = draw(mostly(PROJECT_MONO_TABLES, VALUES))
    if draw(st.integers(0, 5)) == 0:
        tool[draw(st.sampled_from(["pdm", "uv"]))] = draw(VALUES)
    if tool:
        document["tool"] = draw(mostly(st.just(tool), VALUES))
    if draw(st.integers(0, 3)) == 0:
        backend = mostly(st.sampled_from(["poetry.core.masonry.api", "pdm.backend", "uv_build"]), VALUES)
        document["build-system"] = {"build-backend": draw(backend)}
    return document


@st.composite
def root_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The root pyproject.toml: repository settings, and now and then a project too (which may
    hold a project's settings as well)."""
    shape = draw(st.sampled_from(["settings", "settings", "pep621", "poetry1"]))
    own = PROJECT_SETTINGS if shape != "settings" else st.just({})
    settings_table = draw(mostly(st.builds(_merged, REPOSITORY_SETTINGS, own, UNKNOWN_SETTINGS), VALUES))
    document: dict[str, Any] = {"tool": {"mono": settings_table}}
    if shape == "pep621":
        document["project"] = {"name": draw(NAMES), "version": "1.0"}
    elif shape == "poetry1":
        document["tool"]["poetry"] = {"name": draw(NAMES), "version": "1.0"}
    if draw(st.booleans()):
        exclude = mostly(st.lists(GLOBS, max_size=2), VALUES)
        document["tool"].setdefault("uv", {})["workspace"] = {"exclude": draw(exclude)}
    return document


# --- hostile bytes --------------------------------------------------------------------------------

VALID = pep621("fuzz").encode()


def _nested(depth: int, shape: str) -> bytes:
    opening, middle, closing = {
        "array": (b"[", b"", b"]"),
        "inline": (b"{a = ", b"1", b"}"),
        "mixed": (b"[{a = ", b"1", b"}]"),
    }[shape]
    return b"x = " + opening * depth + middle + closing * depth + b"\n"


def _spliced(base: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, removed, inserted in edits:
        at = position % (len(base) + 1)
        base = base[:at] + inserted + base[at + removed :]
    return base


NESTED = st.builds(_nested, st.integers(1, 20_000), st.sampled_from(["array", "inline", "mixed"]))
# Dotted keys cost tomllib time by the square of their depth (20,000 take it 3.5 s): the
# properties go to 3,000, and one end-to-end case goes to 20,000.
DOTTED = st.integers(1, 3_000).map(lambda depth: b"a." * depth + b"b = 1\n")
HEADERS = st.integers(1, 3_000).map(lambda depth: b"[" + b"a." * depth + b"b]\n")
MUTATED = st.builds(
    _spliced,
    st.just(VALID),
    st.lists(st.tuples(st.integers(0, len(VALID)), st.integers(0, 4), st.binary(max_size=4)), min_size=1, max_size=6),
)
INVALID_UTF8 = st.sampled_from([b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xf4\x90\x80\x80"]).map(
    lambda bad: VALID.replace(b'name = "fuzz"', b'name = "fu' + bad + b'zz"')
)
HOSTILE_BYTES = st.one_of(
    st.binary(max_size=512),
    MUTATED,
    INVALID_UTF8,
    NESTED,
    DOTTED,
    HEADERS,
    st.sampled_from(
        [
            b"\xef\xbb\xbf" + VALID,  # a UTF-8 byte order mark
            b"\xff\xfe" + VALID.decode().encode("utf-16-le"),  # UTF-16
            VALID.replace(b"\n", b"\r\n"),  # CRLF
            VALID.replace(b"\n", b"\r"),  # lone CR
            VALID.replace(b'"fuzz"', b'"fu\x00zz"'),  # NUL inside a string
            VALID + b"\x00",
            VALID.replace(b'"fuzz"', b'"fu\\u0000zz"'),  # an escaped NUL: valid TOML
            VALID.replace(b'"fuzz"', b'"' + b"a" * 100_000 + b'"'),  # a valid, huge name
            b"",
            b"\x00" * 64,
        ]
    ),
)

# --- the properties -------------------------------------------------------------------------------


@FUZZ
@given(
    content=HOSTILE_BYTES,
    where=st.sampled_from([FUZZED, "pyproject.toml"]),
    link_out=st.booleans(),
    graph_format=GRAPH_FORMATS,
)
def test_any_bytes_in_a_pyproject_get_an_answer_or_one_line(
    template: Path, capsys: pytest.CaptureFixture[str], content: bytes, where: str, link_out: bool, graph_format: str
) -> None:
    with scratch_from(template) as scratch:
        if link_out:
            # The file is a link to one outside the repository: whatever that holds, it is not read.
            outside = scratch.base / "victim" / "linked.toml"
            outside.write_bytes(content)
            (scratch.repo / where).unlink()
            (scratch.repo / where).symlink_to(outside)
        else:
            scratch.write(where, content)
        answers = run_read_only(scratch, capsys, graph_format)
        assert answers[0].code == 0 or not link_out, answers[0].err


@FUZZ
@given(document=project_documents(), second=st.none() | project_documents(), graph_format=GRAPH_FORMATS)
def test_any_project_tables_get_an_answer_or_one_line(
    template: Path,
    capsys: pytest.CaptureFixture[str],
    document: dict[str, Any],
    second: dict[str, Any] | None,
    graph_format: str,
) -> None:
    with scratch_from(template) as scratch:
        scratch.write_toml(FUZZED, document)
        if second is not None:
            scratch.write_toml("app/shop/web/pyproject.toml", second)
        run_read_only(scratch, capsys, graph_format)


@FUZZ
@given(root=root_documents(), project=PROJECT_MONO_TABLES, graph_format=GRAPH_FORMATS)
def test_any_tool_mono_settings_get_an_answer_or_one_line(
    template: Path, capsys: pytest.CaptureFixture[str], root: dict[str, Any], project: dict[str, Any], graph_format: str
) -> None:
    with scratch_from(template) as scratch:
        scratch.write_toml("pyproject.toml", root)
        fuzz = tomlkit.parse(pep621("fuzz")).unwrap()
        fuzz.setdefault("tool", {})["mono"] = project
        scratch.write_toml(FUZZED, fuzz)
        run_read_only(scratch, capsys, graph_format)


# What the properties found, kept as explicit cases (docs/reliability.md, "Cases"): the file,
# what it holds, the graph format asked for, and what `list` says on stderr (every command is
# checked as in the properties).
FOUND = {
    "nul-in-test-inputs": (
        FUZZED,
        pep621("fuzz", extra='[tool.mono]\ntest-inputs = ["../core\\u0000x"]\n'),
        "text",
        ["mono: error: lib/fuzz/pyproject.toml [tool.mono] test-inputs: '../core\\x00x' leaves the repository"],
    ),
    "cr-in-a-path-dependency": (
        FUZZED,
        pep621("fuzz", {"core": "\\r"}),
        "text",
        [
            "mono: error: lib/fuzz/pyproject.toml: path dependency 'core' points at '\\r', which does not exist"
            " (hint: fix the path in [tool.poetry.dependencies] or create the project)"
        ],
    ),
    "newline-in-a-name": (  # `check` reads past such a name, to report it: its report stays one line a finding
        FUZZED,
        '[project]\nname = "a\\nb"\n',
        "text",
        [
            "mono: error: lib/fuzz/pyproject.toml: the project name 'a\\nb' is not a valid distribution name"
            " (hint: letters, digits, and '-', '_' or '.' between them)"
        ],
    ),
    "dependencies-not-a-list": (
        FUZZED,
        '[project]\nname = "fuzz"\ndependencies = 1\n',
        "text",
        [
            "mono: error: lib/fuzz/pyproject.toml: [project] dependencies must be a list of requirement strings"
            ' (hint: for example dependencies = ["requests>=2"])'
        ],
    ),
    "a-package-name-too-long-for-the-file-system": (  # `check` looked for its modules: errno 36, exit 1
        FUZZED,
        pep621("fuzz", extra=f'[tool.poetry]\npackages = [{{ include = "{"x" * 256}" }}]\n'),
        "text",
        [],
    ),
    "quote-in-a-name-dot": (FUZZED, pep621("fuzz").replace('"fuzz"', '"a\\"b"'), "dot", []),
    "quote-in-a-name-mermaid": (FUZZED, pep621("fuzz").replace('"fuzz"', '"a\\"b"'), "mermaid", []),
}


@pytest.mark.parametrize(("where", "text", "graph_format", "said"), FOUND.values(), ids=list(FOUND))
def test_what_fuzzing_found(
    template: Path, capsys: pytest.CaptureFixture[str], where: str, text: str, graph_format: str, said: list[str]
) -> None:
    with scratch_from(template) as scratch:
        scratch.write(where, text.encode())
        answers = run_read_only(scratch, capsys, graph_format)
    assert answers[0].err.splitlines() == said


def test_a_root_pyproject_linking_out_of_the_repository_is_not_read(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found with link_out above: below the root such a link was skipped, the root's was read as
    # the repository's settings and as a project at '.'.
    with scratch_from(template) as scratch:
        (scratch.repo / "pyproject.toml").unlink()
        (scratch.repo / "pyproject.toml").symlink_to("../victim/pyproject.toml")
        answers = run_read_only(scratch, capsys, "text")
    assert answers[0].code == 0
    assert sorted(project["name"] for project in json.loads(answers[1].out)) == ["core", "fuzz", "util", "web"]


# --- the same, end to end: a real process, as a user starts it -----------------------------------

END_TO_END = {
    "binary": bytes(range(256)),
    "invalid-utf8": VALID.replace(b'"fuzz"', b'"fu\xffzz"'),
    "bom": b"\xef\xbb\xbf" + VALID,
    "crlf": VALID.replace(b"\n", b"\r\n"),
    "nul": VALID.replace(b'"fuzz"', b'"fu\x00zz"'),
    "nested-5000": _nested(5000, "array"),
    "nested-100000": _nested(100_000, "mixed"),
    "dotted-20000": b"a." * 20_000 + b"b = 1\n",
}


@pytest.mark.parametrize("content", list(END_TO_END.values()), ids=list(END_TO_END))
def test_a_real_process_answers_hostile_bytes_in_one_line(template: Path, content: bytes) -> None:
    with scratch_from(template) as scratch:
        scratch.write(FUZZED, content)
        before = snapshot(scratch)
        done = subprocess.run(
            [sys.executable, "-m", "mono", "-C", str(scratch.repo), "list"], capture_output=True, text=True, check=False
        )
        assert_one_answer(Answer(("list",), done.returncode, done.stdout, done.stderr))
        assert snapshot(scratch) == before
