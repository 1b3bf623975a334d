"""A worker killed in the middle of sending: after a restart each email is sent once and marked sent.

A fake SMTP server (a thread in the test) accepts the worker's connection and
stalls before answering DATA; the worker is killed with SIGKILL right there.
A new worker starts; once the claim has gone stale the scheduler's sweep
(published as beat would) sends the email: once, and the row says SENT.
The claim is made stale by moving its timestamp back, not by waiting for it.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F

from contacts import outbox
from contacts.models import Notification
from contacts.tasks import deliver_notification, deliver_pending_notifications
from testing.processes import start_worker, wait_for, wait_for_task

from .smtp import FakeSMTPServer

pytestmark = [pytest.mark.services]

# Long enough that the claim is still fresh when the first sweep runs, however slow the machine.
CLAIM_TIMEOUT = 600


@pytest.fixture
def smtp():
    server = FakeSMTPServer()
    yield server
    server.close()


def _notify(recipient, key):
    return outbox.notify(
        kind="test.killed",
        key=key,
        template="contacts/email/invitation",
        context={"user": recipient, "url": "https://portal.example/set-password"},
        recipient=recipient,
    )


def _status(pk):
    return Notification.objects.get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_an_email_interrupted_by_a_killed_worker_is_sent_once_after_restart(
    postgres, tmp_path, broker_at, smtp, alt_tokyo
):
    env = {
        "CELERY_BROKER_URL": broker_at.url,
        "EMAIL_URL": smtp.url,
        "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": CLAIM_TIMEOUT,
    }
    smtp.stall.set()
    first = start_worker(tmp_path, name="worker-a", **env)
    try:
        notification = _notify(alt_tokyo, "killed-mid-send")  # queued on commit (autocommit: now)
        assert smtp.stalled.wait(30), first.output()[-3000:]
        row = _status(notification.pk)
        assert row.status == Notification.Status.SENDING and row.attempts == 1
        first.kill()  # SIGKILL, in the middle of the SMTP conversation
        first.popen.wait(timeout=10)
    finally:
        first.stop()
    smtp.stall.clear()
    assert smtp.messages == []

    second = start_worker(tmp_path, name="worker-b", **env)
    try:
        # Too early: the claim is fresh, the sweep leaves the row alone.
        sweep = deliver_pending_notifications.delay()
        assert wait_for_task(second, sweep) == "0"  # the sweep ran and sent nothing
        assert _status(notification.pk).status == Notification.Status.SENDING
        # The claim goes stale (as if CLAIM_TIMEOUT had passed); the scheduler's next sweep sends it.
        Notification.objects.filter(pk=notification.pk).update(
            claimed_at=F("claimed_at") - timedelta(seconds=CLAIM_TIMEOUT + 1)
        )
        deliver_pending_notifications.delay()
        assert wait_for(lambda: _status(notification.pk).status == Notification.Status.SENT, timeout=30), (
            second.output()[-3000:]
        )
        # The original task redelivered, another sweep: nothing more is sent.
        deliver_notification.delay(notification.pk)
        deliver_pending_notifications.delay()
        marker = _notify(alt_tokyo, "after-the-crash")
        assert wait_for(lambda: _status(marker.pk).status == Notification.Status.SENT, timeout=30)
    finally:
        second.stop()
    sent = [m for m in smtp.messages if outbox.notification_message_id(notification).encode() in m]
    assert len(sent) == 1
    assert len(smtp.messages) == 2
    row = _status(notification.pk)
    assert row.sent_at is not None and row.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_stalled_smtp_server_does_not_hold_the_worker(postgres, smtp, settings, alt_tokyo):
    """Before EMAIL_TIMEOUT the send waited forever and the worker was lost until restarted."""
    # The production default gives up well before another worker would take the row over...
    assert settings.EMAIL_TIMEOUT and settings.NOTIFICATION_CLAIM_TIMEOUT.total_seconds() > settings.EMAIL_TIMEOUT * 5
    # ...here, shortened to one second.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    smtp.stall.set()
    notification = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="test", key="stalled", subject="s", body="b"
    )
    outcome = []

    def send():
        try:
            outcome.append(outbox.notification_deliver(notification_id=notification.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=send, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(timeout=15)
    assert not thread.is_alive(), "the send is still waiting on the SMTP server"
    assert outcome == [False]
    assert time.monotonic() - started < 10
    row = _status(notification.pk)
    assert row.status == Notification.Status.PENDING  # retried later, with backoff
    assert row.attempts == 1 and row.last_error
