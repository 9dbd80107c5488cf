"""The database-unavailable answer and the health check."""

from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_a_page_whose_database_is_unreachable_answers_503(client, staff):
    client.force_login(staff["crp"])
    with mock.patch(
        "culturegap.reinforcement.selectors.habit",
        side_effect=OperationalError("connection to server failed"),
    ):
        response = client.get(reverse("reinforcement:drill"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()


def test_other_errors_stay_errors(client, staff):
    client.raise_request_exception = False
    client.force_login(staff["crp"])
    with mock.patch("culturegap.reinforcement.selectors.habit", side_effect=KeyError("bug")):
        response = client.get(reverse("reinforcement:drill"))
    assert response.status_code == 500


def test_healthz_answers_ok(client, db):
    response = client.get(reverse("ops:healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_database_fails(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("the database system is starting up"),
    ):
        response = client.get(reverse("ops:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}
