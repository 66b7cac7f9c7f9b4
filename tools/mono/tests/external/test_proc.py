"""The subprocess helper: after Ctrl-C's stop_all, running commands end and no new one starts."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from mono.errors import CommandFailed, Interrupted, MonoError
from mono.external import logs, proc


@pytest.fixture(autouse=True)
def _fresh_stop_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    # stop_all is final for a process; each test gets its own flag.
    monkeypatch.setattr(proc, "_stopping", threading.Event())


def test_stop_all_ends_a_running_command_and_refuses_new_ones(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def sleeper() -> None:
        try:
            proc.run([sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path, log=tmp_path / "log")
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            errors.append(error)

    worker = threading.Thread(target=sleeper)
    worker.start()
    deadline = time.monotonic() + 10
    while not proc._running and time.monotonic() < deadline:
        time.sleep(0.02)
    start = time.monotonic()
    proc.stop_all()
    worker.join(timeout=10)
    assert time.monotonic() - start < 5
    assert len(errors) == 1 and isinstance(errors[0], CommandFailed)  # terminated: non-zero exit
    with pytest.raises(Interrupted):
        proc.run([sys.executable, "-c", "pass"], cwd=tmp_path)


def test_a_command_that_fails_carries_the_tail_of_its_output(tmp_path: Path) -> None:
    code = "import sys; print('\\n'.join(f'line {n}' for n in range(50))); sys.exit(3)"
    with pytest.raises(CommandFailed) as raised:
        proc.run([sys.executable, "-c", code], cwd=tmp_path, log=tmp_path / "log")
    assert raised.value.tail.splitlines() == [f"line {n}" for n in range(30, 50)]
    assert "[exit status 3]" in (tmp_path / "log").read_text()


def test_a_command_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    with pytest.raises(MonoError, match=r"'sleep 5' did not finish within 0\.2 s"):
        proc.run(["sleep", "5"], cwd=tmp_path, timeout=0.2)


def test_stderr_can_be_kept_out_of_the_answer(tmp_path: Path) -> None:
    script = ["sh", "-c", "echo answer; echo noise >&2"]
    assert proc.run(script, cwd=tmp_path, stderr="discarded").output == "answer\n"
    assert "noise" in proc.run(script, cwd=tmp_path).output


def test_a_missing_program_is_explained_for_an_installed_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MonoError) as raised:
        proc.tool_executable("poetry")
    assert str(raised.value).startswith("poetry is not installed")
    assert "pipx reinstall mono" in str(raised.value) and "./mono" not in str(raised.value)


def test_a_missing_program_under_the_launcher_names_the_launcher(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("MONO_ROOT", str(tmp_path))
    with pytest.raises(MonoError) as raised:
        proc.tool_executable("uv")
    assert "./mono" in str(raised.value)


def test_a_tail_keeps_the_cause_that_repeated_advice_would_push_out() -> None:
    output = "\n".join(
        [
            "Resolving dependencies...",
            "The current project's supported Python range (>=2.7) is not compatible with some packages:",
            "Because schemas depends on pydantic (^2.6) which requires Python >=3.8, version solving failed.",
            *[f"  - pydantic requires Python >=3.8, so it will not be installable for Python {n}" for n in range(30)],
            *["For pydantic, a possible solution would be to set the python property to '>=3.9'"] * 17,
            "",
            "  * Check your dependencies Python requirement",
        ]
    )
    shown = proc.tail_of(output).splitlines()
    assert shown[:2] == [
        "Because schemas depends on pydantic (^2.6) which requires Python >=3.8, version solving failed.",
        "...",
    ]
    assert shown.count("For pydantic, a possible solution would be to set the python property to '>=3.9'") == 1
    assert shown[-1] == "  * Check your dependencies Python requirement"
    assert proc.tail_of("one\ntwo") == "one\ntwo"  # short output is shown whole, with nothing added


def test_secrets_never_reach_the_output_or_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POETRY_HTTP_BASIC_PRIVATE_PASSWORD", "hunter2-pass")
    monkeypatch.setenv("INDEX_TOKEN", "tok-123456")
    said = (
        "All attempts to connect to user:s3cret@index.example.invalid failed; "
        "https://bob:pa55@index.example.invalid/simple; hunter2-pass; tok-123456"
    )
    log = tmp_path / "logs" / "x.log"
    script = f"import sys; print({said!r}); sys.exit(3)"
    with pytest.raises(CommandFailed) as raised:
        proc.run([sys.executable, "-c", script, "https://al:argv-secret@h.invalid"], cwd=tmp_path, log=log)
    written = log.read_text()
    for secret in ("s3cret", "pa55", "hunter2-pass", "tok-123456", "argv-secret"):
        assert secret not in raised.value.tail and secret not in written
    assert "user:***@index.example.invalid" in written and "https://bob:***@index" in raised.value.tail
    assert log.stat().st_mode & 0o777 == 0o600 and log.parent.stat().st_mode & 0o777 == 0o700
    for plain in ("a plain line: 10:30 @home", "FROM python:3.12-slim@sha256:0123abcd", "git@github.com:o/r"):
        assert proc.redact(plain) == plain


def test_a_secret_never_reaches_the_log_even_while_the_command_runs(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    env = {**os.environ, "INDEX_TOKEN": "s3cr3t-value"}
    script = "echo using $INDEX_TOKEN and https://user:hunter22@index.example/simple; sleep 2"
    worker = threading.Thread(
        target=proc.run, args=(["sh", "-c", script],), kwargs={"cwd": tmp_path, "env": env, "log": log}
    )
    worker.start()
    deadline = time.monotonic() + 10
    while "\nusing" not in (log.read_text() if log.is_file() else "") and time.monotonic() < deadline:
        time.sleep(0.02)
    seen_while_running = log.read_text()
    worker.join()
    assert "using *** and https://user:***@index.example/simple" in seen_while_running
    assert "s3cr3t-value" not in log.read_text() and "hunter22" not in log.read_text()


def test_a_run_that_writes_nothing_to_its_log_leaves_the_last_one(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "app.log"
    with logs.own_log(log):
        proc.run(["sh", "-c", "echo installed six"], cwd=tmp_path, log=log)
    assert "installed six" in log.read_text()
    with logs.own_log(log):
        pass  # up to date: nothing to say
    assert "installed six" in log.read_text()
    with logs.own_log(log):
        proc.run(["sh", "-c", "echo installed flask"], cwd=tmp_path, log=log)
    assert "installed flask" in log.read_text() and "six" not in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_failed_run_that_wrote_nothing_does_not_get_the_last_log_back(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    with logs.own_log(log):
        proc.run(["sh", "-c", "echo installed six"], cwd=tmp_path, log=log)
    with logs.own_log(log) as turn:
        turn.failed = True  # its reason went elsewhere (the summary): not the old run's lines
    assert log.read_text() == ""
    with logs.own_log(log):
        proc.run(["sh", "-c", "echo installed six"], cwd=tmp_path, log=log)
    with pytest.raises(KeyboardInterrupt), logs.own_log(log):
        raise KeyboardInterrupt  # stopped before it began: the last log stays
    assert "installed six" in log.read_text()
