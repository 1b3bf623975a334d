"""What people type reaches emails as text only: a line break in a subject or a title never starts a new
header line, links come from SITE_URL whatever Host the request named, and the password reset form does
the same work whether or not an account has the address."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services as contacts_services
from contacts.models import Notification
from contacts.outbox import notification_deliver
from core.text import one_line
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.services import training_session_save

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\t"]


@pytest.mark.parametrize("brk", BREAKS, ids=repr)
def test_one_line_leaves_no_line_break_of_any_kind(brk):
    assert one_line(f"Leak{brk}Bcc: evil@example.com") == "Leak Bcc: evil@example.com"


def test_a_subject_typed_with_line_breaks_is_one_line_in_the_email(
    client_for, alt_tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    subject = "Water leak" + "".join(BREAKS) + "Bcc: evil@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alt_tokyo).post(
            reverse("support:new"),
            {"category": "HOUSING", "subject": subject, "details": "Water.", "urgency": "HIGH",
             "submit_token": "6f0b1a1e-0000-4000-8000-000000000001"},
        )  # fmt: skip
    assert response.status_code == 302
    assert mailoutbox
    for message in mailoutbox:
        assert not set(message.subject) & set("".join(BREAKS))
        assert "Bcc" not in message.message().as_string().split("\n\n", 1)[0].replace(message.subject, "")
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()


def test_a_session_title_with_line_breaks_reaches_subjects_on_one_line(
    tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    session = TrainingSessionFactory(branch=tokyo, title="Phonics\r\nBcc: evil@example.com")
    RegistrationFactory(session=session, alt=alt_tokyo)
    session.place = "Room 2"
    with django_capture_on_commit_callbacks(execute=True):
        training_session_save(session=session)
    (message,) = mailoutbox
    assert message.subject == "New place: Phonics Bcc: evil@example.com"


def test_an_outbox_row_written_with_a_line_break_is_still_sent_on_one_line(alt_tokyo, mailoutbox):
    row = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="test", key="test:1", subject="A\nBcc: x@y", body="."
    )
    assert notification_deliver(notification_id=row.pk)
    assert mailoutbox[0].subject == "A Bcc: x@y"


def test_a_reset_link_comes_from_site_url_whatever_host_the_request_named(
    client, alt_tokyo, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        # Any port passes ALLOWED_HOSTS: the Host header is the sender's to choose.
        client.post(reverse("account_reset_password"), {"email": alt_tokyo.email}, HTTP_HOST="127.0.0.1:6666")
    (message,) = mailoutbox
    links = re.findall(r"https?://[^\s/]+", message.body)
    assert links and set(links) == {"https://portal.example.com"}


def test_every_email_link_comes_from_site_url(settings, alt_tokyo, mc_tokyo, mailoutbox):
    """Each kind of email the outbox holds after a busy moment: no absolute link to anywhere else."""
    settings.SITE_URL = "https://portal.example.com"
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    contacts_services.user_invite(user=alt_tokyo)
    contacts_services.password_reset_send(email=alt_tokyo.email)
    from support.services import message_post_by_alt

    message_post_by_alt(support_request=support_request, author=alt_tokyo, body="Thanks")
    bodies = list(Notification.objects.values_list("body", flat=True))
    assert len(bodies) >= 3
    for body in bodies:
        for host in re.findall(r"https?://[^\s/]+", body):
            assert host == "https://portal.example.com", body


def _reset_request_work(client, email, monkeypatch, capture_on_commit) -> tuple[list[str], list[str]]:
    """The statements (their shape, without values) and the tasks queued while the reset form is posted."""
    queued = []
    monkeypatch.setattr(contacts_services, "task_publish", lambda name, *args: queued.append(name) or True)
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302
    # Values, and the names PostgreSQL cursors are given (numbered), left out.
    shapes = [re.sub(r"'[^']*'|\b\d+\b|_django_curs_\w+", "?", q["sql"]) for q in queries.captured_queries]
    return shapes, queued


def test_a_reset_does_the_same_work_whether_or_not_the_account_exists(
    client, alt_tokyo, monkeypatch, django_capture_on_commit_callbacks
):
    known = _reset_request_work(client, alt_tokyo.email, monkeypatch, django_capture_on_commit_callbacks)
    unknown = _reset_request_work(client, "nobody@example.com", monkeypatch, django_capture_on_commit_callbacks)
    assert known == unknown
    assert known[1] == ["contacts.tasks.send_password_reset"]
    assert not Notification.objects.exists()  # the worker looks the address up and writes the email


def test_the_worker_sends_a_reset_only_to_an_existing_account(
    alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert contacts_services.password_reset_send(email="nobody@example.com") == 0
        assert contacts_services.password_reset_send(email="ALT.Tokyo@example.com") == 1
    assert [m.to for m in mailoutbox] == [[alt_tokyo.email]]
