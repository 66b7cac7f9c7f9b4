"""Serve species predictions over JSON from the artifact in MODEL_DIR (default: artifacts/).

    POST /predict {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    -> {"species": "setosa", "version": "1"}

    GET /healthz -> 200 {"status": "ok", "model": "loaded", "version": "1"}
                 or 503 {"status": "no model", "error": "no model at ...: train first"}

A bad request gets 400 and the reason (the shared iris-data validation); no artifact gets 503.
The predict image serves this with gunicorn (`iris_classifier.predict:app`); its health check
asks /healthz, so a container without a model in MODEL_DIR is unhealthy.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from iris_data import MEASUREMENTS, Flower, validate

from iris_classifier.train import VERSION, classify

app = Flask(__name__)


@app.after_request
def no_sniffing(response: Response) -> Response:
    """Every response, errors included: browsers take the declared content type, never a guess."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def artifact() -> Path:
    """Where the model is read from."""
    return Path(os.environ.get("MODEL_DIR", "artifacts")) / f"model-{VERSION}.json"


def loaded() -> dict[str, Any] | None:
    """The trained model, or None while there is none (read on each call: a new one needs no restart)."""
    try:
        return dict(json.loads(artifact().read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def refusal(reason: str) -> dict[str, str]:
    """The body of a 400: the reason can quote the request, so it is escaped (rendered, it runs no markup)."""
    return {"error": html.escape(reason, quote=False)}


def no_model() -> str:
    """What /predict and /healthz say while there is no artifact."""
    return f"no model at {artifact()}: train first"


@app.post("/predict")
def predict() -> tuple[dict[str, Any], int]:
    """Predict the species of the posted measurements."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return refusal(f"send a JSON object with {', '.join(MEASUREMENTS)}"), 400
    unknown = sorted(set(body) - set(MEASUREMENTS))
    if unknown:
        return refusal(f"unknown fields: {', '.join(unknown)}"), 400
    if any(isinstance(body.get(name), bool) for name in MEASUREMENTS):
        return refusal("measurements must be numbers"), 400
    row = {name: None if body.get(name) is None else str(body[name]) for name in MEASUREMENTS}
    flower = validate(row, species_required=False)
    if not isinstance(flower, Flower):
        return refusal(flower.reason), 400
    model = loaded()
    if model is None:
        return {"error": no_model()}, 503
    return {"species": classify(model, flower.measurements()), "version": model["version"]}, 200


@app.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Healthy (200) only with a model to serve; 503 until one is trained into MODEL_DIR."""
    model = loaded()
    if model is None:
        return {"status": "no model", "error": no_model()}, 503
    return {"status": "ok", "model": "loaded", "version": str(model["version"])}, 200
