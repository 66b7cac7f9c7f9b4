"""The iris flowers: one small real dataset, and the functions every project uses on it.

The data is Fisher's iris measurements (150 flowers, 3 species; public domain, as shipped with
scikit-learn), bundled in the package: nothing is downloaded. The same functions serve the EDA,
the curation task, the model and the app:

- `load()`: the clean bundled flowers; `read_rows(path)`: raw rows of any CSV in that layout;
- `validate(row)` / `clean(rows)`: a row becomes a `Flower` or a `Rejection` with its reason;
- `features(flower)`: the derived numbers the analysis and the model use.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SPECIES = ("setosa", "versicolor", "virginica")
MEASUREMENTS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
COLUMNS = (*MEASUREMENTS, "species")
MAX_CM = 30.0  # no iris organ is longer: a larger value is a unit or typing error


@dataclass(frozen=True)
class Flower:
    """One measured flower (lengths in cm)."""

    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float
    species: str

    def measurements(self) -> tuple[float, float, float, float]:
        """The four measurements, in MEASUREMENTS order."""
        return (self.sepal_length, self.sepal_width, self.petal_length, self.petal_width)


@dataclass(frozen=True)
class Rejection:
    """A row that is not a valid flower: where it was and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The result of cleaning: the valid flowers and every rejected row with its reason."""

    flowers: tuple[Flower, ...]
    rejected: tuple[Rejection, ...]


def validate(row: Mapping[str, str | None], line: int = 0, species_required: bool = True) -> Flower | Rejection:
    """The row as a Flower, or a Rejection saying what is wrong with it."""
    values: list[float] = []
    for name in MEASUREMENTS:
        raw = (row.get(name) or "").strip()
        if not raw:
            return Rejection(line, f"{name} is missing")
        try:
            value = float(raw)
        except ValueError:
            return Rejection(line, f"{name} is not a number: {raw!r}")
        if not 0 < value <= MAX_CM:
            return Rejection(line, f"{name} is out of range (0, {MAX_CM:g}] cm: {raw}")
        values.append(value)
    species = (row.get("species") or "").strip().lower()
    if species_required and species not in SPECIES:
        return Rejection(line, f"unknown species: {species!r}")
    return Flower(*values, species=species)


def read_rows(path: Path) -> list[dict[str, str | None]]:
    """The rows of a CSV file with the iris columns (a header line first)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def clean(rows: Iterable[Mapping[str, str | None]]) -> Cleaned:
    """Split rows into valid flowers and rejections (line numbers count the header as line 1)."""
    flowers: list[Flower] = []
    rejected: list[Rejection] = []
    for line, row in enumerate(rows, start=2):
        result = validate(row, line)
        if isinstance(result, Flower):
            flowers.append(result)
        else:
            rejected.append(result)
    return Cleaned(tuple(flowers), tuple(rejected))


def load() -> tuple[Flower, ...]:
    """The bundled dataset, validated (it is clean: 150 flowers, 50 of each species)."""
    text = resources.files("iris_data").joinpath("data/iris.csv").read_text(encoding="utf-8")
    cleaned = clean(csv.DictReader(text.splitlines()))
    if cleaned.rejected:
        raise ValueError(f"the bundled data has invalid rows: {cleaned.rejected[:3]}")
    return cleaned.flowers


def features(flower: Flower) -> dict[str, float]:
    """Derived features: petal and sepal areas (length x width) and the petal length ratio."""
    return {
        "petal_area": round(flower.petal_length * flower.petal_width, 4),
        "sepal_area": round(flower.sepal_length * flower.sepal_width, 4),
        "petal_to_sepal_length": round(flower.petal_length / flower.sepal_length, 4),
    }


__all__ = [
    "COLUMNS",
    "MEASUREMENTS",
    "SPECIES",
    "Cleaned",
    "Flower",
    "Rejection",
    "clean",
    "features",
    "load",
    "read_rows",
    "validate",
]
