import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def flag_overdue_requests() -> int:
    """Tell the assignee, or the branch, about requests past their due time; once per request and due time."""
    return services.support_requests_flag_overdue()


@shared_task
def close_resolved_requests() -> int:
    """Close requests resolved more than 14 days ago (the ALT can no longer reopen them)."""
    return services.support_requests_close_resolved()


@shared_task
def escalate_urgent_requests() -> int:
    """Escalate urgent call-outs nobody acknowledged within 30 minutes: the next person on the rota and SESPS.
    Each once, however often it runs."""
    return services.urgent_alerts_escalate()


@shared_task
def send_visit_reminders() -> int:
    """Remind ALTs of tomorrow's visits; once per visit and start time."""
    return services.visits_send_reminders()


@shared_task
def read_reply_maildir() -> int:
    """Post the replies a self-hosted mail server left in REPLY_MAILDIR (nothing to do without one).
    Safe to run twice: a message is handled once (moved to cur/, known by its Message-ID)."""
    from django.conf import settings

    from .inbound.maildir import NoMaildir, maildir_read

    if not settings.REPLY_MAILDIR:
        return 0
    try:
        return sum(maildir_read(settings.REPLY_MAILDIR).values())
    except NoMaildir:
        logger.warning("REPLY_MAILDIR is set but there is no Maildir there")
        return 0
