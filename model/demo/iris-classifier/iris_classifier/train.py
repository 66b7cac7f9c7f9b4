"""Train: fit one centroid per species on standardised measurements; write model-VERSION.json.

    ./mono run iris-classifier        # python -m iris_classifier.train --out artifacts/

The train image runs this with a mounted folder as --out. The artifact is written atomically
and holds its version, the training data's size and the accuracy on a held-out fifth.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from iris_data import MEASUREMENTS, SPECIES, Flower, load

VERSION = "1"


def fit(flowers: tuple[Flower, ...] | list[Flower]) -> dict[str, Any]:
    """The model: per measurement a mean and deviation, per species a centroid (standardised)."""
    columns = list(zip(*(flower.measurements() for flower in flowers), strict=True))
    means = [statistics.fmean(column) for column in columns]
    deviations = [statistics.pstdev(column) or 1.0 for column in columns]

    def scaled(flower: Flower) -> list[float]:
        return [(v - m) / d for v, m, d in zip(flower.measurements(), means, deviations, strict=True)]

    centroids = {}
    for species in SPECIES:
        rows = [scaled(flower) for flower in flowers if flower.species == species]
        centroids[species] = [statistics.fmean(column) for column in zip(*rows, strict=True)]
    return {"version": VERSION, "measurements": list(MEASUREMENTS), "means": means, "deviations": deviations,
            "centroids": centroids}  # fmt: skip


def classify(model: dict[str, Any], measurements: tuple[float, float, float, float]) -> str:
    """The species whose centroid is nearest to the (standardised) measurements."""
    point = [(v - m) / d for v, m, d in zip(measurements, model["means"], model["deviations"], strict=True)]

    def distance(species: str) -> float:
        return sum((a - b) ** 2 for a, b in zip(point, model["centroids"][species], strict=True))

    return min(model["centroids"], key=distance)


def holdout_accuracy(flowers: tuple[Flower, ...]) -> float:
    """Accuracy on every fifth flower, of a model fitted on the other four fifths."""
    test = flowers[::5]
    train = [flower for index, flower in enumerate(flowers) if index % 5]
    model = fit(train)
    return sum(classify(model, f.measurements()) == f.species for f in test) / len(test)


def write_artifact(out: Path, model: dict[str, Any]) -> Path:
    """Write the artifact atomically into `out`; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"model-{model['version']}.json"
    handle, temporary = tempfile.mkstemp(dir=out, prefix=".model-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(model, file, indent=1)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: --out FOLDER (default: $MODEL_DIR, else artifacts/)."""
    parser = argparse.ArgumentParser(description="Train the iris classifier.")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("MODEL_DIR", "artifacts")))
    args = parser.parse_args(argv)
    flowers = load()
    model = {**fit(flowers), "trained_on": len(flowers), "holdout_accuracy": holdout_accuracy(flowers)}
    path = write_artifact(args.out, model)
    print(f"wrote {path} (holdout accuracy {model['holdout_accuracy']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
