"""No request text, phone number or health detail in the logs, the admin log or the error emails.

Logs are captured at the portal's own handler, formatted after its scrub filter
(what lands in the log file), and as raw messages before any filter runs (what
the code itself logs), while an ALT sends a well-being request with a phone
number in it, while staff reply, and while an error occurs, on PostgreSQL an
error whose message carries the failing row. Each test also checks that the
lines that could leak were really written, so that a silent log proves nothing.
"""

import io
import logging
import runpy
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.logging import ScrubPersonalData
from interac_portal.gunicorn_logging import PrivacyLogger
from support.models import Category, SupportRequest
from testing.forms import change_form_data
from testing.support import upload

from .conftest import client_as

SUBJECT = "Cannot sleep at night"
DETAILS = "I feel hopeless since the diagnosis. Please call me on 090-1234-5678 after 18:00."
REPLY = "Your MC will call you on 080-9999-0000; keep taking the antidepressant as prescribed."
NOTE = "Internal: panic attacks, doctor in Shinjuku, mobile +81 90 8765 4321."
FILE_NAME = "psychiatrist-letter.pdf"
SECRETS = [
    SUBJECT,
    "hopeless",
    "diagnosis",
    "090-1234-5678",
    "antidepressant",
    "080-9999-0000",
    "panic attacks",
    "8765 4321",
    "psychiatrist",
]


def _portal_handler() -> logging.Handler:
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, ScrubPersonalData) for f in h.filters)]
    assert handlers, "the portal's console handler (with the scrub filter) is configured"
    return handlers[0]


