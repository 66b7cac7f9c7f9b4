"""What `run` serves or runs, and what it refuses."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mono.commands.run import EntryPlan, ServePlan, check_port_free, plan_run, plan_serve
from mono.errors import InvalidPyproject, MonoError, WrongKind
from mono.repo.discovery import load_workspace
from tests.helpers import pep621, write_tree


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


def _task(repo: Path, extra: str) -> None:
    """eng/x/task, with `extra` appended to its pyproject.toml."""
    write_tree(repo, {"eng/x/task/pyproject.toml": pep621("task", extra=extra)})


def test_an_eng_tasks_one_script_runs_with_the_arguments_given(repo: Path) -> None:
    _task(repo, '[project.scripts]\ntask = "task:main"\n')
    assert plan_run(load_workspace(repo), "task", ["a", "--b"]) == EntryPlan(("task", "a", "--b"))


def test_the_run_setting_comes_first_even_for_an_app(repo: Path) -> None:
    _task(repo, '[tool.mono]\nrun = "python -m task.train --out artifacts/"\n')
    assert plan_run(load_workspace(repo), "task", ["--seed", "1"]).command == (  # type: ignore[union-attr]
        "python", "-m", "task.train", "--out", "artifacts/", "--seed", "1",
    )  # fmt: skip
    assert isinstance(plan_run(load_workspace(repo), "web"), ServePlan)  # an app without one is served
    web = repo / "app/shop/web/pyproject.toml"
    web.write_text(web.read_text() + '[tool.mono]\nrun = ["gunicorn", "app:app"]\n')
    assert plan_run(load_workspace(repo), "web") == EntryPlan(("gunicorn", "app:app"))


def test_an_app_is_served_with_the_arguments_given(repo: Path) -> None:
    plan = plan_run(load_workspace(repo), "web", ["--debug"])
    assert isinstance(plan, ServePlan) and plan.argv[1:] == ("app.py", "--debug")


def test_nothing_to_run_or_a_choice_to_make_is_one_line_with_a_hint(repo: Path) -> None:
    with pytest.raises(MonoError) as nothing:
        plan_run(load_workspace(repo), "core")
    assert str(nothing.value) == (
        "core has nothing to run: lib/core/pyproject.toml has no [project.scripts] entry and no [tool.mono] run "
        '(hint: add one, e.g. [tool.mono] run = "python -m PACKAGE.main"; see "run" in docs/mono.md)'
    )
    _task(repo, '[project.scripts]\nload = "task:load"\nclean = "task:clean"\n')
    with pytest.raises(MonoError) as two:
        plan_run(load_workspace(repo), "task")
    assert str(two.value) == (
        "task has 2 scripts (clean, load) and no [tool.mono] run to choose one "
        '(hint: set run = "clean" in [tool.mono] of eng/x/task/pyproject.toml, '
        "or run one with ./mono exec task -- clean)"
    )


def test_a_bad_run_setting_stops_every_command(repo: Path) -> None:
    _task(repo, '[tool.mono]\nrun = ["python", 3]\n')
    with pytest.raises(InvalidPyproject, match=r"eng/x/task/pyproject.toml \[tool.mono\] run: must be a command"):
        load_workspace(repo)


def test_a_taken_port_is_refused_with_a_free_one_to_use(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        monkeypatch.setenv("PORT", str(port))
        plan = plan_serve(load_workspace(repo), "web")
        with pytest.raises(MonoError) as taken:
            check_port_free(plan, "web")
        hint = str(taken.value).split("PORT=")[1]
        assert str(taken.value).startswith(f"port {port} on 127.0.0.1 is already in use (hint: stop what listens")
        assert hint.endswith(" ./mono run web)") and int(hint.split()[0]) > port
    check_port_free(plan, "web")  # free again once it stopped listening
