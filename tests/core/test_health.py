import pytest

from wealthcrm import health

OPERATIONS_TOKEN = "ops-token-for-tests-" + "0" * 30


@pytest.fixture
def client(client, settings):
    """Operations' monitoring: the details of /health/ need its token (API.md "Security")."""
    settings.HEALTH_TOKEN = OPERATIONS_TOKEN
    client.defaults["HTTP_X_HEALTH_TOKEN"] = OPERATIONS_TOKEN
    return client


def test_health_is_200_with_the_state_of_each_part(db, client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is True
    assert body["status"] in ("ok", "degraded")
    assert "nightly_runs" in body


def test_a_failing_check_degrades_health_but_keeps_it_200(db, client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == {"ok": False}


def test_health_is_503_when_the_database_is_down(db, client, monkeypatch):
    from django.db import OperationalError

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "database", down)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False}
