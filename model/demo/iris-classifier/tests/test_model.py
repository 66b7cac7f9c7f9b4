import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from iris_classifier import predict, train
from iris_data import load

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.7, "petal_width": 2.3}


def test_training_writes_a_versioned_artifact_that_classifies_well(tmp_path: Path) -> None:
    assert train.main(["--out", str(tmp_path)]) == 0
    model = json.loads((tmp_path / f"model-{train.VERSION}.json").read_text())
    assert model["version"] == train.VERSION and model["trained_on"] == 150
    assert model["holdout_accuracy"] >= 0.8  # chance is 0.33; measured 0.83
    flowers = load()
    accuracy = sum(train.classify(model, f.measurements()) == f.species for f in flowers) / len(flowers)
    assert accuracy >= 0.8


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    train.main(["--out", str(tmp_path)])
    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    return predict.app.test_client()


def test_predictions_come_from_the_trained_artifact(client: FlaskClient) -> None:
    assert client.post("/predict", json=SETOSA).get_json() == {"species": "setosa", "version": "1"}
    assert client.post("/predict", json=VIRGINICA).get_json()["species"] == "virginica"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([1, 2], "send a JSON object"),
        ({**SETOSA, "colour": "blue"}, "unknown fields: colour"),
        ({**SETOSA, "petal_width": None}, "petal_width is missing"),
        ({**SETOSA, "sepal_width": "wide"}, "sepal_width is not a number"),
        ({**SETOSA, "sepal_length": 58}, "sepal_length is out of range"),
        ({**SETOSA, "petal_length": True}, "measurements must be numbers"),
    ],
)
def test_bad_requests_get_400_with_the_reason(client: FlaskClient, body: object, reason: str) -> None:
    answer = client.post("/predict", json=body)
    assert answer.status_code == 400
    assert reason in answer.get_json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {**SETOSA, "<script>alert(1)</script>": 1},
        {**SETOSA, "sepal_width": "<script>alert(1)</script>"},
    ],
)
def test_what_a_refusal_quotes_of_the_request_is_escaped(client: FlaskClient, body: object) -> None:
    answer = client.post("/predict", json=body)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert answer.mimetype == "application/json"


@pytest.mark.parametrize(("method", "path"), [("POST", "/predict"), ("GET", "/healthz"), ("GET", "/no-such-page")])
def test_every_response_forbids_content_sniffing(client: FlaskClient, method: str, path: str) -> None:
    answer = client.open(path, method=method, json=SETOSA if method == "POST" else None)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_healthy_with_a_model(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "model": "loaded", "version": train.VERSION}


def test_without_a_model_the_service_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "empty"))
    answer = predict.app.test_client().post("/predict", json=SETOSA)
    assert answer.status_code == 503 and "train first" in answer.get_json()["error"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_without_a_model_the_health_check_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "empty"))
    answer = predict.app.test_client().get("/healthz")
    assert answer.status_code == 503  # the image's HEALTHCHECK fails on it: the container is unhealthy
    assert answer.get_json()["status"] == "no model" and "train first" in answer.get_json()["error"]
