"""The lock text rendered without tomlkit (mono.external.lock_text) is Poetry's, byte for byte:
Poetry's own Locker writes the same packages, generated, and the two texts are compared."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from poetry.core.packages.dependency import Dependency
from poetry.core.packages.directory_dependency import DirectoryDependency
from poetry.core.packages.package import Package
from poetry.core.packages.project_package import ProjectPackage
from poetry.core.packages.url_dependency import URLDependency
from poetry.core.packages.vcs_dependency import VCSDependency
from poetry.core.version.markers import parse_marker
from poetry.packages.locker import Locker
from poetry.packages.transitive_package_info import TransitivePackageInfo

from mono.external.lock_text import RenderedLock, basic_string, key, text_locker_class

# Names as indexes have them: lower and upper case, dots and underscores (which need quoted keys).
NAMES = st.sampled_from(["six", "MarkupSafe", "zope.interface", "ruamel.yaml", "typing_extensions", "a-b", "X"])
VERSIONS = st.sampled_from(["1.0", "2.1.3", "0.0.1rc1", "2024.10.1.post2", "1!2.0"])
MARKERS = st.sampled_from(
    [
        "",
        'python_version >= "3.11"',
        'sys_platform == "win32"',
        'platform_machine == "x86_64" and python_version < "3.13"',
        'extra == "socks" or implementation_name == "pypy"',
    ]
)
GROUPS = st.sets(st.sampled_from(["main", "dev", "docs", "Test.Group"]), min_size=1, max_size=3)
# Any text Poetry may find in a package's metadata: quotes, backslashes, control characters, unicode.
TEXT = st.text(max_size=40)


@st.composite
def dependencies(draw: st.DrawFn, base: Path) -> Dependency:
    name = draw(NAMES)
    kind = draw(st.sampled_from(["version", "directory", "url", "git"]))
    dependency: Dependency
    if kind == "directory":
        dependency = DirectoryDependency(name, base / "lib" / name, develop=draw(st.booleans()))
    elif kind == "url":
        dependency = URLDependency(name, f"https://example.invalid/{name}-1.0.tar.gz")
    elif kind == "git":
        tag = draw(st.sampled_from([None, "v1"]))
        dependency = VCSDependency(name, "git", "https://example.invalid/x.git", tag=tag)
    else:
        constraint = draw(st.sampled_from(["*", ">=1.0", ">=1.0,<2.0", "^2.1", "==1.2.3", "!=1.5"]))
        extras = draw(st.lists(st.sampled_from(["socks", "Security", "x.y"]), max_size=2))
        dependency = Dependency(name, constraint, optional=draw(st.booleans()), extras=extras)
    marker = draw(MARKERS)
    if marker:
        dependency.marker = parse_marker(marker)
    return dependency


@st.composite
def packages(draw: st.DrawFn, base: Path) -> tuple[Package, TransitivePackageInfo]:
    name, version = draw(NAMES), draw(VERSIONS)
    source = draw(st.sampled_from([None, "directory", "git", "legacy", "url"]))
    package = Package(
        name,
        version,
        source_type=source,
        source_url={None: None, "directory": str(base / "lib" / name), "git": "https://example.invalid/r.git",
                    "legacy": "https://index.example.invalid/simple", "url": "https://example.invalid/p.whl"}[source],
        source_reference="main" if source in ("git", "legacy") else None,
        source_resolved_reference="0123abcd" if source == "git" else None,
        source_subdirectory=draw(st.sampled_from([None, "sub/dir"])) if source == "git" else None,
        develop=draw(st.booleans()),
    )  # fmt: skip
    package.description = draw(TEXT)
    package.optional = draw(st.booleans())
    package.python_versions = draw(st.sampled_from(["*", ">=3.8", ">=3.11,<4.0", "!=3.0.*,>=2.7"]))
    package.files = [
        {"file": f"{name}-{version}-{tag}.whl", "hash": f"sha256:{index:064x}"}
        for index, tag in enumerate(draw(st.lists(st.sampled_from(["py3-none-any", "cp311-win32"]), max_size=3)))
    ]
    for dependency in draw(st.lists(dependencies(base), max_size=4)):
        package.add_dependency(dependency)
    extras = draw(st.dictionaries(st.sampled_from(["socks", "All", "x.y"]), st.lists(dependencies(base), max_size=2),
                                  max_size=2))  # fmt: skip
    package.extras = {canonicalize_name(extra): deps for extra, deps in extras.items()}
    groups = {canonicalize_name(group) for group in draw(GROUPS)}
    markers = {group: parse_marker(draw(MARKERS)) for group in groups} if draw(st.booleans()) else {}
    return package, TransitivePackageInfo(draw(st.integers(0, 3)), groups, markers)


def lockers(folder: Path) -> tuple[Locker, Locker]:
    pyproject: dict[str, Any] = {"project": {"name": "root", "version": "1.0", "dependencies": ["six"]}}
    lock = folder / "poetry.lock"
    return Locker(lock, pyproject), text_locker_class()(lock, pyproject)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_text_is_poetrys_own_for_any_packages(tmp_path: Path, data: st.DataObject) -> None:
    locked = dict(data.draw(st.lists(packages(tmp_path), max_size=5)))
    root = ProjectPackage("root", "1.0")
    root.python_versions = data.draw(st.sampled_from(["*", ">=3.11", ">=3.10,<3.14"]))
    root_extras = data.draw(st.dictionaries(st.sampled_from(["web", "All.Extras"]), st.lists(NAMES, max_size=2)))
    root.extras = {canonicalize_name(e): [Dependency(n, "*") for n in names] for e, names in root_extras.items()}
    poetrys, ours = lockers(tmp_path)
    expected = poetrys._compute_lock_data(root, locked).as_string()
    rendered = ours._compute_lock_data(root, locked)
    assert isinstance(rendered, RenderedLock)  # not Poetry's writer, fallen back to
    assert rendered.as_string() == expected
    assert dict(rendered) == tomllib.loads(expected)  # what Poetry compares with the lock on disk


def test_writing_an_unchanged_lock_writes_nothing(tmp_path: Path) -> None:
    package = Package("six", "1.16.0")
    package.files = [{"file": "six-1.16.0-py2.py3-none-any.whl", "hash": "sha256:" + "0" * 64}]
    locked = {package: TransitivePackageInfo(0, {canonicalize_name("main")}, {})}
    root = ProjectPackage("root", "1.0")
    _, ours = lockers(tmp_path)
    assert ours.set_lock_data(root, locked)  # written
    written = (tmp_path / "poetry.lock").read_bytes()
    poetrys, again = lockers(tmp_path)
    assert not again.set_lock_data(root, locked)  # the same data: Poetry's rule says no write
    assert not poetrys.set_lock_data(root, locked)  # and Poetry's own Locker agrees with the text
    assert (tmp_path / "poetry.lock").read_bytes() == written


def test_keys_and_strings_are_written_as_tomlkit_writes_them() -> None:
    assert key("zope-interface_2") == "zope-interface_2"
    assert key("zope.interface") == '"zope.interface"'
    assert key("") == '""'
    assert basic_string('say "hi"\\\n\t\x1b\x7f é') == '"say \\"hi\\"\\\\\\n\\t\\u001b\\u007f é"'
