import logging

import pytest
from django.test import RequestFactory

from core.logging import PrivateExceptionReporterFilter, ScrubPersonalData, scrub


def test_failed_login_is_logged_with_user_id_and_ip_but_not_the_email(client, alt_tokyo, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        client.post("/accounts/login/", {"login": "alt.tokyo@example.com", "password": "wrong"})
    records = [r for r in caplog.records if r.name == "portal.security"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert f"user={alt_tokyo.pk}" in message
    assert "ip=127.0.0.1" in message
    assert "alt.tokyo@example.com" not in message
    assert records[0].created  # the time is on every record


def test_logins_refused_by_the_rate_limit_are_logged_too(client, alt_tokyo, caplog):
    """After five failures allauth refuses before checking the password (no user_login_failed): still logged."""
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        for _ in range(7):
            client.post("/accounts/login/", {"login": "alt.tokyo@example.com", "password": "wrong"})
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert len(messages) == 7, messages
    refused = [m for m in messages if m.startswith("login refused (too many attempts)")]
    assert len(refused) == 2 and all(f"user={alt_tokyo.pk} ip=127.0.0.1" in m for m in refused)


def test_behind_the_proxy_the_logged_address_is_the_one_the_proxy_added(client, alt_tokyo, caplog, settings):
    """The client writes what it likes at the left of X-Forwarded-For; the proxy appends the real address."""
    settings.USE_X_FORWARDED_FOR, settings.ALLAUTH_TRUSTED_PROXY_COUNT = True, 1
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        client.post(
            "/accounts/login/",
            {"login": "alt.tokyo@example.com", "password": "wrong"},
            headers={"x-forwarded-for": "6.6.6.6, 198.51.100.7"},
        )
    (message,) = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert "ip=198.51.100.7" in message and "6.6.6.6" not in message


def test_refused_access_is_logged(client_for, alt_tokyo, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        client_for(alt_tokyo).get("/admin/contacts/user/", follow=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert any("refused access status=404" in m and f"user={alt_tokyo.pk}" in m for m in messages)


def test_a_guessed_calendar_link_is_logged_even_without_logging_in(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert client.get("/training/calendar/not-a-real-token.ics").status_code == 404
        client.get("/no-such-page/")  # a stale link: not worth a line
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert len(messages) == 1, messages
    assert "status=404 user=anonymous ip=127.0.0.1" in messages[0] and "/training/calendar/" in messages[0]


def test_phone_numbers_and_emails_are_scrubbed_from_any_log_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s or mail %s", ("090-1234-5678", "a@b.jp"), None)
    ScrubPersonalData().filter(record)
    assert record.getMessage() == "call [phone] or mail [email]"


PHONES = [
    "090-1234-5678",
    "080 9999 0000",
    "09012345678",
    "03-1234-5678",
    "06-6123-4567",
    "0120-000-110",
    "(03) 1234-5678",
    "03(1234)5678",
    "+81 90 1234 5678",
    "+81-3-1234-5678",
    "+81 (0)90 1234 5678",
    "+819012345678",
    "\uff10\uff19\uff10\uff0d\uff11\uff12\uff13\uff14\uff0d\uff15\uff16\uff17\uff18",  # typed full-width
    "+1 555 123 4567",
    "(555) 123-4567",
    "+44 20 7946 0958",
]
NOT_PHONES = [
    "123e4567-e89b-12d3-a456-426614174000",
    "01234567-0123-4567-8901-012345678901",  # a UUID of digits only
    "2026-11-28 19:57:52",
    "2026-11-28T19:57:52.123456+09:00",
    "req-3f2a9c01 request_id=0a1b2c3d4e5f",
    "celery task 4bf92f35-77b3-4da6-a3ce-929d0e0e4736 took 1234.5678 ms",
    "at 1764327472 pk=1234567890",
    "user=12 ip=203.0.113.9 status=404 size=10485760",
]


@pytest.mark.parametrize("phone", PHONES)
def test_every_way_of_writing_a_phone_number_is_scrubbed(phone):
    assert scrub(f"call me on {phone} after 18:00.") == "call me on [phone] after 18:00."
    assert scrub(f"tel:{phone}") == "tel:[phone]"


@pytest.mark.parametrize("text", NOT_PHONES)
def test_ids_dates_and_times_are_left_as_they_are(text):
    assert scrub(text) == text


def test_error_reports_do_not_carry_form_data_or_local_variables():
    request = RequestFactory().post("/support/new/", {"details": "I feel very depressed", "subject": "help"})
    reporter_filter = PrivateExceptionReporterFilter()
    assert set(reporter_filter.get_post_parameters(request).values()) == {reporter_filter.cleansed_substitute}

    def frame_with_secret():
        details = "my diagnosis"  # noqa: F841
        import sys

        return sys._getframe()

    variables = dict(reporter_filter.get_traceback_frame_variables(request, frame_with_secret()))
    assert "my diagnosis" not in str(variables)
