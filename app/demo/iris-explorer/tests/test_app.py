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


@pytest.mark.parametrize("path", ["/species/<script>alert(1)<", "/species/%3Cscript%3Ealert(1)%3C"])
def test_an_unknown_species_is_echoed_escaped_in_json(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 404 and "<script>" not in body and "&lt;script&gt;alert(1)&lt;" in body
    assert answer.mimetype == "application/json" and answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_name_with_a_slash_gets_the_plain_404_which_echoes_nothing(client: FlaskClient) -> None:
    answer = client.get("/species/<script>alert(1)</script>")  # not the route: </script> holds a slash
    assert answer.status_code == 404 and "alert" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/species/setosa", "/healthz", "/no-such-page"])
def test_every_response_forbids_content_sniffing(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_health_check(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
