import pytest
from django.db import connection


def test_healthz_reports_database_and_broker_to_staff(client_for, staff_tokyo):
    response = client_for(staff_tokyo).get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "alt"])
def test_healthz_tells_others_only_ok_or_failing(client_for, alt_tokyo, who, broker_down):
    client = client_for(alt_tokyo if who == "alt" else None)
    response = client.get("/healthz/")
    assert (response.status_code, response.json()) == (503, {"status": "failing"})


def test_healthz_is_ok_for_anyone_when_all_is_well(client, db):
    response = client.get("/healthz/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_is_503_when_the_broker_is_down(client_for, staff_tokyo, broker_down):
    response = client_for(staff_tokyo).get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "broker": "down", "database": "ok"}


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
    # No database: nobody can be recognised as staff either; anyone hears "failing".
    assert (response.status_code, response.json()) == (503, {"status": "failing"})
