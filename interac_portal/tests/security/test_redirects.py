"""`?next=` (and the Referer) pointing to another site lands on the dashboard, whatever its spelling."""

import pytest
from django.urls import reverse

from .conftest import client_as

LOGIN = reverse("account_login")
PASSWORD = "correct-horse-battery"

ELSEWHERE = [
    "https://evil.example.net/",
    "//evil.example.net/",
    "/\\evil.example.net/",
    "\\\\evil.example.net/",
    "https:evil.example.net",
    "http://testserver@evil.example.net/",
    "https://testserver.evil.example.net/",
    " https://evil.example.net/",
    "/\t/evil.example.net/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def _lands_home(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_never_sends_people_to_another_site(client, alt_tokyo, target):
    response = client.post(
        f"{LOGIN}?next={target}", {"login": "alt.tokyo@example.com", "password": PASSWORD, "next": target}
    )
    assert _lands_home(response), response.get("Location")
    # Already signed in, the login page with the same `next` goes home too.
    response = client.get(LOGIN, {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and not response["Location"].startswith(("javascript", "data"))


@pytest.mark.parametrize("target", ELSEWHERE)
def test_language_switch_never_sends_people_to_another_site(alt_tokyo, target):
    client = client_as(alt_tokyo)
    assert _lands_home(client.post(reverse("contacts:set_language"), {"language": "en", "next": target}))
    referred = client.post(reverse("contacts:set_language"), {"language": "en"}, headers={"referer": target})
    assert _lands_home(referred)


def test_logout_with_next_to_another_site_goes_to_the_login_page(alt_tokyo):
    response = client_as(alt_tokyo).post(reverse("account_logout"), {"next": "https://evil.example.net/"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_admin_login_with_next_to_another_site_stays_on_the_portal(client, staff_tokyo):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example.net/"}, follow=True)
    login_page = response.redirect_chain[-1][0]
    assert login_page.startswith(LOGIN)
    response = client.post(login_page, {"login": "staff.tokyo@example.com", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert all(url.startswith("/") and not url.startswith("//") for url, _ in response.redirect_chain)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
