"""What `run` serves, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from mono.commands.run import plan_serve
from mono.errors import MonoError, WrongKind
from mono.repo.discovery import load_workspace


def test_an_app_is_served_with_its_venv_on_localhost(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    plan = plan_serve(load_workspace(repo), "web")
    assert plan.argv == (str(repo / "app/shop/web/.venv/bin/python"), "app.py")
    assert plan.cwd == repo / "app/shop/web" and plan.url == "http://127.0.0.1:5000/"
    assert plan.env["PORT"] == "5000" and "VIRTUAL_ENV" not in plan.env


def test_port_overrides_and_must_be_a_port(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    assert plan_serve(load_workspace(repo), "web").url.endswith(":8123/")
    for bad in ("70000", "²", "٣٠٠٠", "-1", ""):  # non-ASCII digits pass isdigit() but not int()
        monkeypatch.setenv("PORT", bad)
        with pytest.raises(MonoError, match="not a port number"):
            plan_serve(load_workspace(repo), "web")


def test_only_apps_with_an_app_py_are_served(repo: Path) -> None:
    with pytest.raises(WrongKind, match="'core' is a lib project, not an app"):
        plan_serve(load_workspace(repo), "core")
    (repo / "app/shop/web/app.py").unlink()
    with pytest.raises(MonoError, match=r"app/shop/web: no app\.py to run"):
        plan_serve(load_workspace(repo), "web")
