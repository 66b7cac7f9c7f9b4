from __future__ import annotations

from pathlib import Path

import pytest

from mono.errors import IndexUnreachable
from mono.external import index
from mono.external.poetry import poetry_environment
from tests.conftest import CliRunner


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    index.index_url.cache_clear()


def test_pip_index_url_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example.invalid/simple")
    assert index.index_url() == "https://mirror.example.invalid/simple"


def test_pip_config_is_read_when_no_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nindex-url = https://artifactory.example.invalid/api/pypi/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    assert index.index_url() == "https://artifactory.example.invalid/api/pypi/simple"


@pytest.mark.parametrize(
    "config",
    [
        "[install]\nindex-url = https://install.invalid/simple\n[global]\nindex-url = https://global.invalid/simple\n",
        "[global]\nindex-url = https://global.invalid/simple\n",
        "[global]\ntimeout = 60\n",
    ],
    ids=["install-over-global", "global", "none"],
)
def test_pips_configuration_read_in_process_says_what_pip_config_list_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: str
) -> None:
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    (tmp_path / "pip.conf").write_text(config)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "pip.conf"))
    assert index._read_pip_configuration() == index._list_pip_configuration()
    monkeypatch.setenv("PIP_INDEX_URL", "https://env.invalid/simple")
    assert index._read_pip_configuration() == index._list_pip_configuration() == "https://env.invalid/simple"


def test_pip_config_list_is_asked_when_pips_internals_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    (tmp_path / "pip.conf").write_text("[global]\nindex-url = https://global.invalid/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "pip.conf"))

    def moved() -> str | None:
        raise ImportError("pip._internal.configuration moved")

    monkeypatch.setattr(index, "_read_pip_configuration", moved)
    assert index.index_url() == "https://global.invalid/simple"


def test_pip_default_index_without_any_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setattr(index, "_pip_configured_index", lambda: None)
    url = index.index_url()
    assert url.startswith("https://") and url.endswith("/simple")


def test_poetry_follows_pips_index_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example.invalid/simple")
    monkeypatch.delenv("POETRY_PYPI_MIRROR_URL", raising=False)
    env = poetry_environment(tmp_path)
    assert env["POETRY_PYPI_MIRROR_URL"] == "https://mirror.example.invalid/simple"
    assert env["POETRY_VIRTUALENVS_IN_PROJECT"] == "true"
    monkeypatch.setenv("POETRY_PYPI_MIRROR_URL", "https://other.example.invalid/simple")
    assert poetry_environment(tmp_path)["POETRY_PYPI_MIRROR_URL"] == "https://other.example.invalid/simple"


def test_an_active_virtualenv_does_not_leak_into_poetry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/else")
    assert "VIRTUAL_ENV" not in poetry_environment(tmp_path)


def test_an_index_that_does_not_answer_is_failed_work_not_bad_input() -> None:
    # Nothing listens on port 9 (discard): the request fails at once.
    with pytest.raises(IndexUnreachable, match="cannot reach repository 'internal'") as raised:
        index.project_files("http://127.0.0.1:9/simple/", "core", "internal")
    assert raised.value.exit_code == 1


def test_publish_to_an_unreachable_index_exits_1(repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POETRY_REPOSITORIES_INTERNAL_URL", "http://127.0.0.1:9/")
    result = cli(repo, "publish", "core")
    assert result.code == 1, result.err
    assert "mono: error: cannot reach repository 'internal' at http://127.0.0.1:9/simple/core/" in result.err
