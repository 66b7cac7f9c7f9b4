import pytest
from flask.testing import FlaskClient

from app import app


@pytest.fixture
def client() -> FlaskClient:
    app.config.update(TESTING=True)
    return app.test_client()


def test_the_page_shows_each_species_from_the_shared_dataset(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for species in ("setosa", "versicolor", "virginica"):
        assert f"<td>{species}</td><td>50</td>" in page


def test_one_species_as_json(client: FlaskClient) -> None:
    setosa = client.get("/species/setosa").get_json()
    assert setosa["count"] == 50 and setosa["petal_length"] == 1.46


def test_an_unknown_species_is_404_with_a_reason(client: FlaskClient) -> None:
    answer = client.get("/species/rose")
    assert answer.status_code == 404 and "unknown species 'rose'" in answer.get_json()["error"]


def test_health_check(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
