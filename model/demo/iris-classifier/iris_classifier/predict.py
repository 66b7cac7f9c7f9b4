"""Serve species predictions over JSON from the artifact in MODEL_DIR (default: artifacts/).

    POST /predict {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    -> {"species": "setosa", "version": "1"}

A bad request gets 400 and the reason (the shared iris-data validation); no artifact gets 503.
The predict image serves this with gunicorn (`iris_classifier.predict:app`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, request
from iris_data import MEASUREMENTS, Flower, validate

from iris_classifier.train import VERSION, classify

app = Flask(__name__)


def artifact() -> Path:
    """Where the model is read from."""
    return Path(os.environ.get("MODEL_DIR", "artifacts")) / f"model-{VERSION}.json"


@app.post("/predict")
def predict() -> tuple[dict[str, Any], int]:
    """Predict the species of the posted measurements."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return {"error": f"send a JSON object with {', '.join(MEASUREMENTS)}"}, 400
    unknown = sorted(set(body) - set(MEASUREMENTS))
    if unknown:
        return {"error": f"unknown fields: {', '.join(unknown)}"}, 400
    if any(isinstance(body.get(name), bool) for name in MEASUREMENTS):
        return {"error": "measurements must be numbers"}, 400
    row = {name: None if body.get(name) is None else str(body[name]) for name in MEASUREMENTS}
    flower = validate(row, species_required=False)
    if not isinstance(flower, Flower):
        return {"error": flower.reason}, 400
    path = artifact()
    if not path.is_file():
        return {"error": f"no model at {path}: train first"}, 503
    model = json.loads(path.read_text(encoding="utf-8"))
    return {"species": classify(model, flower.measurements()), "version": model["version"]}, 200


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer health checks."""
    return {"status": "ok"}
