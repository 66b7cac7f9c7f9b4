"""Iris explorer: the shared iris-data dataset as a page and as JSON.

Locally: ``./mono run iris-explorer`` (or ``poetry run python3 app.py``) serves it on
127.0.0.1:5000; ``PORT`` and ``HOST`` override. In its image, gunicorn serves ``app:app``.
"""

import html
import os
import statistics

from flask import Flask, Response, render_template
from iris_data import MEASUREMENTS, SPECIES, features, load

app = Flask(__name__)


@app.after_request
def no_sniffing(response: Response) -> Response:
    """Every response, errors included: browsers take the declared content type, never a guess."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def summary() -> list[dict[str, object]]:
    """Per species: how many flowers, and the mean of each measurement and of the petal area."""
    flowers = load()
    rows: list[dict[str, object]] = []
    for species in SPECIES:
        group = [flower for flower in flowers if flower.species == species]
        means = {name: round(statistics.fmean(getattr(f, name) for f in group), 2) for name in MEASUREMENTS}
        petal_area = round(statistics.fmean(features(f)["petal_area"] for f in group), 2)
        rows.append({"species": species, "count": len(group), **means, "petal_area": petal_area})
    return rows


@app.get("/")
def index() -> str:
    """The summary table."""
    return render_template("index.html", title="Iris explorer", rows=summary(), measurements=MEASUREMENTS)


@app.get("/species/<name>")
def species(name: str) -> tuple[dict[str, object], int]:
    """One species' summary as JSON (404 with a reason for a species the dataset does not have)."""
    for row in summary():
        if row["species"] == name:
            return row, 200
    # The name comes from the URL: escaped, so a browser that renders this body anyway runs no markup.
    return {"error": f"unknown species {html.escape(name, quote=False)!r}; known: {', '.join(SPECIES)}"}, 404


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer health checks."""
    return {"status": "ok"}


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
