"""The edit model: changes keep the file's layout and comments."""

from __future__ import annotations

import pytest

from mono.errors import MonoError
from mono.repo.edit import declare_libraries, pin_internal, retarget, set_version

PEP621 = """\
[project]
name = "web"  # the app
version = "0.1.0"
dependencies = ["flask>=3", "util ; python_version >= '3.11'"]

# internal libraries
[tool.poetry.dependencies]
util = { path = "../../lib/util", develop = true }
"""

POETRY1 = """\
[tool.poetry]
name = "old"
version = "1.0.0"

[tool.poetry.dependencies]
python = "^3.11"
util = { path = "../util" }
"""


def test_declaring_a_library_writes_both_tables_and_keeps_comments() -> None:
    text, added = declare_libraries(PEP621, {"core": "../../lib/core", "util": "../../lib/util"})
    assert added == ("core",)
    assert "# the app" in text and "# internal libraries" in text
    assert '"core"' in text and 'core = { path = "../../lib/core", develop = true }' in text
    assert declare_libraries(text, {"core": "x"}) == (text, ())


def test_poetry1_projects_get_the_path_table_only() -> None:
    text, added = declare_libraries(POETRY1, {"core": "../core"})
    assert added == ("core",) and "[project]" not in text and 'core = { path = "../core", develop = true }' in text


def test_pinning_internal_dependencies_for_a_wheel() -> None:
    pinned = pin_internal(PEP621, {"util": "0.3.0"})
    assert "\"util==0.3.0; python_version >= '3.11'\"" in pinned and "path =" not in pinned
    assert 'util = "==1.0.0"' in pin_internal(POETRY1, {"util": "1.0.0"})


def test_versions_are_set_and_by_version_users_retargeted() -> None:
    assert 'version = "0.2.0"' in set_version(PEP621, "0.2.0") and "# the app" in set_version(PEP621, "0.2.0")
    assert 'version = "1.1.0"' in set_version(POETRY1, "1.1.0")
    with pytest.raises(MonoError, match="no version to bump"):
        set_version('[project]\nname = "x"\n', "1.0.0")
    by_version = '[project]\nname = "w"\ndependencies = ["util>=0.1.0,<0.2.0"]\n'
    assert '"util>=0.2.0,<0.3.0"' in retarget(by_version, "util", "0.2.0")


def test_a_table_split_over_the_file_is_edited_in_place() -> None:
    # tomlkit reads [tool.poetry] split by another table as a proxy, not a Table: still a table here.
    split = (
        '[tool.poetry]\npackage-mode = false\n\n[project]\nname = "web"\nversion = "0.1.0"\ndependencies = []\n\n'
        '[tool.poetry.dependencies]\nutil = { path = "../util", develop = true }\n'
    )
    text, added = declare_libraries(split, {"util": "../util", "core": "../core"})
    assert added == ("core",) and text.count("[tool.poetry.dependencies]") == 1
    assert 'dependencies = ["core"]' in text
    assert "path" not in pin_internal(text, {"util": "0.1.0", "core": "0.2.0"})
