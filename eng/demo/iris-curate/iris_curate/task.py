"""Curate the iris field notes: source the raw CSV, validate every row, write what is clean.

    ./mono run iris-curate -- raw/iris-field-notes.csv curated/

Every row is validated with the shared `iris_data` rules. A bad row is never silently dropped:
it goes to `iris-rejected.csv` with its line number and the reason, and the counts are printed.
The clean rows go to `iris-curated.csv` with the derived features added. Each output is written
to a temporary file beside it and renamed into place, so a crash mid-write leaves the previous
output intact.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from iris_data import COLUMNS, Cleaned, clean, features, read_rows

CURATED = "iris-curated.csv"
REJECTED = "iris-rejected.csv"
FEATURES = ("petal_area", "sepal_area", "petal_to_sepal_length")


@dataclass(frozen=True)
class Summary:
    """What one run did."""

    read: int
    kept: int
    rejected: int
    reasons: dict[str, int]


def write_atomically(target: Path, write: Callable[[TextIO], None]) -> None:
    """Write `target` through a temporary file in its folder, renamed into place when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            write(out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_curated(cleaned: Cleaned) -> Callable[[TextIO], None]:
    def write(out: TextIO) -> None:
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *FEATURES])
        writer.writeheader()
        for flower in cleaned.flowers:
            writer.writerow({**asdict(flower), **features(flower)})

    return write


def _write_rejected(cleaned: Cleaned) -> Callable[[TextIO], None]:
    def write(out: TextIO) -> None:
        writer = csv.writer(out)
        writer.writerow(["line", "reason"])
        for rejection in cleaned.rejected:
            writer.writerow([rejection.line, rejection.reason])

    return write


def curate(source: Path, out: Path) -> Summary:
    """Validate `source` and write the curated and rejected rows to the folder `out`."""
    cleaned = clean(read_rows(source))
    write_atomically(out / CURATED, _write_curated(cleaned))
    write_atomically(out / REJECTED, _write_rejected(cleaned))
    reasons = Counter(rejection.reason.split(":")[0] for rejection in cleaned.rejected)
    total = len(cleaned.flowers) + len(cleaned.rejected)
    return Summary(total, len(cleaned.flowers), len(cleaned.rejected), dict(sorted(reasons.items())))


def main(argv: list[str] | None = None) -> int:
    """Command line: SOURCE OUT_DIR."""
    parser = argparse.ArgumentParser(description="Curate iris field notes: validate, keep the clean rows.")
    parser.add_argument("source", type=Path, help="the raw CSV")
    parser.add_argument("out", type=Path, help=f"folder for {CURATED} and {REJECTED}")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"iris-curate: {args.source}: no such file", file=sys.stderr)
        return 2
    missing = [column for column in COLUMNS if column not in (read_rows(args.source)[:1] or [{}])[0]]
    if missing:
        print(f"iris-curate: {args.source}: missing columns {', '.join(missing)}", file=sys.stderr)
        return 2
    summary = curate(args.source, args.out)
    print(f"read {summary.read} rows: kept {summary.kept}, rejected {summary.rejected}")
    for reason, count in summary.reasons.items():
        print(f"  rejected {count}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
