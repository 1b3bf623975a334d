"""Login and accounts, beyond contacts/tests/test_auth.py and test_sessions.py (rate limits, password rules,
reset without enumeration, new session key, replay after logout, deactivation, idle expiry)."""

import os
import re

import pytest
import requests
from django.urls import reverse

from conftest import service_missing
from contacts.models import User
from core.models import UserSession
from testing.contacts import UserFactory
from testing.processes import start_gunicorn

from .conftest import client_as

LOGIN = reverse("account_login")
PASSWORD = "correct-horse-battery"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def redis_cache_url():
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith(("redis://", "rediscache://")):
        service_missing("a shared Redis cache (set CACHE_URL=redis://...)")
    return url


def _post_login(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    page = session.get(f"{base}{LOGIN}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{base}{LOGIN}",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}{LOGIN}"},
        allow_redirects=False,
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_failed_login_limit_holds_across_two_web_processes(postgres, redis_cache_url, tmp_path, tokyo):
    """Two separate gunicorns share the Redis cache: failures on one count on the other."""
    UserFactory(email="alt.limit@example.com")
    first, base_a = start_gunicorn(tmp_path, name="web-a", workers=1, CACHE_URL=redis_cache_url)
    try:
        second, base_b = start_gunicorn(tmp_path, name="web-b", workers=1, CACHE_URL=redis_cache_url)
        try:
            attacker = requests.Session()
            for attempt in range(5):  # the limit is 5 failures per address in 5 minutes
                base = base_a if attempt % 2 == 0 else base_b
                response = _post_login(attacker, base, "alt.limit@example.com", "wrong-password")
                assert response.status_code == 200 and TOO_MANY not in response.text, attempt
            # The right password, on the other process, is refused: the counter is shared.
            refused = _post_login(requests.Session(), base_b, "alt.limit@example.com", PASSWORD)
            assert refused.status_code == 200
            assert TOO_MANY in refused.text
            refused = _post_login(requests.Session(), base_a, "alt.limit@example.com", PASSWORD)
            assert TOO_MANY in refused.text
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(client, db, settings):
    """Without a trusted proxy (USE_X_FORWARDED_FOR off) X-Forwarded-For is ignored: the limit of 10 failures a
    minute per address holds whatever the header says."""
    assert not settings.USE_X_FORWARDED_FOR
    UserFactory(email="target@example.com")
    for n in range(10):
        client.post(
            LOGIN,
            {"login": f"guess{n}@example.com", "password": "wrong"},
            headers={"x-forwarded-for": f"203.0.113.{n}"},
        )
    response = client.post(
        LOGIN, {"login": "target@example.com", "password": PASSWORD}, headers={"x-forwarded-for": "198.51.100.7"}
    )
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_people_cannot_change_their_login_email(alt_tokyo):
    """Staff manage accounts. allauth's email page let anyone signed in (or anyone at their open browser) swap
    the login address for an unverified one, and then reset the password there."""
    client = client_as(alt_tokyo)
    response = client.post("/accounts/email/", {"email": "new.me@example.net", "action_add": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    client.post("/accounts/email/", {"email": "new.me@example.net", "action_primary": ""})
    assert User.objects.get(pk=alt_tokyo.pk).email == "alt.tokyo@example.com"
    assert client.get("/accounts/email/").status_code == 302


def test_a_reset_link_works_once(client, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "alt.tokyo@example.com"})
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"password1": "Fuji-san-2026-a", "password2": "Fuji-san-2026-a"})
    assert done.status_code == 302
    replay = type(client)()
    again = replay.get(link, follow=True)
    assert again.context["token_fail"]
    replay.post(
        again.redirect_chain[-1][0] if again.redirect_chain else link,
        {"password1": "x-Other-2026", "password2": "x-Other-2026"},
    )
    user = User.objects.get(pk=alt_tokyo.pk)
    assert user.check_password("Fuji-san-2026-a")


def test_deactivating_in_the_admin_form_ends_the_persons_sessions(alt_tokyo, superuser):
    browser = client_as(alt_tokyo)
    assert browser.get("/").status_code == 200
    response = client_as(superuser).post(
        reverse("admin:contacts_user_change", args=[alt_tokyo.pk]),
        {
            "email": alt_tokyo.email,
            "first_name": alt_tokyo.first_name,
            "last_name": alt_tokyo.last_name,
            "preferred_language": "en",
            "phone": "",
            # is_active unticked
            "alt_profile-TOTAL_FORMS": "0",
            "alt_profile-INITIAL_FORMS": "0",
            "alt_profile-MIN_NUM_FORMS": "0",
            "alt_profile-MAX_NUM_FORMS": "1",
            "staff_roles-TOTAL_FORMS": "0",
            "staff_roles-INITIAL_FORMS": "0",
            "staff_roles-MIN_NUM_FORMS": "0",
            "staff_roles-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert not User.objects.get(pk=alt_tokyo.pk).is_active
    # Ended, not only refused while inactive: once the account is active again, the old cookie is still anonymous.
    User.objects.filter(pk=alt_tokyo.pk).update(is_active=True)
    assert browser.get("/").status_code == 302


def test_changing_the_password_signs_out_the_other_browsers(alt_tokyo):
    mine, stolen = client_as(alt_tokyo), client_as(alt_tokyo)
    assert stolen.get("/").status_code == 200
    response = mine.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Kyoto-autumn-2026", "password2": "Kyoto-autumn-2026"},
    )
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert stolen.get("/").status_code == 302
    assert UserSession.objects.filter(user_id=str(alt_tokyo.pk)).count() >= 1


def test_a_port_in_the_host_header_does_not_reset_the_address_limit(client, alt_tokyo):
    """Before the fix allauth keyed the limit by Host header too: each made-up port gave five more tries."""
    for port in range(1, 6):
        client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "wrong"}, HTTP_HOST=f"testserver:{port}")
    response = client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": PASSWORD}, HTTP_HOST="testserver:6")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