class _RawMessages(logging.Handler):
    """The messages as logged, before the portal's filter scrubs the record (it runs first on the root)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def logs(caplog):
    """(what the portal's handler wrote, raw messages) for everything logged at INFO and above."""
    handler = _portal_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    raw = _RawMessages()
    root = logging.getLogger()
    root.handlers.insert(0, raw)
    caplog.set_level(logging.INFO)
    try:
        yield stream, raw
    finally:
        root.removeHandler(raw)
        handler.setStream(previous)


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def _check_logs(logs, *expected: str):
    """Nothing leaked, and the `expected` lines (those that could leak) were really written."""
    stream, raw = logs
    written = stream.getvalue()
    missing = [line for line in expected if line not in written]
    assert not missing, f"not logged: {missing}; the test would prove nothing\n{written[-3000:]}"
    assert not _leaks(written), written[-3000:]
    raw_text = "\n".join(raw.messages)
    assert not _leaks(raw_text), raw_text[-3000:]


def _send_wellbeing_request(client, **overrides):
    data = {
        "category": Category.WELLBEING,
        "subject": SUBJECT,
        "details": DETAILS,
        "urgency": "HIGH",
        "submit_token": str(uuid.uuid4()),
        "attachment": upload(FILE_NAME),
        **overrides,
    }
    return client.post(reverse("support:new"), data)


@pytest.fixture(autouse=True)
def admins(settings):
    settings.ADMINS = [("Portal admins", "admins@example.com")]


def test_a_wellbeing_request_and_its_replies_leave_no_trace_in_logs(
    logs, alt_tokyo, mc_tokyo, grm, broker_down, django_capture_on_commit_callbacks
):
    alt = client_as(alt_tokyo)
    # Sent while the broker is down: the warning about the queued email is logged.
    with django_capture_on_commit_callbacks(execute=True):
        response = _send_wellbeing_request(alt)
    assert response.status_code == 302
    support_request = SupportRequest.objects.get(alt=alt_tokyo)
    # Failed logins: the phone number typed into the email field, then as the password.
    Client().post(reverse("account_login"), {"login": "090-1234-5678", "password": "wrong"})
    Client().post(reverse("account_login"), {"login": alt_tokyo.email, "password": "090-1234-5678"})

    mc = client_as(mc_tokyo)
    url = reverse("admin:support_supportrequest_change", args=[support_request.pk])
    for visibility, text in (("reply", REPLY), ("internal", NOTE)):
        data = change_form_data(mc, url)
        data.update({"reply": text, "reply_visibility": visibility, "subject": f"{SUBJECT} (call back)", "_save": "1"})
        with django_capture_on_commit_callbacks(execute=True):
            assert mc.post(url, data).status_code == 302
    # A refused page (the admin is a 404 for an ALT) is logged for audit, with ids only.
    client_as(alt_tokyo).get(url, follow=True)
    # GRM corrects the ALT's phone number in the user admin.
    user_url = reverse("admin:contacts_user_change", args=[alt_tokyo.pk])
    data = change_form_data(client_as(grm), user_url, form_id="user_form")
    data.update({"phone": "090-1234-5678", "_save": "1"})
    assert client_as(grm).post(user_url, data).status_code == 302

    _check_logs(logs, "broker unavailable", f"login failed user={alt_tokyo.pk}", "refused access status=404")
    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert len(entries) >= 3
    assert not _leaks(repr(entries)), entries
    assert mail.outbox == []  # no error report was needed


def test_an_error_while_sending_a_request_leaks_nothing(logs, alt_tokyo, monkeypatch, mailoutbox):
    """The due time breaks: the insert fails, and PostgreSQL's message carries the failing row."""
    import support.services

    monkeypatch.setattr(support.services.alt, "support_request_due_at", lambda **kwargs: None)
    client = client_as(alt_tokyo, raise_request_exception=False)
    response = client.post(reverse("support:new") + "?note=090-1234-5678", _wellbeing_form())
    assert response.status_code == 500
    page = response.content.decode()
    assert "Traceback" not in page and not _leaks(page)
    assert not SupportRequest.objects.exists()

    # The traceback is written, PostgreSQL's DETAIL line (the failing row: subject, details) scrubbed.
    # SQLite's message names only the column: there is no DETAIL line to look for.
    detail = ("DETAIL:",) if connection.vendor == "postgresql" else ()
    _check_logs(logs, "Internal Server Error: /support/new/", "IntegrityError", *detail)
    reports = [m for m in mailoutbox if m.to == ["admins@example.com"]]
    assert len(reports) == 1
    report = reports[0].message().as_string()
    assert "IntegrityError" in report  # the report is useful...
    assert not _leaks(report), report[-4000:]  # ...and private
    assert client.cookies["sessionid"].value not in report


def _wellbeing_form():
    return {
        "category": Category.WELLBEING,
        "subject": SUBJECT,
        "details": DETAILS,
        "urgency": "HIGH",
        "submit_token": str(uuid.uuid4()),
    }


@pytest.mark.urls("interac_portal.tests.security.error_urls")
def test_error_reports_carry_no_form_data_query_cookies_or_local_variables(logs, alt_tokyo, mailoutbox):
    client = client_as(alt_tokyo, raise_request_exception=False)
    session_cookie = client.cookies["sessionid"].value
    response = client.post(
        "/boom/?q=Cannot+sleep+at+night&phone=090-1234-5678",
        {"details": DETAILS, "subject": SUBJECT},
        headers={"referer": "http://testserver/admin/support/supportrequest/?q=hopeless"},
    )
    assert response.status_code == 500
    _check_logs(logs, "Internal Server Error: /boom/", "RuntimeError")
    (report,) = [m for m in mailoutbox if m.to == ["admins@example.com"]]
    text = report.message().as_string()
    assert "RuntimeError" in text and "error_urls.py" in text
    assert not _leaks(text), text[-4000:]
    assert session_cookie not in text


def test_the_access_log_has_no_query_string_token_or_key():
    """gunicorn's access log (the production format): paths only, secrets in paths masked."""
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", config["access_log_format"])
    logger = PrivacyLogger(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("COOKIE", "sessionid=s3cr3t"), ("REFERER", "http://x/?q=hopeless")])
    token = "Zk3v9yT1xQw8Lr2MbN5cH7dP0aS4eU6gJiK1oV3tY"
    for path, query in [
        (f"/training/calendar/{token}.ics", ""),
        (f"/training/sessions/12/check-in/{token}/", ""),
        (f"/accounts/password/reset/key/4-{token}/", ""),
        ("/admin/support/supportrequest/", "q=Cannot+sleep+at+night"),
        ("/contacts/wellbeing/", ""),
    ]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "RAW_URI": f"{path}?{query}" if query else path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_REFERER": "http://x/?q=hopeless",
        }
        logger.access(response, request, environ, timedelta(milliseconds=12))
    written = stream.getvalue()
    print("=====WRITTEN\n" + written)
    assert "/training/calendar/" in written and "/accounts/password/reset/key/" in written
    assert "/training/sessions/12/check-in/[token]/" in written
    assert token not in written
    assert "Cannot" not in written and "hopeless" not in written and "s3cr3t" not in written
    assert "/contacts/wellbeing/" not in written  # who reads the counselling page is nobody's business
