import pytest
from django.db import connection


def test_healthz_reports_database_and_broker(client, db, tmp_path, settings):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_when_the_broker_is_down(client, db, broker_down):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_down(client, postgres):
    settings_dict = connection.settings_dict
    old_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "9"  # nothing listens there
    try:
        response = client.get("/healthz/")
    finally:
        connection.close()
        settings_dict["PORT"] = old_port
    assert response.status_code == 503
    assert response.json()["database"] == "down"
