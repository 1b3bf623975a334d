from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import outbox, services

# The names below are the tasks' Celery names (contacts.tasks.<function>): the outbox, the
# services and the beat schedule queue them by name, so keep them.


# PostgreSQL restarting: tried again 2, 4, 8... seconds later, rather than left for the sweep.
@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=6,
)
def deliver_notification(notification_id: int) -> bool:
    """Send one outbox row; a second run finds it claimed or sent and does nothing."""
    return outbox.notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def send_password_reset(email: str) -> int:
    """Email a reset link if an account has `email`; safe to run twice (two links, the rate limit caps it)."""
    return services.password_reset_send(email=email)


@shared_task(acks_late=True)
def deliver_pending_notifications() -> int:
    """Send every row still unsent: the broker was down, or a worker died mid-send."""
    return outbox.notifications_deliver_pending()
