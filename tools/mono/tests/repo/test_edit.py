"""The edit model: changes keep the file's layout and comments."""

from __future__ import annotations

import pytest

from mono.errors import MonoError
from mono.repo.edit import (
    declare_libraries,
    declare_published,
    declare_requirement,
    pin_internal,
    pin_requirement,
    retarget,
    set_version,
)

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


FOLLOWED = """\
[project]
name = "web"
version = "0.1.0"
dependencies = ["flask>=3"]

[tool.poetry.dependencies]
util = { path = "../util", develop = true }

[tool.poetry.group.dev.dependencies]
pytest = "^8"
"""


def test_adding_keeps_the_blank_line_before_the_next_table() -> None:
    text, _ = declare_libraries(FOLLOWED, {"core": "../core"})
    assert 'core = { path = "../core", develop = true }\n\n[tool.poetry.group.dev.dependencies]' in text
    assert text.endswith('pytest = "^8"\n')


def test_a_table_made_between_two_others_gets_its_blank_line_and_none_at_the_end() -> None:
    between = (
        '[project]\nname = "web"\ndependencies = []\n\n[tool.poetry]\npackage-mode = false\n\n'
        "[build-system]\nrequires = []\n"
    )
    text, _ = declare_libraries(between, {"core": "../core"})
    assert '[tool.poetry.dependencies]\ncore = { path = "../core", develop = true }\n\n[build-system]' in text
    last, _ = declare_libraries('[project]\nname = "web"\ndependencies = []\n', {"core": "../core"})
    assert last.endswith("develop = true }\n") and not last.endswith("\n\n")
    empty = between.replace("[tool.poetry]\n", "[tool.poetry.dependencies]\n\n[tool.poetry]\n")
    assert "develop = true }\n\n[tool.poetry]" in declare_libraries(empty, {"core": "../core"})[0]
    published = declare_published(between, "core", "1.0.0", "internal", "http://127.0.0.1:1/simple/")
    assert 'priority = "explicit"\n\n[build-system]' in published


def test_a_requirement_goes_where_the_file_keeps_its_others() -> None:
    text, written = declare_requirement(FOLLOWED, "requests>=2.31")
    assert written == "requests>=2.31" and 'dependencies = ["flask>=3", "requests>=2.31"]' in text
    assert "[tool.poetry.dependencies]\nutil" in text  # the Poetry table is for paths here
    text, written = declare_requirement(POETRY1, "pandas==2.2.*")
    assert written == 'pandas = "==2.2.*"' and 'util = { path = "../util" }\npandas = "==2.2.*"\n' in text


def test_a_requirement_without_a_version_gets_poetrys_default() -> None:
    assert declare_requirement(FOLLOWED, "six", latest="1.17.0")[1] == "six>=1.17.0,<2.0.0"
    assert declare_requirement(FOLLOWED, "six", latest="0.3.1")[1] == "six>=0.3.1,<0.4.0"
    assert declare_requirement(POETRY1, "six", latest="1.17.0")[1] == 'six = "^1.17.0"'
    text, written = declare_requirement(FOLLOWED, "pytest-cov", group="dev", latest="6.0.0")
    assert written == 'pytest-cov = "^6.0.0"'
    assert '[tool.poetry.group.dev.dependencies]\npytest = "^8"\npytest-cov = "^6.0.0"\n' in text


def test_extras_and_markers_are_kept_in_both_styles() -> None:
    wanted = "attrs[tests]>=22; python_version < '3.13'"
    assert declare_requirement(FOLLOWED, wanted)[1] == wanted
    text, written = declare_requirement(POETRY1, wanted, group="lint")
    assert written == 'attrs = { version = ">=22", extras = ["tests"], markers = "python_version < \\"3.13\\"" }'
    assert text.endswith(f"[tool.poetry.group.lint.dependencies]\n{written}\n")


def test_a_poetry1_dev_table_takes_the_dev_group() -> None:
    legacy = POETRY1 + '\n[tool.poetry.dev-dependencies]\npytest = "^7"\n'
    text, _ = declare_requirement(legacy, "six>=1", group="dev")
    assert '[tool.poetry.dev-dependencies]\npytest = "^7"\nsix = ">=1"\n' in text and "group" not in text


def test_a_pin_for_upgrade_replaces_the_main_constraint_or_adds_one() -> None:
    pinned = pin_requirement(FOLLOWED, "flask", "3.0.3")
    assert 'dependencies = ["flask==3.0.3"]' in pinned and 'pytest = "^8"' in pinned
    assert 'dependencies = ["flask>=3", "idna==3.7"]' in pin_requirement(FOLLOWED, "idna", "3.7")
    assert 'python = "^3.11"\nutil = { path = "../util" }\nidna = "==3.7"' in pin_requirement(POETRY1, "idna", "3.7")
    table = POETRY1.replace('python = "^3.11"', 'python = "^3.11"\nsix = { version = "^1.10", optional = true }')
    assert 'six = { version = "==1.17.0", optional = true }' in pin_requirement(table, "six", "1.17.0")
