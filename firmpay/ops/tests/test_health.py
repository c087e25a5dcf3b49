import pytest
from django.db import connection

from firmpay.ops import health


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_queue_when_redis_is_down(client, monkeypatch):
    def redis_down():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setitem(health.CHECKS, "queue", redis_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["queue"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"] == "failed: ConnectionError"


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_is_down(client, monkeypatch):
    def database_down():
        raise connection.OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a9c1e-77")["X-Request-ID"]
    assert kept == "lb-4f2a9c1e-77"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="x\nSet-Cookie: a=b")["X-Request-ID"]
    assert "\n" not in replaced and len(replaced) == 32
