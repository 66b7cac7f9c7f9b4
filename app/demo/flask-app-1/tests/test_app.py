import pytest
from flask.testing import FlaskClient

from app import app


@pytest.fixture
def client() -> FlaskClient:
    app.config.update(TESTING=True)
    return app.test_client()


def test_index_shows_the_library_greeting(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>Hello world christopher</h1>" in response.get_data(as_text=True)


def test_greeted_name_comes_from_the_environment(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREET_NAME", "ada")
    assert "Hello world ada" in client.get("/").get_data(as_text=True)


def test_health_check(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page"])
def test_every_response_forbids_content_sniffing(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"
