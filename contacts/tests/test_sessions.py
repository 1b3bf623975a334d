from datetime import timedelta

from django.conf import settings
from django.urls import reverse

LOGIN = reverse("account_login")


def test_login_issues_a_new_session_key(client, alt_tokyo):
    client.get(LOGIN)
    client.post(reverse("contacts:set_language"), {"language": "en"})  # a choice kept in the visitor's session
    before = client.cookies["sessionid"].value
    assert before
    client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "correct-horse-battery"})
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert client.get("/").status_code == 200


def test_session_ends_after_the_idle_time(client, alt_tokyo, time_machine):
    time_machine.move_to("2026-12-01 09:00 +09:00", tick=False)
    client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "correct-horse-battery"})
    assert client.get("/").status_code == 200
    time_machine.move_to("2026-12-01 10:30 +09:00", tick=False)  # active again within the idle time
    assert client.get("/").status_code == 200
    time_machine.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
    assert client.get("/").status_code == 200  # the activity at 10:30 pushed the expiry forward
    time_machine.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_login_with_next_to_another_site_lands_on_the_dashboard(client, alt_tokyo):
    response = client.post(
        LOGIN + "?next=https://evil.example.net/",
        {"login": "alt.tokyo@example.com", "password": "correct-horse-battery", "next": "https://evil.example.net/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
