import email
import email.policy
import email.utils
import os
import subprocess
import sys
from datetime import timedelta
from email.headerregistry import HeaderRegistry

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from contacts import outbox
from contacts.models import Notification
from contacts.tasks import deliver_pending_notifications
from testing.contacts import NotificationFactory


def _notify(user, key="test:1"):
    return outbox.notify(
        kind="account.invitation",
        key=key,
        template="contacts/email/invitation",
        context={"user": user, "url": "http://127.0.0.1:8000/x"},
        recipient=user,
    )


def test_email_is_written_then_sent_after_commit(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = _notify(alt_tokyo)
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.PENDING
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alt.tokyo@example.com"]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None


def test_rolled_back_transaction_sends_nothing(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _notify(alt_tokyo)
                raise RuntimeError("the caller failed")
        except RuntimeError:
            pass
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_same_key_twice_sends_one_email(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alt_tokyo)
    deliver_pending_notifications()
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


def test_email_is_in_the_recipients_language(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alt_tokyo)
    assert "パスワード" in mailoutbox[0].subject


def test_two_workers_delivering_the_same_row_send_it_once(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification = _notify(alt_tokyo)
    assert outbox.notification_deliver(notification_id=notification.pk) is True
    assert outbox.notification_deliver(notification_id=notification.pk) is False
    assert outbox.notifications_deliver_pending() == 0
    assert len(mailoutbox) == 1


def test_broker_down_leaves_the_row_for_the_sweep(
    alt_tokyo, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(alt_tokyo)
    broker_down.back()  # the sweep runs
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert mailoutbox == []
    assert deliver_pending_notifications() == 1
    assert deliver_pending_notifications() == 0
    assert len(mailoutbox) == 1


def test_the_first_email_after_the_broker_is_back_brings_the_waiting_ones(
    alt_tokyo, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    """They waited for the scheduler's next sweep."""
    with django_capture_on_commit_callbacks(execute=True):
        waiting = _notify(alt_tokyo, key="during-the-outage")
    assert Notification.objects.get(pk=waiting.pk).status == Notification.Status.PENDING
    broker_down.back()  # the broker is back...
    outbox.broker_breaker.open_until = 0.0  # ...after the pause that follows a failed publish
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alt_tokyo, key="after-the-outage")
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    assert len(mailoutbox) == 2
    assert outbox.broker_breaker.missed is False


def test_a_row_stuck_with_a_dead_worker_is_sent_again_later(alt_tokyo, mailoutbox, settings):
    notification = Notification.objects.create(
        recipient=alt_tokyo,
        to_email=alt_tokyo.email,
        kind="test",
        key="stuck",
        subject="s",
        body="b",
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=1),
    )
    assert deliver_pending_notifications() == 0  # still within the claim timeout
    Notification.objects.filter(pk=notification.pk).update(
        claimed_at=timezone.now() - settings.NOTIFICATION_CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    assert deliver_pending_notifications() == 1
    assert len(mailoutbox) == 1


@pytest.fixture
def broken_smtp(settings):
    settings.EMAIL_BACKEND = "contacts.tests.broken_email.BrokenBackend"


def test_failures_back_off_then_give_up_as_failed(alt_tokyo, broken_smtp, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    notification = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="test", key="k", subject="s", body="b"
    )
    waits = []
    for _ in range(settings.NOTIFICATION_MAX_ATTEMPTS):
        assert outbox.notifications_deliver_pending() == 0
        notification.refresh_from_db()
        waits.append(notification.next_attempt_at - timezone.now())
        time_machine.move_to(notification.next_attempt_at, tick=False)
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == settings.NOTIFICATION_MAX_ATTEMPTS
    assert waits[1] > waits[0]  # exponential backoff
    assert outbox.notifications_deliver_pending() == 0  # FAILED is left for a person


def test_failed_email_can_be_queued_again(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    notification = Notification.objects.create(
        recipient=alt_tokyo,
        to_email=alt_tokyo.email,
        kind="test",
        key="k",
        subject="s",
        body="b",
        status=Notification.Status.FAILED,
        attempts=5,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.notification_retry(notification_ids=[notification.pk]) == 1
    assert len(mailoutbox) == 1


def test_a_failed_email_shows_in_the_admin_and_is_sent_again_from_there(
    client_for, superuser, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    failed = NotificationFactory(
        recipient=alt_tokyo, status=Notification.Status.FAILED, attempts=5, last_error="SMTP 421 try later"
    )
    NotificationFactory(recipient=alt_tokyo, status=Notification.Status.SENT, key="sent-one")
    admin = client_for(superuser)
    url = reverse("admin:contacts_notification_changelist")
    page = admin.get(url, {"status__exact": "FAILED"}).content.decode()
    assert "SMTP 421 try later" in page and "alt.tokyo@example.com" in page
    assert page.count('name="_selected_action"') == 1  # the failed one only
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"action": "retry", "_selected_action": [failed.pk]}, follow=True)
    assert "1 email queued again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]


def test_branch_staff_do_not_see_the_outbox(client_for, staff_tokyo):
    assert client_for(staff_tokyo).get(reverse("admin:contacts_notification_changelist")).status_code in (403, 404)


def test_the_message_id_parses_and_is_the_same_for_every_send_of_a_row(alt_tokyo, mailoutbox, settings):
    """A key has ":" in it, which RFC 5322 does not allow before "@": a parser read `<support.new`."""
    settings.MESSAGE_ID_DOMAIN = "portal.example.org"
    notification = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="support.new", key="support.new:2469:branch 7", subject="s",
        body="b",
    )  # fmt: skip
    assert outbox.notifications_deliver_pending() == 1
    raw = mailoutbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    header = parsed["Message-ID"]
    assert header.defects == ()
    assert str(header) == outbox.notification_message_id(notification)
    assert email.utils.parseaddr(str(header))[1] == str(header).strip("<>")
    assert str(header).endswith("@portal.example.org>")
    assert HeaderRegistry()("Message-ID", str(header)).defects == ()
    # Sent again (a worker died before marking it): the same id, so the copy can be dropped.
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PENDING)
    assert outbox.notifications_deliver_pending() == 1
    assert mailoutbox[1].extra_headers["Message-ID"] == str(header)
    # Another row, another id.
    other = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="support.new", key="support.new:2470:branch 7", subject="s",
        body="b",
    )  # fmt: skip
    assert outbox.notification_message_id(other) != str(header)


def test_a_row_with_a_reply_address_is_sent_with_that_reply_to(
    alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.notify(
            kind="account.invitation",
            key="test:reply-to",
            template="contacts/email/invitation",
            context={"user": alt_tokyo, "url": "http://127.0.0.1:8000/x"},
            recipient=alt_tokyo,
            reply_to="reply+abc@portal.example.org",
        )
        _notify(alt_tokyo, key="test:no-reply-to")
    with_reply_to, without = mailoutbox
    parsed = email.message_from_bytes(with_reply_to.message().as_bytes(), policy=email.policy.default)
    assert str(parsed["Reply-To"]) == "reply+abc@portal.example.org"
    assert parsed["Message-ID"] is not None and parsed["From"] is not None
    assert "Reply-To" not in without.message()


def test_the_message_id_domain_defaults_to_the_site_host():
    script = "import django; django.setup(); from django.conf import settings; print(settings.MESSAGE_ID_DOMAIN)"
    env = {**os.environ, "DJANGO_DEBUG": "true", "SITE_URL": "https://portal.example.jp:8443/"}
    env.pop("MESSAGE_ID_DOMAIN", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "portal.example.jp", result.stderr


def test_a_web_process_queues_tasks_by_name_without_importing_a_tasks_module():
    """Services queue a task by its Celery name; the tasks modules are imported by Celery on the first publish."""
    script = (
        "import sys, django; django.setup(); from contacts.outbox import SWEEP_TASK, task_publish; "
        "imported = 'contacts.tasks' in sys.modules; "
        "print(imported, task_publish(SWEEP_TASK), task_publish('safety.tasks.fan_out_safety_check', 1))"
    )
    env = {**os.environ, "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "false"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True", "True"], result.stderr


def test_an_unknown_task_name_is_an_error_not_a_broker_outage():
    with pytest.raises(KeyError):
        outbox.task_publish("contacts.tasks.no_such_task")
    assert outbox.broker_breaker.allows()


@pytest.mark.django_db(transaction=True)
def test_an_email_sent_as_the_database_drops_the_connection_is_marked_sent_once(postgres, alt_tokyo, settings):
    """PostgreSQL restarted between the SMTP server's answer and the UPDATE: the row stayed SENDING
    and the sweep sent it again. Now the UPDATE is made again on a new connection."""
    from django.core import mail

    settings.EMAIL_BACKEND = "contacts.tests.dropped_connection.DroppingBackend"
    mail.outbox = []
    notification = Notification.objects.create(
        recipient=alt_tokyo, to_email=alt_tokyo.email, kind="test", key="dropped", subject="s", body="b"
    )
    assert outbox.notification_deliver(notification_id=notification.pk) is True
    row = Notification.objects.get(pk=notification.pk)
    assert row.status == Notification.Status.SENT and row.sent_at is not None
    # The sweep, even once the claim would be stale, finds nothing more to send.
    Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now() - timedelta(days=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.notifications_deliver_pending() == 0
    assert len(mail.outbox) == 1
