"""Example app: a page that shows the greeting of the shared helloworld library.

Locally: ``./mono run flask-app-1`` (or ``poetry run python3 app.py``) serves it on
127.0.0.1:5000; ``PORT`` and ``HOST`` override. In an image, gunicorn serves ``app:app``.
"""

import os

from flask import Flask, Response, render_template
from helloworld import helloworld

app = Flask(__name__)


@app.after_request
def no_sniffing(response: Response) -> Response:
    """Every response, errors included: browsers take the declared content type, never a guess."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@app.get("/")
def index() -> str:
    """Render the greeting page."""
    return render_template("index.html", greeting=helloworld(os.environ.get("GREET_NAME", "christopher")))


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer health checks."""
    return {"status": "ok"}


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
