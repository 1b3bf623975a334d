"""The error pages an ALT may meet: in their language, with a way home, never Django's one-line English ones.

A database that cannot be reached answers 503 and asks to try again in a
minute; the pages themselves make no query, so they show during the outage.
"""

import pytest
from django.test import Client
from django.urls import reverse

from interac_portal import errors
from testing.contacts import make_alt
from testing.support import SupportRequestFactory

HOME_LINK = '<a class="btn btn-primary" href="/">'


def test_someone_elses_request_is_a_page_not_found_with_a_way_home(client_for, alt_tokyo, alt_osaka):
    theirs = SupportRequestFactory(alt=alt_osaka)
    response = client_for(alt_tokyo).get(f"/support/{theirs.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and HOME_LINK in page
    assert theirs.subject not in page
    assert "0120-" in page  # the counselling line in the footer, as on every page


def test_the_error_pages_speak_the_alts_language(client_for, tokyo):
    alt = make_alt(branch=tokyo, email="ja@example.com")
    alt.preferred_language = "ja"
    alt.save()
    response = client_for(alt).get("/support/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="ja">' in page and "ページが見つかりません" in page and "ホームページへ" in page


def test_an_unknown_address_is_a_page_not_found_for_anyone(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_a_bad_host_is_a_bad_request_page(client, db):
    response = client.get("/", headers={"host": "portal.evil.example"})
    assert response.status_code == 400 and "could not read this request" in response.content.decode()


def test_a_form_sent_after_its_token_changed_says_the_page_expired(alt_tokyo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alt_tokyo)
    response = client.post("/support/new/", {"subject": "Bank", "details": "Help please"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page has expired" in page and "send it again" in page
    assert "CSRF" not in page


def _failing_page(alt, path: str):
    """`path` of the test URLs (a view that raises), as the logged-in `alt` gets it."""
    client = Client(raise_request_exception=False)
    client.force_login(alt)
    response = client.get(path)
    return response, response.content.decode()


@pytest.mark.urls("interac_portal.tests.security.error_urls")
def test_a_failure_is_a_friendly_500_without_details(alt_tokyo):
    response, page = _failing_page(alt_tokyo, "/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in page and "phone your branch" in page and HOME_LINK in page
    assert "RuntimeError" not in page and "Traceback" not in page


@pytest.mark.urls("interac_portal.tests.security.error_urls")
def test_an_unreachable_database_answers_503_try_again_in_a_minute(alt_tokyo):
    response, page = _failing_page(alt_tokyo, "/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER)
    assert "briefly unavailable" in page and "check whether it arrived" in page
    assert "5432" not in page and "OperationalError" not in page


@pytest.mark.parametrize("handler", [errors.bad_request, errors.permission_denied, errors.page_not_found])
def test_the_error_pages_make_no_query(rf, handler, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert handler(rf.get("/"), Exception()).status_code in (400, 403, 404)


def test_the_server_error_pages_make_no_query(rf, django_assert_num_queries, db):
    from django.db import OperationalError

    with django_assert_num_queries(0):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            assert errors.server_error(rf.get("/")).status_code == 503
        assert errors.server_error(rf.get("/")).status_code == 500


def test_too_many_password_emails_is_a_friendly_429(client, alt_tokyo, django_capture_on_commit_callbacks):
    """allauth's limit (5 a minute per address) answers through the project's page, not its bare English one."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(reverse("account_reset_password"), {"email": alt_tokyo.email}).status_code == 302
        response = client.post(reverse("account_reset_password"), {"email": alt_tokyo.email})
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Too many tries" in page and "the link in the latest email works" in page and HOME_LINK in page
