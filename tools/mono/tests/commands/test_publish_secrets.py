from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner


def test_a_repository_url_with_a_password_is_never_printed(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POETRY_REPOSITORIES_INTERNAL_URL", "http://uploader:s3cr3t-pass@127.0.0.1:9/legacy/")
    result = cli(repo, "publish", "core")
    assert result.code in (1, 2)
    assert "s3cr3t-pass" not in result.out + result.err
    assert "uploader:***@127.0.0.1:9" in result.err, result.err
