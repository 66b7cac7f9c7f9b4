import csv
from pathlib import Path

import pytest
from iris_curate import task

RAW = Path(__file__).resolve().parent.parent / "raw" / "iris-field-notes.csv"


def test_the_field_notes_are_curated_and_every_bad_row_is_counted_with_its_reason(tmp_path: Path) -> None:
    summary = task.curate(RAW, tmp_path)
    assert (summary.read, summary.kept, summary.rejected) == (155, 150, 5)
    rejected = list(csv.DictReader((tmp_path / task.REJECTED).read_text().splitlines()))
    assert [row["reason"] for row in rejected] == [
        "petal_width is missing",
        "sepal_width is not a number: 'n/a'",
        "sepal_length is out of range (0, 30] cm: 58",
        "unknown species: 'iris-versicolor'",
        "unknown species: ''",
    ]
    curated = list(csv.DictReader((tmp_path / task.CURATED).read_text().splitlines()))
    assert len(curated) == 150 and float(curated[0]["petal_area"]) == pytest.approx(0.28)


def test_a_crash_mid_write_leaves_the_previous_output_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task.curate(RAW, tmp_path)
    before = (tmp_path / task.CURATED).read_bytes()
    calls = 0
    real = task.features

    def crash_after_a_few(flower):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > 10:
            raise RuntimeError("disk full")
        return real(flower)

    monkeypatch.setattr(task, "features", crash_after_a_few)
    with pytest.raises(RuntimeError, match="disk full"):
        task.curate(RAW, tmp_path)
    assert (tmp_path / task.CURATED).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [task.CURATED, task.REJECTED]  # no temporary left


def test_the_command_line_prints_the_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert task.main([str(RAW), str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "read 155 rows: kept 150, rejected 5" in out and "rejected 2: unknown species" in out


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert task.main([str(tmp_path / "missing.csv"), str(tmp_path)]) == 2
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    assert task.main([str(wrong), str(tmp_path)]) == 2
    assert "missing columns" in capsys.readouterr().err
