"""The email outbox: every email is first a Notification row with a unique key, then sent by a task.

Services write rows here (`notify`, `notify_many`); the tasks of contacts.tasks send them
(`notification_deliver`, `notifications_deliver_pending`). This module queues those tasks by
their registered names, so that neither it nor contacts.services imports the tasks module.
"""

import hashlib
import logging
import time

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template.loader import get_template
from django.utils import timezone, translation

from core.text import one_line

from .models import Notification, User

logger = logging.getLogger(__name__)

# The Celery names of the tasks this module queues (contacts.tasks registers them under these names).
DELIVER_TASK = "contacts.tasks.deliver_notification"
SWEEP_TASK = "contacts.tasks.deliver_pending_notifications"


def _email_templates(template: str) -> tuple:
    return (
        get_template(f"{template}_subject.txt", using="text"),
        get_template(f"{template}_body.txt", using="text"),
    )


def _render(templates: tuple, context: dict) -> tuple[str, str]:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject_template, body_template = templates
    subject = one_line(subject_template.render(context))[:255]
    return subject, body_template.render(context).strip() + "\n"


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language`.

    Plain text only, rendered without HTML escaping (the "text" engine): what
    an ALT or staff member typed is shown as typed and never as markup.
    """
    with translation.override(language):
        return _render(_email_templates(template), context)


class BrokerBreaker:
    """After a failed publish, leave emails to the sweep for a while instead of trying the broker again.

    A broker that hangs rather than refuses (a network partition, a frozen
    Redis) costs each publish the whole socket timeout: a request that queues
    several emails, or an admin action over many rows, would wait for each.
    """

    pause = 10.0

    def __init__(self):
        self.open_until = 0.0
        self.missed = False  # emails were left to the sweep since the last publish that went through

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.pause
        self.missed = True

    def reset(self) -> None:
        self.open_until = 0.0
        self.missed = False


broker_breaker = BrokerBreaker()


def _registered_task(name: str):
    """The Celery task registered as `name`. A web process has not imported the apps' tasks modules yet
    on its first publish: Celery's autodiscovery (settings' app.autodiscover_tasks) imports them then."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]


def task_publish(name: str, *args) -> bool:
    """Queue the Celery task registered as `name` unless the broker failed a moment ago.

    False: a periodic sweep must do the work. By name, so that a service never imports a
    tasks module (the tasks call the services); the task runs as `.delay` would run it
    (eagerly when CELERY_TASK_ALWAYS_EAGER is set).
    """
    if not broker_breaker.allows():
        return False
    task = _registered_task(name)  # an unknown name is a bug, not the broker: it raises
    try:
        task.delay(*args)
    except Exception:  # the broker is down: the periodic sweep delivers it later
        broker_breaker.trip()
        return False
    if broker_breaker.missed:
        # The broker is back: what was left for the sweep goes now, not at its next round.
        broker_breaker.missed = False
        _enqueue_sweep()
    return True


def enqueue_delivery(notification_id: int) -> None:
    """Queue the sending of one outbox row (after its commit)."""
    if not task_publish(DELIVER_TASK, notification_id):
        logger.warning("broker unavailable; notification %s left for the sweep", notification_id)


def _enqueue_sweep() -> None:
    if not task_publish(SWEEP_TASK):
        logger.warning("broker unavailable; pending notifications left for the sweep")


def notify(
    *,
    kind: str,
    key: str,
    template: str,
    context: dict,
    recipient: User | None = None,
    to_email: str | None = None,
    reply_to: str = "",
) -> Notification:
    """Write one email to the outbox in the caller's transaction; send it after commit.

    `key` is unique: calling again with the same key writes nothing and sends
    nothing, which is what makes every task safe to run twice. The email is
    rendered in the recipient's preferred language. `reply_to` becomes the
    Reply-To header.
    """
    if recipient is None and not to_email:
        raise ValueError("notify() needs a recipient or an address")
    language = recipient.preferred_language if recipient else settings.LANGUAGE_CODE
    subject, body = render_email(template=template, context={"recipient": recipient, **context}, language=language)
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "to_email": to_email or recipient.email,
            "language": language,
            "kind": kind,
            "subject": subject,
            "body": body,
            "reply_to": reply_to,
        },
    )
    if created:
        transaction.on_commit(lambda: enqueue_delivery(notification.pk))
    return notification


def notify_many(*, items: list[dict]) -> int:
    """Write many emails at once (reminder fan-out): one insert, one queued sweep.

    Each item has the arguments of `notify`. Rows whose key already exists are
    skipped by the database (ON CONFLICT DO NOTHING). Returns rows attempted.
    Items are rendered a language at a time, each template looked up once.
    """
    by_language: dict[str, list[dict]] = {}
    for item in items:
        recipient = item.get("recipient")
        language = recipient.preferred_language if recipient else settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(item)
    rows, templates = [], {}
    for language, group in by_language.items():
        with translation.override(language):
            for item in group:
                recipient = item.get("recipient")
                if item["template"] not in templates:
                    templates[item["template"]] = _email_templates(item["template"])
                subject, body = _render(templates[item["template"]], {"recipient": recipient, **item["context"]})
                rows.append(
                    Notification(
                        recipient=recipient,
                        to_email=item.get("to_email") or recipient.email,
                        language=language,
                        kind=item["kind"],
                        key=item["key"],
                        subject=subject,
                        body=body,
                        reply_to=item.get("reply_to", ""),
                    )
                )
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        transaction.on_commit(_enqueue_sweep)
    return len(rows)


def notification_message_id(notification: Notification) -> str:
    """The email's Message-ID: the same for every send of one row, so mail systems can drop a resent copy.

    RFC 5322 allows only letters, digits and a few signs left of "@" (no ":" or spaces, which keys
    have): the row's id and a digest of its key, so that two databases' row 7 are told apart.
    """
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:16]
    return f"<notification.{notification.pk}.{digest}@{settings.MESSAGE_ID_DOMAIN}>"


def _update_outbox_row(notification_id: int, **fields) -> int:
    """UPDATE one outbox row, again on a fresh connection when the database dropped the first.

    Used after the SMTP server has answered: that answer is final, and a row left SENDING because
    PostgreSQL restarted at that moment would be sent again by the sweep (the email twice).
    """
    waits = settings.NOTIFICATION_MARK_RETRY_WAITS
    for wait in (*waits, None):
        try:
            return Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(**fields)
        except (OperationalError, InterfaceError):
            if wait is None or db_connection.in_atomic_block:
                raise
            logger.warning("notification %s: database connection lost, marking it again in %ss", notification_id, wait)
            db_connection.close()  # the next query opens a new connection
            time.sleep(wait)
    raise AssertionError("unreachable")


def notification_deliver(*, notification_id: int, connection=None) -> bool:
    """Send one outbox row if this worker wins the claim. Returns True when sent.

    The claim is a conditional UPDATE: of two workers, only the one that changed
    the row goes on. A row stuck in SENDING (its worker died) is claimed again
    after NOTIFICATION_CLAIM_TIMEOUT. The row is read before the claim, so that
    nothing but the send stands between the claim and marking the row.
    """
    now = timezone.now()
    stale = now - settings.NOTIFICATION_CLAIM_TIMEOUT
    due = Notification.objects.filter(pk=notification_id, next_attempt_at__lte=now).filter(
        Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=stale)
    )
    notification = due.first()
    if notification is None:
        return False
    claimed = due.update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    message = EmailMessage(
        # One line whatever wrote the row: a line break in a header would fail the send (or add a header).
        subject=one_line(notification.subject),
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={
            "Message-ID": notification_message_id(notification),
            "Auto-Submitted": "auto-generated",
            "Content-Language": notification.language,
        },
        connection=connection,
    )
    try:
        message.send()
    except Exception as exc:
        attempts = notification.attempts + 1
        failed = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        backoff = settings.NOTIFICATION_RETRY_BASE * (2 ** (attempts - 1))
        _update_outbox_row(
            notification_id,
            status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
            next_attempt_at=timezone.now() + backoff,
            last_error=f"{type(exc).__name__}"[:255],
        )
        logger.warning("notification %s not sent (attempt %s): %s", notification_id, attempts, type(exc).__name__)
        return False
    _update_outbox_row(notification_id, status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def notifications_deliver_pending(*, limit: int = 2000) -> int:
    """Send every outbox row that is due (broker was down, worker died). Returns the count sent."""
    now = timezone.now()
    stale = now - settings.NOTIFICATION_CLAIM_TIMEOUT
    due = list(
        Notification.objects.filter(next_attempt_at__lte=now)
        .filter(Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=stale))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    sent = 0
    connection = get_connection()
    try:
        for pk in due:
            sent += notification_deliver(notification_id=pk, connection=connection)
    finally:
        connection.close()
    return sent


def notification_retry(*, notification_ids) -> int:
    """Put FAILED rows back in the queue (an admin action)."""
    updated = Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if updated:
        transaction.on_commit(_enqueue_sweep)
    return updated
