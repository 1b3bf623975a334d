import logging

from django.test import RequestFactory

from contacts.logging import PrivateExceptionReporterFilter, ScrubPersonalData


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


def test_refused_access_is_logged(client_for, alt_tokyo, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        client_for(alt_tokyo).get("/admin/contacts/user/", follow=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert any("refused access status=404" in m and f"user={alt_tokyo.pk}" in m for m in messages)


def test_phone_numbers_and_emails_are_scrubbed_from_any_log_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s or mail %s", ("090-1234-5678", "a@b.jp"), None)
    ScrubPersonalData().filter(record)
    assert record.getMessage() == "call [phone] or mail [email]"


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
